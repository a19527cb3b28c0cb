"""The Open311 GeoReport v2 endpoints (plus mySociety's GET servicerequestupdates), each in XML
and JSON by its suffix. Plain views: no session, no CSRF (POST authenticates with api_key, in
the body or the query string), every failure answered with the spec's `<errors>` document.

Reading needs no key (a key, when given, must be valid and counts against its client's limit;
reads without one are limited per address). Writing needs a key.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.conf import product_setting
from gongzhi.core.http import client_ip

from . import ratelimit, selectors, services
from .errors import Open311Error, bad_request, not_found
from .formats import CONTENT_TYPES, Items, Obj, error_document, parse_w3c, render, w3c
from .models import Open311Client, ServiceAttribute, ServiceOptions

log = logging.getLogger("gongzhi.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

View = Callable[..., Items | Obj]


def respond(
    doc: Items | Obj, fmt: str, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(render(doc, fmt), status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-cache"
    return response


def _params(request: HttpRequest) -> QueryDict:
    """The request's parameters: the query string, and for a POST its form body over it."""
    if request.method != "POST":
        return request.GET
    merged = request.GET.copy()
    for key, values in request.POST.lists():
        merged.setlist(key, values)
    return merged


def _check_jurisdiction(request: HttpRequest, params: QueryDict) -> None:
    """The jurisdiction_id names the installation, or one of its subdistricts (by its code):
    kept on the request for the endpoint (`_subdistrict`); any other is the spec's 404."""
    given = (params.get("jurisdiction_id") or "").strip()
    try:
        request._open311_subdistrict = selectors.jurisdiction_subdistrict(given)  # type: ignore[attr-defined]
    except selectors.UnknownJurisdiction:
        raise not_found(_("jurisdiction_id %(id)s was not found.") % {"id": given}) from None


def _subdistrict(request: HttpRequest) -> int | None:
    """The subdistrict the request's jurisdiction_id names; None: the whole installation."""
    return getattr(request, "_open311_subdistrict", None)


def _client(request: HttpRequest, params: QueryDict, *, required: bool) -> Open311Client | None:
    key = (params.get("api_key") or "").strip()
    if not key:
        if required:
            raise Open311Error([(403, _("api_key was not provided."))])
        ratelimit.check_anonymous(client_ip(request) or "unknown")
        return None
    client = services.authenticate(key)
    if client is None:
        raise Open311Error([(403, _("Invalid api_key received -- can't proceed."))])
    ratelimit.check_client(client)
    return client


def endpoint(*methods: str) -> Callable[[View], Callable[..., HttpResponse]]:
    """Wrap an endpoint: method, jurisdiction and key checks, format, and errors."""

    def wrap(func: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(func)
        def view(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> HttpResponse:
            method = "GET" if request.method == "HEAD" else request.method
            try:
                if method not in methods:
                    raise Open311Error(
                        [
                            (
                                400,
                                _("This resource answers %(methods)s only.")
                                % {"methods": ", ".join(methods)},
                            )
                        ],
                        headers={"Allow": ", ".join(methods)},
                    )
                if method == "POST":
                    # The spec: everything a client sends is UTF-8, whatever it declares.
                    request.encoding = "utf-8"
                params = _params(request)
                _check_jurisdiction(request, params)
                client = _client(request, params, required=method == "POST")
                doc = func(request, params, client, fmt, *args, **kwargs)
            except Open311Error as exc:
                return respond(
                    error_document(exc.errors), fmt, status=exc.status, headers=exc.headers
                )
            except (OperationalError, InterfaceError):
                raise  # the database is away: the site's 503 with Retry-After (core.views)
            except Exception:
                log.exception("open311: %s %s failed", request.method, request.path)
                return respond(
                    error_document(
                        [(400, _("General service error: the request could not be processed."))]
                    ),
                    fmt,
                    status=400,
                )
            return respond(
                doc, fmt, headers={"Access-Control-Allow-Origin": "*"} if method == "GET" else None
            )

        return view

    return wrap


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- Discovery and services ----------------------------------------------------------------------


@endpoint("GET")
def discovery(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str
) -> Obj:
    changed = selectors.changeset()
    changeset = w3c(changed) if changed else ""
    url = selectors.absolute(reverse("open311:root"), _base_url(request)).rstrip("/")
    return Obj(
        "discovery",
        {
            "changeset": changeset,
            "contact": str(
                product_setting("OPEN311_CONTACT", "")
                or _("The grid management centre of the subdistrict.")
            ),
            "key_service": str(
                product_setting("OPEN311_KEY_SERVICE", "")
                or _(
                    "API keys are issued per client application by the platform's "
                    "administrators; ask the grid management centre."
                )
            ),
            "endpoints": Items(
                "endpoints",
                "endpoint",
                [
                    {
                        "specification": SPECIFICATION,
                        "url": url,
                        "changeset": changeset,
                        "type": str(product_setting("OPEN311_ENDPOINT_TYPE", "production")),
                        "formats": Items(
                            "formats",
                            "format",
                            [CONTENT_TYPES["xml"].split(";")[0], "application/json"],
                        ),
                    }
                ],
            ),
        },
    )


@endpoint("GET")
def service_list(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str
) -> Items:
    rows = []
    for category in selectors.services():
        options = selectors.options_of(category)
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category.description,
                "metadata": bool(category.n_attributes),  # type: ignore[attr-defined]
                "type": options.type if options else ServiceOptions.Type.REALTIME,
                "keywords": options.keywords if options else "",
                "group": category.parent.name if category.parent else "",
            }
        )
    return Items("services", "service", rows)


def _attribute(attr: ServiceAttribute) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description,
        "order": attr.order,
        "description": attr.description,
    }
    if attr.datatype in ServiceAttribute.LIST_TYPES:
        fields["values"] = Items(
            "values", "value", [{"key": v["key"], "name": v["name"]} for v in attr.values]
        )
    return fields


@endpoint("GET")
def service_definition(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str, code: str
) -> Obj:
    category = selectors.service(code)
    if category is None:
        raise not_found(_("service_code %(code)s was not found.") % {"code": code})
    return Obj(
        "service_definition",
        {
            "service_code": category.code,
            "attributes": Items(
                "attributes",
                "attribute",
                [_attribute(a) for a in selectors.attributes(category)],
            ),
        },
    )


# --- Requests ------------------------------------------------------------------------------------


def _listed(params: QueryDict, name: str) -> list[str]:
    """A parameter that may be declared several times and/or comma-delimited."""
    out: list[str] = []
    for value in params.getlist(name):
        out.extend(v.strip() for v in (value or "").split(",") if v.strip())
    return out


def date_range(params: QueryDict) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date: at most 90 days apart; the most recent 90 days by default; one
    alone is completed to a 90-day span."""
    errors: list[tuple[int, str]] = []
    parsed: dict[str, dt.datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = (params.get(name) or "").strip()
        parsed[name] = None
        if raw:
            try:
                parsed[name] = parse_w3c(raw)
            except ValueError:
                errors.append(
                    (
                        400,
                        _("%(name)s must be a W3C date-time, e.g. 2010-01-01T00:00:00Z.")
                        % {"name": name},
                    )
                )
    if errors:
        raise Open311Error(errors)
    start, end = parsed["start_date"], parsed["end_date"]
    if start is None and end is None:
        end = timezone.now()
        start = end - selectors.MAX_SPAN
    elif end is None:
        assert start is not None
        end = start + selectors.MAX_SPAN
    elif start is None:
        start = end - selectors.MAX_SPAN
    if end < start:
        raise bad_request(_("end_date is before start_date."))
    if end - start > selectors.MAX_SPAN:
        raise bad_request(_("start_date and end_date may not span more than 90 days."))
    return start, end


def _query(params: QueryDict) -> selectors.Query:
    ids = _listed(params, "service_request_id")
    if ids:
        return selectors.Query(ids=ids)
    statuses = [s.lower() for s in _listed(params, "status")]
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        raise bad_request(
            _("status must be open or closed (comma-delimited), not %(value)s.")
            % {"value": ", ".join(wrong)}
        )
    start, end = date_range(params)
    return selectors.Query(
        codes=_listed(params, "service_code") or None, start=start, end=end, statuses=statuses
    )


@endpoint("GET", "POST")
def requests(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str
) -> Items:
    if request.method == "POST":
        assert client is not None
        return _create(params, client, _subdistrict(request))
    base = _base_url(request)
    query = _query(params)
    query.subdistrict_id = _subdistrict(request)
    cases = selectors.find_requests(query)
    limits = selectors.Limits()
    return Items(
        "service_requests", "request", [selectors.request_fields(c, base, limits) for c in cases]
    )


def _create(params: QueryDict, client: Open311Client, subdistrict_id: int | None) -> Items:
    created = services.request_create(
        client=client,
        sub=services.Submission.from_params(params),
        subdistrict_id=subdistrict_id,
    )
    o311 = created.request
    fields: dict[str, Any] = {}
    if selectors.service_type(created.category) == ServiceOptions.Type.BATCH:
        fields["token"] = o311.token
    else:
        fields["service_request_id"] = o311.case.number
    fields["service_notice"] = selectors.service_notice(created.category)
    fields["account_id"] = o311.account_id
    return Items("service_requests", "request", [fields])


@endpoint("GET")
def request_detail(
    request: HttpRequest,
    params: QueryDict,
    client: Open311Client | None,
    fmt: str,
    request_id: str,
) -> Items:
    case = selectors.find_request(request_id, _subdistrict(request))
    if case is None:
        raise not_found(_("service_request_id %(id)s was not found.") % {"id": request_id})
    return Items(
        "service_requests", "request", [selectors.request_fields(case, _base_url(request))]
    )


@endpoint("GET")
def token(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str, token: str
) -> Items:
    found = selectors.find_token(token)
    if found is None:
        raise not_found(_("token %(token)s was not found.") % {"token": token})
    return Items("service_requests", "request", [selectors.token_fields(found)])


@endpoint("GET")
def updates(
    request: HttpRequest, params: QueryDict, client: Open311Client | None, fmt: str
) -> Items:
    start, end = date_range(params)
    base = _base_url(request)
    return Items(
        "service_request_updates",
        "request_update",
        [
            selectors.update_fields(e, base)
            for e in selectors.find_updates(start, end, _subdistrict(request))
        ],
    )


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under the endpoint: the spec's 404, in JSON when the path asks for it."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    return respond(
        error_document(
            [
                (
                    404,
                    _("%(path)s is not an Open311 resource; see discovery.xml.")
                    % {"path": request.path},
                )
            ]
        ),
        fmt,
        status=404,
    )

"""The REST API, version 1, at /api/v1/ (django-ninja). Its OpenAPI 3 schema is
/api/v1/openapi.json; /api/v1/docs is the interactive documentation, served from this server's
static files (nothing is fetched from another host).

Every operation needs authentication (a personal token, or the site's session with CSRF), acts
with that user's permissions, answers errors with one body shape (gongzhi.api.errors), pages
lists with cursors (gongzhi.api.pagination), replays POSTs with an Idempotency-Key and tags GET
answers with ETags (gongzhi.api.http). See docs/api.md.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from gongzhi.core.middleware import default_policy

from . import (
    alliance,
    cases,
    catalogue,
    errors,
    me,
    meetings,
    org,
    places,
    servicecentre,
    sharing,
    triage,
)
from .auth import AUTH
from .http import IDEMPOTENCY_HEADER, REPLAYED_HEADER, http_layer


class EvalSwagger(Swagger):
    """The interactive docs (Swagger UI, from the package) build their request samples with
    eval: that one page, which holds no data, is allowed it beyond the site's policy."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        response = super().render_page(request, api, **kwargs)
        response["Content-Security-Policy"] = default_policy().replace(
            "script-src 'self'", "script-src 'self' 'unsafe-eval'"
        )
        return response


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's schema, plus what the HTTP layer adds to every operation: the
        Idempotency-Key header on POSTs, ETag / If-None-Match / 304 on GETs."""
        schema = super().get_openapi_schema(**kwargs)
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                # Ninja keys responses by int, openapi_extra by str: one key per status.
                responses: dict[str, Any] = {}
                for status, spec in operation.get("responses", {}).items():
                    responses[str(status)] = {**responses.get(str(status), {}), **spec}
                operation["responses"] = responses
                if method == "post":
                    operation.setdefault("parameters", []).append(
                        {
                            "in": "header",
                            "name": IDEMPOTENCY_HEADER,
                            "required": False,
                            "description": "Any unique string (e.g. a UUID) per new request: a "
                            "retry with the same key and body returns the first answer "
                            f"(with `{REPLAYED_HEADER}: true`) instead of doing it twice.",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        }
                    )
                elif method == "get":
                    operation.setdefault("parameters", []).append(
                        {
                            "in": "header",
                            "name": "If-None-Match",
                            "required": False,
                            "description": "The ETag of an earlier answer: 304 if unchanged.",
                            "schema": {"type": "string", "maxLength": 1000},
                        }
                    )
                    responses.setdefault("304", {"description": "Not modified (ETag matched)."})
                    ok = responses.get("200")
                    if ok is not None:
                        ok.setdefault("headers", {})["ETag"] = {
                            "description": "Send as If-None-Match to revalidate.",
                            "schema": {"type": "string"},
                        }
                for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
                    if status in responses:
                        responses[status].setdefault("description", "Error")
                responses.setdefault(
                    "500",
                    {
                        "description": "Unexpected failure (logged).",
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
        return schema


api = GongzhiAPI(
    title="Gongzhi 共治 API",
    version="1",
    description=(
        "The grid management centre's cases, the catalogue, places and the organisation of the "
        "Caoyang New Village subdistrict. Authenticate with a personal API token "
        "(`Authorization: Bearer gzt_…`, created under “API tokens” in your account) or, from "
        "the site's own pages, the session cookie plus the X-CSRFToken header. Errors: "
        '`{"code", "message", "errors": [{"field", "message"}]}`. Lists: cursor pages. '
        "POSTs: optional Idempotency-Key. GETs: ETag / If-None-Match."
    ),
    urls_namespace="api-v1",
    auth=AUTH,
    docs=EvalSwagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_decorator(http_layer, mode="view")
api.add_router("", me.router)
api.add_router("", cases.router)
api.add_router("", catalogue.router)
api.add_router("", places.router)
api.add_router("", org.router)
api.add_router("", alliance.router)
api.add_router("", sharing.router)
api.add_router("", servicecentre.router)
api.add_router("", meetings.router)
api.add_router("", triage.router)

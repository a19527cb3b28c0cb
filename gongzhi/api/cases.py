"""Cases: list (filters, cursor), file, read, every workflow action, timeline, photos, and the
logged reveal of the reporter's phone. Thin: permissions through gongzhi.core.permissions,
reads through gongzhi.cases.selectors, writes through gongzhi.cases.services (the same calls as
the pages in gongzhi/cases/views*.py)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Literal

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, UploadedFile
from pydantic_core import to_jsonable_python

from gongzhi.cases import intake, selectors, services
from gongzhi.cases import photos as photo_files
from gongzhi.cases.models import Case, CaseEvent, CasePhoto, ExtensionRequest
from gongzhi.cases.workflow import CASES, available_actions
from gongzhi.core import permissions as perms
from gongzhi.core.cache import TableCache
from gongzhi.core.conf import product_setting
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for
from gongzhi.places.models import Grid, GridStation, ResidentialArea
from gongzhi.workflow import Action

from . import schemas as s
from .actions import action_routes, payload_params, state_conflicts
from .errors import ApiError, ErrorOut
from .http import NOT_STORED, etag_matches, not_modified
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, decode, encode, keyset, page

router = Router(tags=["cases"])

READ_ERRORS: dict[Any, Any] = {frozenset({401, 403, 404, 422, 429}): ErrorOut}
WRITE_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 413, 422, 429}): ErrorOut}
CASE_RELATED = (*selectors.CASE_RELATED, "merged_into")
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


# --- building the outputs -----------------------------------------------------------------------------


def _root() -> str:
    return _root_under(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _root_under(prefix: str) -> str:
    return reverse("api-v1:api-root")


def _iso(value: dt.datetime | None) -> str | None:
    """A moment as the schemas dump it to JSON: local time, ISO 8601 with the offset."""
    return to_jsonable_python(timezone.localtime(value)) if value is not None else None


@functools.lru_cache(maxsize=8)
def _state_labels(language: str | None) -> dict[str, str]:
    """The states' labels in a language (what `get_state_display()` gives, without building
    the choices anew for every case)."""
    return {value: str(label) for value, label in Case.State.choices}


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": str(getattr(obj, "name", obj))}


def _code_ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "code": obj.code, "name": obj.name}


def build_case(
    c: Case,
    *,
    staff: bool,
    now: dt.datetime,
    moment: Callable[[dt.datetime | None], Any] = s.local,
    places: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of CaseOut, in its order. `moment` writes the datetimes: as datetimes for a
    schema to validate (the default), `_iso` for an answer written straight to JSON. `places`:
    the grid, residential_area and station references when already known (else read from
    the case's relations)."""
    countdown = selectors.countdown(c, now)
    data = {
        "id": c.pk,
        "number": c.number,
        "tracking_code": c.tracking_code,
        "channel": c.channel,
        "type": c.type,
        "category": _code_ref(c.category),
        "urgency": c.urgency,
        "title": c.title,
        "description": c.description,
        "state": c.state,
        "state_label": _state_labels(translation.get_language()).get(c.state, c.state),
        "lat": c.lat,
        "lng": c.lng,
        "address": c.address,
        "grid": None if places or not c.grid_id else _code_ref(c.grid),
        "residential_area": (
            None if places or not c.residential_area_id else _code_ref(c.residential_area)
        ),
        "station": None if places or not c.station_id else _ref(c.station),
        "department": _ref(c.department) if staff and c.department_id else None,
        "assignee": _ref(c.assignee) if staff and c.assignee_id else None,
        "reporter_name": "" if c.anonymous else c.reporter_name_masked,
        "reporter_phone": c.reporter_phone_masked,
        "anonymous": c.anonymous,
        "external_ref": c.external_ref if staff else "",
        "received_at": moment(c.received_at),
        "due_at": moment(countdown.due_at),
        "overdue": countdown.overdue,
        "handle_due_at": moment(c.handle_due_at),
        "close_due_at": moment(c.close_due_at),
        "filed_at": moment(c.filed_at),
        "dispatched_at": moment(c.dispatched_at),
        "handled_at": moment(c.handled_at),
        "closed_at": moment(c.closed_at),
        "evaluated_at": moment(c.evaluated_at),
        "satisfaction": c.satisfaction,
        "result": c.result,
        "supervision_level": c.supervision_level if staff else 0,
        "merged_into": (
            {"id": c.merged_into_id, "name": c.merged_into.number}
            if c.merged_into_id and c.merged_into is not None
            else None
        ),
        "version": c.version,
        "updated_at": moment(c.updated_at),
    }
    if places is not None:
        data.update(places)
    return data


def case_detail_data(
    user: Any,
    c: Case,
    *,
    new: bool = False,
    as_json: bool = False,
    places: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of CaseDetailOut. `new`: the case was just filed (no extension requests, no
    merged cases to look up). `as_json`: as the values the schema dumps to, for an answer
    written without it (every filing answers with one). `places`: see build_case."""
    access = access_for(user)
    staff = access.is_staff_member
    requests = list(c.extension_requests.order_by("created_at", "id")) if staff and not new else []
    pending = any(r.status == ExtensionRequest.Status.PENDING for r in requests)
    actions = selectors.offered_actions(c, available_actions(user, c), pending)
    root = _root()
    data = build_case(
        c, staff=staff, now=timezone.now(), moment=_iso if as_json else s.local, places=places
    )
    data["actions"] = [
        {
            "action": t.name,
            "label": str(t.label),
            "note_required": t.note_required,
            "path": f"{root}cases/{c.pk}/actions/{t.name}",
        }
        for t in actions
    ]
    extensions = [s.build_extension(r) for r in requests]
    data["extension_requests"] = (
        [e.model_dump(mode="json") for e in extensions] if as_json else extensions
    )
    data["merged_cases"] = (
        []
        if new
        else [{"id": m.pk, "name": m.number} for m in c.merged_cases.order_by("received_at", "id")]
    )
    data["may_reveal_phone"] = bool(c.reporter_phone) and perms.can(user, "reveal", c)
    return data


def case_detail_out(user: Any, c: Case, *, new: bool = False) -> s.CaseDetailOut:
    return s.CaseDetailOut.model_validate(case_detail_data(user, c, new=new))


def _case(user: Any, case_id: int) -> Case:
    """The case if this user may see it; 404 otherwise (out of scope looks like missing)."""
    return perms.get_visible_or_404(user, Case.objects.select_related(*CASE_RELATED), pk=case_id)


CaseId = Path(..., ge=1, le=s.MAX_ID, description="The case's id.")


# --- list ------------------------------------------------------------------------------------


class CaseFilters(s.InputSchema):
    state: s.StateFilterT = Field("all", description="One state, every open state, or all.")
    channel: s.ChannelT | None = None
    category: int | None = Field(None, ge=1, le=s.MAX_ID, description="Includes its children.")
    grid: int | None = Field(None, ge=1, le=s.MAX_ID)
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)
    station: int | None = Field(None, ge=1, le=s.MAX_ID)
    department: int | None = Field(None, ge=1, le=s.MAX_ID)
    overdue: bool = Field(False, description="Only cases past their current deadline.")
    q: str = Field("", max_length=60, description="Number, tracking code, 12345 number, words.")
    received_after: s.Moment | None = None
    received_before: s.Moment | None = None
    sort: Literal["newest", "due"] = Field(
        "newest", description="newest: by time received; due: most pressing deadline first."
    )
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get("/cases", response={200: s.CasePage, **READ_ERRORS}, url_name="case_list")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """The cases this user may see (a department its own work orders, an inspector its
    station's, an area its own, the centre everything), filtered, a page at a time."""
    user = request.auth  # type: ignore[attr-defined]
    now = timezone.now()
    f = filters
    queue_filters = selectors.QueueFilters(
        state="" if f.state == "open" else f.state,
        channel=f.channel or "",
        category_id=f.category,
        grid_id=f.grid,
        department_id=f.department,
        overdue=f.overdue,
        q=f.q,
    )
    qs = selectors.queue_queryset(user, queue_filters, now)
    if f.residential_area:
        qs = qs.filter(residential_area_id=f.residential_area)
    if f.station:
        qs = qs.filter(station_id=f.station)
    if f.received_after:
        qs = qs.filter(received_at__gte=f.received_after)
    if f.received_before:
        qs = qs.filter(received_at__lt=f.received_before)
    qs = qs.select_related(*CASE_RELATED)
    if f.sort == "due":
        inner = decode(f.cursor, "cases:due")[0] if f.cursor else ""
        if not isinstance(inner, str):
            raise ApiError(422, "invalid", _("The cursor is not valid."), [("cursor", "")])
        rows, after = selectors.keyset_page(qs, inner, f.limit)
        next_cursor = encode("cases:due", [after]) if after else None
    else:
        rows, next_cursor = keyset(
            qs, ("-received_at", "-id"), cursor=f.cursor, limit=f.limit, kind="cases:newest"
        )
    staff = access_for(user).is_staff_member
    return {
        "items": [build_case(c, staff=staff, now=now) for c in rows],
        "next_cursor": next_cursor,
    }


# --- file ------------------------------------------------------------------------------------


def decode_photos(photos: list[str]) -> list[bytes]:
    out = []
    for i, text in enumerate(photos):
        try:
            out.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ApiError(
                422,
                "invalid",
                _("A photo is not valid base64."),
                [(f"photos.{i}", _("Send the image encoded in base64."))],
            ) from exc
    return out


@router.post(
    "/cases",
    response={200: s.IntakeOut, 201: s.IntakeOut, **WRITE_ERRORS},
    url_name="case_create",
)
def case_create(request: HttpRequest, payload: s.CaseIn) -> Any:
    """File a case (one intake for every channel). 201 with the new case; 200 with the case
    already taken in when its `external_ref` (12345 work-order number) was filed before.
    Photos as base64 here; `POST /cases/upload` takes them as files (multipart)."""
    return _file(request, payload, decode_photos(payload.photos))


@router.post(
    "/cases/upload",
    response={200: s.IntakeOut, 201: s.IntakeOut, **WRITE_ERRORS},
    url_name="case_create_upload",
)
def case_create_upload(
    request: HttpRequest,
    payload: Form[s.CaseFields],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """File a case from a multipart form: the same fields as `POST /cases`, and the photos as
    files (`photos`, up to 9, 10 MB each), checked like the web form's: the content must be a
    whole JPEG, PNG or WebP image whatever the file is called, and each is re-encoded (no
    metadata, no location, no payload survives)."""
    return _file(request, payload, [photo_files.read_upload(f) for f in photos or []])


def _file(request: HttpRequest, p: s.CaseFields, uploads: list[bytes]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    access = access_for(user)
    report = p.model_dump(exclude={"photos"})
    report["type"] = p.type or ""
    result = services.case_intake(
        actor=user,
        reporter_user=user if p.channel == Case.Channel.RESIDENT else None,
        photo_uploads=uploads,
        find_duplicates=access.has(*intake.CENTRE),
        **report,
    )
    # The answer shows the case to whoever filed it, also when it is outside their scope (an
    # inspector reporting in another station's grid). A new case has no department, assignee
    # or master yet, and its category is loaded: only its places are left, kept per process.
    case = result.case if result.created else _case_after(user, result.case.pk)
    places = _places_of(case) if result.created and case.grid_id else None
    found = [d.pk for d in result.duplicates]
    visible = (
        set(found)
        if (access.whole_subdistrict and access.every_subdistrict) or not found
        else set(
            perms.visible(user, Case.objects.filter(pk__in=found)).values_list("pk", flat=True)
        )
    )
    # Written straight to JSON (every filing answers with it): the same values IntakeOut
    # dumps to, without validating what this code has just built.
    body = {
        "created": result.created,
        "case": case_detail_data(user, case, new=result.created, as_json=True, places=places),
        "duplicates": [
            {
                "case": {"id": d.pk, "name": d.text("title") or d.text("number")},
                "number": d.text("number"),
                "state": d.text("state"),
                "distance_m": float(round(d.distance_m, 1)),
                "score": float(round(d.score, 3)),
            }
            for d in result.duplicates
            if d.pk in visible
        ],
    }
    response = _json(request, body, status=201 if result.created else 200)
    response["Location"] = f"{_root()}cases/{case.pk}"
    return response


# Grid → (grid, its residential area, its grid station) as references, for the answer to a
# filing (every new case in a grid shows them). Kept per process like the grid index that
# routed the case, with the same version check.
PlaceRefs = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def _load_places(grid_id: int | None = None) -> dict[int, PlaceRefs]:
    rows = Grid.objects.values_list(
        "id",
        "code",
        "name",
        "residential_area_id",
        "residential_area__code",
        "residential_area__name",
        "station_id",
        "station__name",
    )
    if grid_id is not None:
        rows = rows.filter(pk=grid_id)
    return {
        g: (
            {"id": g, "code": code, "name": name},
            {"id": area, "code": area_code, "name": area_name},
            {"id": station, "name": station_name},
        )
        for g, code, name, area, area_code, area_name, station, station_name in rows
    }


_places = TableCache(_load_places, Grid, ResidentialArea, GridStation)


def _places_of(c: Case) -> dict[str, Any] | None:
    """The new case's grid, residential area and station as the answer shows them."""
    refs = None
    if float(product_setting("CACHE_CHECK_SECONDS", 2.0)) > 0:
        refs = _places.get().get(c.grid_id)  # type: ignore[arg-type]
    if refs is None:  # checked on every read (tests), or a grid newer than the cache
        refs = _load_places(c.grid_id).get(c.grid_id)  # type: ignore[arg-type]
    if refs is None:
        return None
    grid, area, station = refs
    return {
        "grid": grid,
        "residential_area": (
            area
            if c.residential_area_id == area["id"]
            else _code_ref(c.residential_area)
            if c.residential_area_id
            else None
        ),
        "station": (
            station if c.station_id == station["id"] else _ref(c.station) if c.station_id else None
        ),
    }


def _json(request: HttpRequest, body: Schema | dict[str, Any], *, status: int) -> HttpResponse:
    from .api import api

    if isinstance(body, Schema):
        body = body.model_dump(mode="json")
    return api.create_response(request, body, status=status)


# --- read ------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}", response={200: s.CaseDetailOut, **READ_ERRORS}, url_name="case_detail"
)
def case_detail(request: HttpRequest, case_id: int = CaseId) -> Any:
    """One case with the actions this user may take on it now."""
    user = request.auth  # type: ignore[attr-defined]
    return case_detail_out(user, _case(user, case_id))


class PageQuery(s.InputSchema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/cases/{case_id}/timeline",
    response={200: s.EventPage, **READ_ERRORS},
    url_name="case_timeline",
)
def case_timeline(request: HttpRequest, filters: Query[PageQuery], case_id: int = CaseId) -> Any:
    """The case's timeline, oldest first. People outside the staff (a reporter following
    their own case) see only the public steps, without names."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(user, case_id)
    staff = access_for(user).is_staff_member
    qs = CaseEvent.objects.filter(case=case)
    if not staff:
        qs = qs.filter(public=True)
    from gongzhi.cases.workflow import action_label

    return page(
        qs,
        ("at", "id"),
        filters,
        lambda e: s.build_event(
            e, label=action_label(e.action), actor=selectors.actor_display(e), staff=staff
        ),
    )


@router.get(
    "/cases/{case_id}/photos", response={200: s.PhotoPage, **READ_ERRORS}, url_name="case_photos"
)
def case_photos(request: HttpRequest, filters: Query[PageQuery], case_id: int = CaseId) -> Any:
    """The case's photos. `public` and `thumb` are re-encoded without location data; the
    `original` (with its metadata) is for staff only."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(user, case_id)
    staff = access_for(user).is_staff_member
    base = f"{_root()}cases/{case.pk}/photos"
    kinds = ("thumb", "public", "original") if staff else ("thumb", "public")
    return page(
        CasePhoto.objects.filter(case=case),
        ("created_at", "id"),
        filters,
        lambda p: s.build_photo(p, urls={k: f"{base}/{p.pk}/{k}" for k in kinds}),
    )


@router.get(
    "/cases/{case_id}/photos/{photo_id}/{kind}",
    response={200: None, **READ_ERRORS},
    url_name="case_photo_file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The image.",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/webp": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def case_photo_file(
    request: HttpRequest,
    case_id: int = CaseId,
    photo_id: int = Path(..., ge=1, le=s.MAX_ID),
    kind: Literal["thumb", "public", "original"] = Path(...),
) -> HttpResponseBase:
    """One photo's image. The ETag is the image's checksum."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(user, case_id)
    photo = CasePhoto.objects.filter(pk=photo_id, case=case).first()
    if photo is None:
        raise Http404
    if kind == "original" and not access_for(user).is_staff_member:
        raise Http404
    tag = f'"{photo.sha256[:32]}-{kind}"'
    given = request.headers.get("If-None-Match")
    if given and etag_matches(given, tag):
        return not_modified(tag)
    file, content_type = {
        "original": (photo.original, CONTENT_TYPES.get(photo.extension, "image/jpeg")),
        "public": (photo.public_image, "image/jpeg"),
        "thumb": (photo.thumbnail, "image/jpeg"),
    }[kind]
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    response["ETag"] = tag
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the reporter's phone ----------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/reveal-phone",
    response={200: s.RevealOut, **WRITE_ERRORS},
    url_name="case_reveal_phone",
)
def case_reveal_phone(request: HttpRequest, case_id: int = CaseId) -> Any:
    """The reporter's full phone number, for those who call back (the centre, the department
    handling the case). Every reveal is written to the audit trail, and so is every refusal."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(user, case_id)
    value = services.reveal_reporter_phone(actor=user, case=case)
    return {"field": "reporter_phone", "value": value}


NOT_STORED.add("case_reveal_phone")


# --- workflow actions --------------------------------------------------------------------------


def _act(
    request: HttpRequest, case_id: int, action: str, call: Callable[[Any, Case], Any]
) -> s.CaseDetailOut:
    """Take `action` on the case through its service, as the page does (gongzhi.cases.views.act):
    404 when the user may not see the case, 403 when they may not take the action, 409 when the
    case is not (or no longer) in a state the action starts from, 422 for bad input."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(user, case_id)
    t = CASES.actions[action]
    if not perms.can(user, action, case):
        raise NotAllowed(
            _("You are not allowed to “%(action)s” on this case.") % {"action": t.label}
        )
    # the action and its photos together, or nothing
    with state_conflicts(t, Case, case.pk), transaction.atomic():
        call(user, case)
    return case_detail_out(user, _case_after(user, case.pk))


def _case_after(user: Any, pk: int) -> Case:
    """The case after an action; also when the action took it out of the user's scope (a
    department returning it): they see the result of what they just did."""
    return Case.objects.select_related(*CASE_RELATED).get(pk=pk)


ACTION_OK: dict[Any, Any] = {200: s.CaseDetailOut, **WRITE_ERRORS}


def _take_action(request: HttpRequest, a: Action, payload: Any, case_id: int) -> Any:
    note, params = payload_params(a, payload)
    if "photos" in params:
        params["photos"] = decode_photos(params["photos"] or [])
    return _act(
        request,
        case_id,
        a.name,
        lambda u, c: services.case_act(
            actor=u,
            case=c,
            action=a.name,
            note=note,
            params=params,
            expected_state=payload.expected_state,
        ),
    )


# One endpoint per action of the case's action table (gongzhi.cases.workflow).
action_routes(
    router,
    CASES,
    path="/cases/{case_id}",
    path_param=("case_id", CaseId),
    handle=_take_action,
    response=ACTION_OK,
    module=__name__,
)

"""Shared resources, parking permits and the gate check (gongzhi.sharing). Thin: permissions
through gongzhi.core.permissions, reads through gongzhi.sharing.selectors, writes through
gongzhi.sharing.services (the same calls as the pages).

The gate system calls `POST /sharing/gate-checks` with its own token (a user holding a position
at the unit that owns the car park): every answer is 200 with `allowed` and `reason`, also for a
malformed plate or an unknown car park, and is written to the gate log. Same tokens, error body
and Idempotency-Key as the rest of the API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for
from gongzhi.sharing import selectors, services
from gongzhi.sharing.availability import gate_info
from gongzhi.sharing.models import GateEvent, Permit, SharedResource
from gongzhi.sharing.permissions import at_unit, runs_a_gate
from gongzhi.sharing.plates import normalise_plate
from gongzhi.sharing.workflow import PERMITS

from . import schemas as s
from .actions import object_action_routes
from .cases import READ_ERRORS, WRITE_ERRORS, PageQuery
from .pagination import keyset, page

router = Router(tags=["sharing"])


class WindowOut(Schema):
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday.")
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM; at or before start: the next day; 00:00–00:00: all day.")


class ExceptionOut(Schema):
    kind: Literal["open", "closed"]
    date_from: dt.date
    date_to: dt.date
    note: str


class ResourceOut(Schema):
    id: int
    kind: str
    name: str
    owner: s.Ref
    address: str
    lat: float | None
    lng: float | None
    capacity: int
    rules: str
    violations_to_suspend: int
    follows_school_calendar: bool
    windows: list[WindowOut]
    exceptions: list[ExceptionOut]
    open_now: bool


class ResourcePage(s.PageMeta):
    items: list[ResourceOut]


class PermitOut(Schema):
    id: int
    resource: s.Ref
    plate: str
    holder: str = Field(description="Masked unless it is your own permit or your unit's.")
    valid_from: dt.date
    valid_to: dt.date
    state: Literal["active", "suspended", "revoked", "expired"]
    renewals: int


class PermitPage(s.PageMeta):
    items: list[PermitOut]


class GateCheckIn(s.InputSchema):
    resource: int = Field(..., ge=1, le=s.MAX_ID, description="The car park's id.")
    plate: str = Field(..., max_length=40, description="As read; normalised by the server.")
    at: dt.datetime | None = Field(None, description="When (ISO 8601 with offset); now if empty.")
    direction: Literal["in", "out", "check"] = "in"


class GateCheckOut(Schema):
    allowed: bool
    reason: Literal[
        "permit",
        "exit",
        "malformed_plate",
        "unknown_resource",
        "no_permit",
        "not_yet_valid",
        "expired",
        "suspended",
        "revoked",
        "outside_window",
    ]
    message: str
    plate: str = Field(description="The normalised plate; empty when it could not be read.")
    at: dt.datetime
    permit: int | None
    open_until: dt.datetime | None = Field(description="When an admitted car must have left.")
    next_opening: dt.datetime | None
    event: int | None = Field(description="The gate log row.")


def _resource_out(r: SharedResource, now: dt.datetime) -> dict[str, Any]:
    from gongzhi.sharing.availability import schedule_for

    windows = [w for w in r.windows.all() if w.archived_at is None]
    exceptions = [
        e
        for e in r.exceptions.all()
        if e.archived_at is None and e.date_to >= timezone.localdate(now)
    ]
    return {
        "id": r.pk,
        "kind": r.kind,
        "name": r.name,
        "owner": {"id": r.owner_id, "name": r.owner.name},
        "address": r.address,
        "lat": r.lat,
        "lng": r.lng,
        "capacity": r.capacity,
        "rules": r.rules,
        "violations_to_suspend": r.violations_to_suspend,
        "follows_school_calendar": r.follows_school_calendar,
        "windows": [
            {"weekdays": w.weekdays, "start": f"{w.start:%H:%M}", "end": f"{w.end:%H:%M}"}
            for w in windows
        ],
        "exceptions": [
            {"kind": e.kind, "date_from": e.date_from, "date_to": e.date_to, "note": e.note}
            for e in exceptions
        ],
        "open_now": schedule_for(r).open_at(now) is not None,
    }


class ResourceFilters(PageQuery):
    kind: Literal["car_park", "hall", "room", "sports_ground"] | None = None


@router.get(
    "/sharing/resources",
    response={200: ResourcePage, **READ_ERRORS},
    url_name="sharing_resource_list",
)
def resource_list(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    """The shared resources with their windows and the exceptions ahead."""
    user = request.auth  # type: ignore[attr-defined]
    qs = perms.visible(user, SharedResource.objects.active()).select_related("owner")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = qs.prefetch_related("windows", "exceptions")
    now = timezone.now()
    return page(qs, ("id",), filters, lambda r: _resource_out(r, now))


@router.get(
    "/sharing/resources/{resource_id}",
    response={200: ResourceOut, **READ_ERRORS},
    url_name="sharing_resource_detail",
)
def resource_detail(request: HttpRequest, resource_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    r = perms.get_visible_or_404(
        user,
        SharedResource.objects.active()
        .select_related("owner")
        .prefetch_related("windows", "exceptions"),
        pk=resource_id,
    )
    return _resource_out(r, timezone.now())


def _permit_out(user: Any, p: Permit) -> dict[str, Any]:
    full = p.holder_user_id == user.pk or perms.can(user, "change", p)
    return {
        "id": p.pk,
        "resource": {"id": p.resource_id, "name": p.resource.name},
        "plate": p.plate,
        "holder": p.holder_name if full else p.holder_name_masked,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
        "state": p.state,
        "renewals": p.renewals,
    }


class PermitFilters(PageQuery):
    resource: int | None = Field(None, ge=1, le=s.MAX_ID)
    plate: str = Field("", max_length=40)
    mine: bool = Field(False, description="Only the permits you hold.")


@router.get(
    "/sharing/permits", response={200: PermitPage, **READ_ERRORS}, url_name="sharing_permit_list"
)
def permit_list(request: HttpRequest, filters: Query[PermitFilters]) -> Any:
    """Permits: your own, your unit's, or (centre, leaders) all."""
    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.permits_for(user)
    f = filters
    if f.resource:
        qs = qs.filter(resource_id=f.resource)
    if f.mine:
        qs = qs.filter(holder_user=user)
    if f.plate.strip():
        qs = qs.filter(plate=normalise_plate(f.plate))
    return page(qs, ("id",), f, lambda p: _permit_out(user, p))


@router.get(
    "/sharing/permits/{permit_id}",
    response={200: PermitOut, **READ_ERRORS},
    url_name="sharing_permit_detail",
)
def permit_detail(request: HttpRequest, permit_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    p = perms.get_visible_or_404(
        user, Permit.objects.active().select_related("resource"), pk=permit_id
    )
    return _permit_out(user, p)


class GateEventOut(Schema):
    id: int
    resource: int
    plate: str
    plate_input: str
    at: dt.datetime
    direction: Literal["in", "out", "check"]
    verdict: Literal["allowed", "refused"]
    reason: str
    permit: int | None


class GateEventPage(s.PageMeta):
    items: list[GateEventOut]


class GateEventFilters(PageQuery):
    resource: int | None = Field(None, ge=1, le=s.MAX_ID)
    plate: str = Field("", max_length=40)
    since: dt.datetime | None = Field(None, description="Only answers at or after this time.")


@router.get(
    "/sharing/gate-events",
    response={200: GateEventPage, **READ_ERRORS},
    url_name="sharing_gate_event_list",
)
def gate_event_list(request: HttpRequest, filters: Query[GateEventFilters]) -> Any:
    """The gate log, newest first: the owner unit's, or (centre, leaders) every car park's."""
    user = request.auth  # type: ignore[attr-defined]
    f = filters
    qs = perms.visible(user, GateEvent.objects.all())
    if f.resource:
        qs = qs.filter(resource_id=f.resource)
    if f.plate.strip():
        qs = qs.filter(plate=normalise_plate(f.plate))
    if f.since:
        qs = qs.filter(at__gte=f.since)
    rows, next_cursor = keyset(qs, ("-at", "-id"), cursor=f.cursor, limit=f.limit)
    return {
        "items": [
            {
                "id": e.pk,
                "resource": e.resource_id,
                "plate": e.plate,
                "plate_input": e.plate_input,
                "at": timezone.localtime(e.at),
                "direction": e.direction,
                "verdict": e.verdict,
                "reason": e.reason,
                "permit": e.permit_id,
            }
            for e in rows
        ],
        "next_cursor": next_cursor,
    }


@router.post(
    "/sharing/gate-checks",
    response={200: GateCheckOut, **WRITE_ERRORS},
    url_name="sharing_gate_check",
)
def gate_check(request: HttpRequest, payload: GateCheckIn) -> Any:
    """Allowed or refused, and why, for a plate at a car park's gate; logged. `direction`
    "in" asks to enter, "out" records an exit (always allowed; an exit after the window closed
    records an overstay), "check" only asks."""
    user = request.auth  # type: ignore[attr-defined]
    access = access_for(user)
    info = gate_info(payload.resource)
    if info is not None and not at_unit(access, info.owner_id):
        raise NotAllowed(_("Only the staff of the unit that owns this car park run its gate."))
    if info is None and not runs_a_gate(access):
        # An unknown car park looks the same as one of another unit's for everyone else.
        raise NotAllowed(_("Only the staff of the unit that owns this car park run its gate."))
    result = services.gate_check(
        actor=user,
        resource_id=payload.resource,
        plate=payload.plate,
        at=payload.at,
        direction=payload.direction,
    )
    return {
        "allowed": result.allowed,
        "reason": result.reason,
        "message": result.message,
        "plate": result.plate,
        "at": timezone.localtime(result.at),
        "permit": result.permit.pk if result.permit else None,
        "open_until": result.open_until,
        "next_opening": result.next_opening,
        "event": result.event.pk if result.event else None,
    }


# One endpoint per action of the permit's action table (gongzhi.sharing.workflow).
object_action_routes(
    router,
    PERMITS,
    path="/sharing/permits/{permit_id}",
    path_param=("permit_id", Path(..., ge=1, le=s.MAX_ID)),
    queryset=lambda: Permit.objects.active().select_related("resource"),
    answer=lambda user, pk: _permit_out(user, Permit.objects.select_related("resource").get(pk=pk)),
    response={200: PermitOut, **WRITE_ERRORS},
    module=__name__,
)

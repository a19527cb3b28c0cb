"""The service network's menu, events, registrations and volunteers (gongzhi.servicecentre).

Thin: permissions through gongzhi.core.permissions, reads through gongzhi.servicecentre.selectors,
writes through gongzhi.servicecentre.services (the same calls as the pages). Registering and
cancelling are idempotent by themselves (registering again returns the same registration with
200, cancelling again changes nothing); an Idempotency-Key replays the first answer as
everywhere in the API. Menu and order actions come from their action tables
(`action_routes`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic_core import to_jsonable_python

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed
from gongzhi.servicecentre import selectors, services
from gongzhi.servicecentre.models import (
    Event,
    Menu,
    Order,
    Registration,
    Shift,
    ShiftSignup,
    Volunteer,
)
from gongzhi.servicecentre.workflow import MENUS, ORDERS

from . import schemas as s
from .actions import object_action_routes
from .errors import ErrorOut
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset, page

router = Router(tags=["service network"])

READ_ERRORS: dict[Any, Any] = {frozenset({401, 403, 404, 422, 429}): ErrorOut}
WRITE_ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 413, 422, 429}): ErrorOut}
MenuId = Path(..., ge=1, le=s.MAX_ID)
OrderId = Path(..., ge=1, le=s.MAX_ID)
EventId = Path(..., ge=1, le=s.MAX_ID)
RegistrationId = Path(..., ge=1, le=s.MAX_ID)


def _iso(value: dt.datetime | None) -> str | None:
    return to_jsonable_python(timezone.localtime(value)) if value is not None else None


# --- schemas --------------------------------------------------------------------------------------


class ServicePageQuery(s.InputSchema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ServiceMenuItemOut(Schema):
    id: int
    item_id: int
    title: str
    kind: str
    programme: str | None
    provider: str
    audience: str
    minutes: int
    capacity: int
    materials: str


class ServiceMenuOut(Schema):
    id: int
    month: str
    state: str
    published_at: str | None
    items: list[ServiceMenuItemOut]


class ServiceMenuPage(s.PageMeta):
    results: list[ServiceMenuOut]


class ServiceOrderIn(s.InputSchema):
    menu_item: int = Field(..., ge=1, le=s.MAX_ID)
    station: int = Field(..., ge=1, le=s.MAX_ID)
    proposed_on: dt.date
    starts_at: dt.time
    alternative_on: dt.date | None = None
    expected: int = Field(20, ge=1, le=1000)
    note: str = Field("", max_length=500)


class ServiceOrderOut(Schema):
    id: int
    menu_id: int
    menu_item: int
    title: str
    station: s.Ref
    proposed_on: dt.date
    alternative_on: dt.date | None
    starts_at: str
    expected: int
    state: str
    event_id: int | None


class ServiceOrderPage(s.PageMeta):
    results: list[ServiceOrderOut]


class ServiceEventOut(Schema):
    id: int
    title: str
    programme: str | None
    point: s.Ref
    room: str | None
    starts_at: str
    ends_at: str
    capacity: int
    taken: int
    waiting: int
    state: str


class ServiceEventPage(s.PageMeta):
    results: list[ServiceEventOut]


class ServiceRegisterIn(s.InputSchema):
    name: str = Field("", max_length=50)
    mobile: str = Field("", max_length=20)


class ServiceRegistrationOut(Schema):
    id: int
    event_id: int
    state: str
    name: str
    mobile: str = Field(..., description="Masked.")
    code: str | None = Field(None, description="The check-in code: for its own person only.")
    created: bool = False
    promoted_at: str | None
    checked_in_at: str | None


class ServiceRegistrationPage(s.PageMeta):
    results: list[ServiceRegistrationOut]


class ServiceCheckInIn(s.InputSchema):
    code: str = Field(..., min_length=1, max_length=20)


class ServiceCancelIn(s.InputSchema):
    note: str = Field("", max_length=2000)


class ServiceVolunteerIn(s.InputSchema):
    skills: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)
    from_event: int | None = Field(None, ge=1, le=s.MAX_ID)


class ServiceVolunteerOut(Schema):
    id: int
    name: str
    skills: str
    availability: str
    residential_area: s.Ref | None
    hours: str
    points: int
    created: bool = False


class ServiceVolunteerPage(s.PageMeta):
    results: list[ServiceVolunteerOut]


# --- outputs ------------------------------------------------------------------------------------


def _menu_out(menu: Menu) -> dict[str, Any]:
    return {
        "id": menu.pk,
        "month": f"{menu.month:%Y-%m}",
        "state": menu.state,
        "published_at": _iso(menu.published_at),
        "items": [
            {
                "id": mi.pk,
                "item_id": mi.item_id,
                "title": mi.item.title,
                "kind": mi.item.kind,
                "programme": mi.item.programme.name if mi.item.programme else None,
                "provider": mi.item.provider_label,
                "audience": mi.item.audience,
                "minutes": mi.item.minutes,
                "capacity": mi.item.capacity,
                "materials": mi.item.materials,
            }
            for mi in menu.items.active().select_related(
                "item__programme", "item__provider_org", "item__provider_person"
            )
        ],
    }


def _order_out(o: Order) -> dict[str, Any]:
    event = Event.objects.filter(order=o).values_list("pk", flat=True).first()
    return {
        "id": o.pk,
        "menu_id": o.menu_item.menu_id,
        "menu_item": o.menu_item_id,
        "title": o.menu_item.item.title,
        "station": {"id": o.station_id, "name": str(o.station)},
        "proposed_on": o.proposed_on,
        "alternative_on": o.alternative_on,
        "starts_at": f"{o.starts_at:%H:%M}",
        "expected": o.expected,
        "state": o.state,
        "event_id": event,
    }


def _event_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "title": e.title,
        "programme": e.item.programme.name if e.item.programme else None,
        "point": {"id": e.point_id, "name": str(e.point)},
        "room": e.room.name if e.room else None,
        "starts_at": _iso(e.starts_at),
        "ends_at": _iso(e.ends_at),
        "capacity": e.capacity,
        "taken": getattr(e, "taken", None) if hasattr(e, "taken") else selectors.seats_taken(e),
        "waiting": getattr(e, "waiting", 0),
        "state": e.state,
    }


def _registration_out(user: Any, r: Registration, *, created: bool = False) -> dict[str, Any]:
    own = r.user_id == getattr(user, "pk", None)
    return {
        "id": r.pk,
        "event_id": r.event_id,
        "state": r.state,
        "name": r.name,
        "mobile": r.mobile_masked,
        "code": r.code if own and r.state != Registration.State.CANCELLED else None,
        "created": created,
        "promoted_at": _iso(r.promoted_at),
        "checked_in_at": _iso(r.checked_in_at),
    }


def _volunteer_out(v: Volunteer, *, created: bool = False) -> dict[str, Any]:
    area = v.residential_area
    return {
        "id": v.pk,
        "name": v.name,
        "skills": v.skills,
        "availability": v.availability,
        "residential_area": {"id": area.pk, "name": area.name} if area else None,
        "hours": str(selectors.hours(v)),
        "points": selectors.balance(v),
        "created": created,
    }


# --- menus and orders -----------------------------------------------------------------------------


@router.get(
    "/service/menus", response={200: ServiceMenuPage, **READ_ERRORS}, url_name="service_menu_list"
)
def menu_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """The monthly menus this user may see (published ones; drafts for the centre), newest first."""
    user = request.auth  # type: ignore[attr-defined]
    qs = perms.visible(user, Menu.objects.active())
    return page(qs, ("-month", "-id"), filters, _menu_out, key="results")


@router.get(
    "/service/menus/{menu_id}",
    response={200: ServiceMenuOut, **READ_ERRORS},
    url_name="service_menu",
)
def menu_detail(request: HttpRequest, menu_id: int = MenuId) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return _menu_out(perms.get_visible_or_404(user, Menu.objects.active(), pk=menu_id))


object_action_routes(
    router,
    MENUS,
    path="/service/menus/{menu_id}",
    path_param=("menu_id", MenuId),
    queryset=Menu.objects.active,
    answer=lambda user, pk: _menu_out(Menu.objects.get(pk=pk)),
    response={200: ServiceMenuOut, **WRITE_ERRORS},
    module=__name__,
)


@router.post(
    "/service/orders",
    response={201: ServiceOrderOut, **WRITE_ERRORS},
    url_name="service_order_place",
)
def order_place(request: HttpRequest, payload: ServiceOrderIn) -> Any:
    """A station orders an item of a published menu (点单) for a date it proposes: for its own
    station only."""
    user = request.auth  # type: ignore[attr-defined]
    order = services.order_place(
        actor=user,
        menu_item=payload.menu_item,
        station=payload.station,
        proposed_on=payload.proposed_on,
        starts_at=payload.starts_at,
        alternative_on=payload.alternative_on,
        expected=payload.expected,
        note=payload.note,
    )
    return Status(201, _order_out(order))


@router.get(
    "/service/orders",
    response={200: ServiceOrderPage, **READ_ERRORS},
    url_name="service_order_list",
)
def order_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """Orders this user may see: a station its own, the centre all."""
    user = request.auth  # type: ignore[attr-defined]
    qs = perms.visible(user, Order.objects.active()).select_related(
        "menu_item__item", "station__organisation"
    )
    return page(qs, ("-id",), filters, _order_out, key="results")


object_action_routes(
    router,
    ORDERS,
    path="/service/orders/{order_id}",
    path_param=("order_id", OrderId),
    queryset=Order.objects.active,
    answer=lambda user, pk: _order_out(
        Order.objects.select_related("menu_item__item", "station__organisation").get(pk=pk)
    ),
    response={200: ServiceOrderOut, **WRITE_ERRORS},
    module=__name__,
)


# --- events and registrations -------------------------------------------------------------------


@router.get(
    "/service/events",
    response={200: ServiceEventPage, **READ_ERRORS},
    url_name="service_event_list",
)
def event_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """Events open for registration that have not ended, soonest first."""
    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.events_with_counts(
        perms.visible(user, Event.objects.active()).filter(
            state=Event.State.OPEN, ends_at__gte=timezone.now()
        )
    )
    return page(qs, ("starts_at", "id"), filters, _event_out, key="results")


@router.get(
    "/service/events/{event_id}",
    response={200: ServiceEventOut, **READ_ERRORS},
    url_name="service_event",
)
def event_detail(request: HttpRequest, event_id: int = EventId) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    qs = selectors.events_with_counts(perms.visible(user, Event.objects.active()))
    return _event_out(perms.get_visible_or_404(user, qs, pk=event_id))


@router.post(
    "/service/events/{event_id}/registrations",
    response={200: ServiceRegistrationOut, 201: ServiceRegistrationOut, **WRITE_ERRORS},
    url_name="service_register",
)
def register(request: HttpRequest, payload: ServiceRegisterIn, event_id: int = EventId) -> Any:
    """Register yourself: a seat while there is one, else the waiting list. Registering again
    returns your registration (200, `created: false`)."""
    user = request.auth  # type: ignore[attr-defined]
    event = perms.get_visible_or_404(user, Event.objects.active(), pk=event_id)
    reg, created = services.register(
        actor=user, event=event, name=payload.name, mobile=payload.mobile
    )
    return Status(201 if created else 200, _registration_out(user, reg, created=created))


@router.get(
    "/service/registrations",
    response={200: ServiceRegistrationPage, **READ_ERRORS},
    url_name="service_registration_list",
)
def registration_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """Your own registrations (staff: those of the events they run), newest first."""
    user = request.auth  # type: ignore[attr-defined]
    qs = perms.visible(user, Registration.objects.all())
    return page(qs, ("-id",), filters, lambda r: _registration_out(user, r), key="results")


@router.post(
    "/service/registrations/{registration_id}/cancel",
    response={200: ServiceRegistrationOut, **WRITE_ERRORS},
    url_name="service_cancel",
)
def cancel(
    request: HttpRequest, payload: ServiceCancelIn, registration_id: int = RegistrationId
) -> Any:
    """Cancel a registration; the first on the waiting list moves up. Cancelling again changes
    nothing."""
    user = request.auth  # type: ignore[attr-defined]
    reg = perms.get_visible_or_404(user, Registration.objects.all(), pk=registration_id)
    reg = services.cancel_registration(actor=user, registration=reg, note=payload.note)
    return _registration_out(user, reg)


@router.post(
    "/service/events/{event_id}/check-in",
    response={200: ServiceRegistrationOut, **WRITE_ERRORS},
    url_name="service_check_in",
)
def check_in(request: HttpRequest, payload: ServiceCheckInIn, event_id: int = EventId) -> Any:
    """Staff check a registration in by its code: once, at its own event only."""
    user = request.auth  # type: ignore[attr-defined]
    event = perms.get_visible_or_404(user, Event.objects.active(), pk=event_id)
    if not perms.can(user, "check_in", event):
        raise NotAllowed()
    reg = services.check_in(actor=user, event=event, code=payload.code)
    return _registration_out(user, reg)


# --- volunteers ------------------------------------------------------------------------------------


@router.get(
    "/service/volunteers",
    response={200: ServiceVolunteerPage, **READ_ERRORS},
    url_name="service_volunteer_list",
)
def volunteer_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """Volunteers with their confirmed hours and points (staff: all; others: themselves)."""
    user = request.auth  # type: ignore[attr-defined]
    qs = perms.visible(user, Volunteer.objects.active()).select_related("residential_area")
    return page(qs, ("id",), filters, _volunteer_out, key="results")


@router.post(
    "/service/volunteers",
    response={200: ServiceVolunteerOut, 201: ServiceVolunteerOut, **WRITE_ERRORS},
    url_name="service_volunteer_join",
)
def volunteer_join(request: HttpRequest, payload: ServiceVolunteerIn) -> Any:
    """Become a volunteer in one step (after an event: `from_event`). Joining again returns the
    profile (200)."""
    user = request.auth  # type: ignore[attr-defined]
    vol, created = services.volunteer_join(
        actor=user,
        skills=payload.skills,
        availability=payload.availability,
        from_event=payload.from_event,
    )
    return Status(201 if created else 200, _volunteer_out(vol, created=created))


# --- shifts ------------------------------------------------------------------------------------------

ShiftId = Path(..., ge=1, le=s.MAX_ID)


class ServiceShiftOut(Schema):
    id: int
    opportunity: str
    place: str
    starts_at: str
    ends_at: str
    needed: int
    taken: int


class ServiceShiftPage(s.PageMeta):
    results: list[ServiceShiftOut]


class ServiceSignupOut(Schema):
    id: int
    shift_id: int
    state: str
    hours: str | None
    created: bool = False


@router.get(
    "/service/shifts",
    response={200: ServiceShiftPage, **READ_ERRORS},
    url_name="service_shift_list",
)
def shift_list(request: HttpRequest, filters: Query[ServicePageQuery]) -> Any:
    """Volunteer shifts that have not started, soonest first, with how many have signed up."""
    user = request.auth  # type: ignore[attr-defined]
    qs = (
        perms.visible(user, Shift.objects.active())
        .filter(starts_at__gt=timezone.now())
        .select_related("opportunity__organiser__organisation")
        .annotate(taken=Count("signups", filter=~Q(signups__state=ShiftSignup.State.CANCELLED)))
    )
    rows, nxt = keyset(qs, ("starts_at", "id"), cursor=filters.cursor, limit=filters.limit)
    return {
        "results": [
            {
                "id": sh.pk,
                "opportunity": sh.opportunity.title,
                "place": sh.opportunity.place or str(sh.opportunity.organiser),
                "starts_at": _iso(sh.starts_at),
                "ends_at": _iso(sh.ends_at),
                "needed": sh.needed,
                "taken": sh.taken,
            }
            for sh in rows
        ],
        "next_cursor": nxt,
    }


@router.post(
    "/service/shifts/{shift_id}/signups",
    response={200: ServiceSignupOut, 201: ServiceSignupOut, **WRITE_ERRORS},
    url_name="service_shift_sign_up",
)
def shift_sign_up(request: HttpRequest, shift_id: int = ShiftId) -> Any:
    """Sign yourself up (a volunteer) for a shift while it has room. Signing up again returns
    your sign-up (200)."""
    user = request.auth  # type: ignore[attr-defined]
    shift = perms.get_visible_or_404(user, Shift.objects.active(), pk=shift_id)
    su, created = services.shift_sign_up(actor=user, shift=shift)
    out = {
        "id": su.pk,
        "shift_id": su.shift_id,
        "state": su.state,
        "hours": None,
        "created": created,
    }
    return Status(201 if created else 200, out)

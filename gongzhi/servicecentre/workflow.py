"""The life cycles of the service network, as action tables run by the workflow kernel.

    menu:          draft → published                                   (centre)
    order (点单):   ordered → scheduled (派单) | declined                (centre)
                   ordered → withdrawn                                 (its station)
    registration:  registered | waitlisted → cancelled                 (the person, event staff)
                   waitlisted → registered (moved up, by the system)
                   registered → attended (check-in)                    (event staff)
    shift sign-up: signed_up → checked_in → checked_out → confirmed    (volunteer, organiser)
                   signed_up → cancelled

Each table's `run()` is the only way its objects change state; services.py wraps them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit import services as audit
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import ANY, Kind, Notice, Param, Step, Workflow, action, recorder

from . import selectors
from .models import (
    Event,
    Menu,
    Order,
    PointsEntry,
    Registration,
    Room,
    ServiceLog,
    ServicePoint,
    ShiftSignup,
)
from .staff import is_centre_staff, point_ids

CENTRE, STATION, SELF, EVENT_STAFF, VOLUNTEER, ORGANISER = (
    "centre",
    "station",
    "self",
    "event_staff",
    "volunteer",
    "organiser",
)


def _centre(access: Access, obj: Any) -> bool:
    return is_centre_staff(access)


def _station(access: Access, order: Any) -> bool:
    return order.station_id in point_ids(access)


def _self(access: Access, reg: Any) -> bool:
    return access.user_id is not None and reg.user_id == access.user_id


def _event_staff(access: Access, reg: Any) -> bool:
    if is_centre_staff(access):
        return True
    return Event.objects.filter(pk=reg.event_id, point_id__in=point_ids(access)).exists()


def _volunteer(access: Access, signup: Any) -> bool:
    return access.user_id is not None and signup.volunteer.user_id == access.user_id


def _organiser(access: Access, signup: Any) -> bool:
    if is_centre_staff(access):
        return True
    return signup.shift.opportunity.organiser_id in point_ids(access)


SCOPES = {
    CENTRE: _centre,
    STATION: _station,
    SELF: _self,
    EVENT_STAFF: _event_staff,
    VOLUNTEER: _volunteer,
    ORGANISER: _organiser,
}

# Audiences of notices (servicecentre/notices.py reaches them).
REGISTRANT = "registrant"
STATION_STAFF = "station_staff"


def _subject(obj: Any) -> dict[str, Any]:
    return {"subject": obj._meta.model_name, "subject_id": obj.pk}


# One row of an object's timeline.
record = recorder(ServiceLog, _subject)


# --- Menus --------------------------------------------------------------------------------------


def _prepare_publish(step: Step) -> None:
    if not step.obj.items.active().exists():
        raise ServiceError(_("A menu without items cannot be published; add items first."))


def _publish(step: Step) -> dict[str, Any]:
    step.obj.published_at = step.at
    return {"month": step.obj.month}


MENU_ACTIONS = (
    action(
        "publish",
        gettext_lazy("Publish"),
        [Menu.State.DRAFT],
        Menu.State.PUBLISHED,
        {Role.SERVICE_STAFF: CENTRE, Role.ADMIN: ANY},
        prepare=_prepare_publish,
        effect=_publish,
        notices=(Notice(STATION_STAFF, "menu_published", note=False),),
        summary="Publish a month's menu to the stations.",
    ),
)

MENUS: Workflow[Menu] = Workflow(
    domain="menu", model=Menu, actions=MENU_ACTIONS, scopes=SCOPES, record=record
)


# --- Orders (点单 → 派单) -------------------------------------------------------------------------


def _parse_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        result = value
    else:
        try:
            result = dt.datetime.fromisoformat(str(value or "").strip())
        except ValueError as exc:
            raise ServiceError(
                _("Give the date and time as YYYY-MM-DD HH:MM."),
                field_errors={field: [_("Enter a valid date/time.")]},
            ) from exc
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def _room(value: Any) -> Room | None:
    if value in (None, ""):
        return None
    if isinstance(value, Room):
        return value
    try:
        return Room.objects.active().get(pk=int(value))
    except (Room.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError(
            _("There is no such room."), field_errors={"room": [_("Choose a room from the list.")]}
        ) from exc


def _prepare_schedule(step: Step) -> None:
    order: Order = step.obj
    p = step.params
    if p.get("starts_at") in (None, ""):
        starts = timezone.make_aware(dt.datetime.combine(order.proposed_on, order.starts_at))
    else:
        starts = _parse_datetime(p.get("starts_at"), "starts_at")
    item = order.menu_item.item
    ends = starts + dt.timedelta(minutes=item.minutes)
    room = _room(p.get("room"))
    month = order.menu_item.menu.month
    local = timezone.localtime(starts).date()
    if (local.year, local.month) != (month.year, month.month):
        raise ServiceError(
            _("The date must fall in the menu's month (%(month)s).") % {"month": f"{month:%Y-%m}"},
            field_errors={"starts_at": [_("Choose a date in the menu's month.")]},
        )
    centre = _centre_point_id(order.station.organisation.subdistrict_id)
    if room is not None and room.point_id not in (order.station_id, centre):
        raise ServiceError(
            _("The room must be at the ordering station or at the centre."),
            field_errors={"room": [_("Choose another room.")]},
        )
    # One scheduler at a time (the centre's row is the lock, on SQLite too): two orders
    # scheduled at once cannot both pass the clash check.
    ServicePoint.objects.filter(kind=ServicePoint.Kind.CENTRE).update(
        opening_hours=F("opening_hours")
    )
    clashes = selectors.clashes(item=item, starts_at=starts, ends_at=ends, room=room)
    if clashes:
        raise ServiceError(
            _("This delivery clashes: %(reasons)s")
            % {"reasons": "; ".join(c.reason for c in clashes)},
            code="clash",
            field_errors={"starts_at": [c.reason for c in clashes]},
        )
    capacity = p.get("capacity")
    if capacity in (None, ""):
        capacity = min(item.capacity, room.seats) if room else item.capacity
    try:
        capacity = int(capacity)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("The capacity must be a whole number."),
            field_errors={"capacity": [_("Enter a whole number.")]},
        ) from exc
    if capacity < 1 or (room is not None and capacity > room.seats):
        raise ServiceError(
            _("The capacity must be at least 1 and no more than the room's seats."),
            field_errors={"capacity": [_("Enter a smaller number.")]},
        )
    step.found.update(starts_at=starts, ends_at=ends, room=room, capacity=capacity)


def _centre_point_id(subdistrict_id: int | None) -> int | None:
    """The centre of the ordering station's subdistrict."""
    return selectors.centre_point_id(subdistrict_id)


def _after_schedule(step: Step) -> None:
    order: Order = step.obj
    f = step.found
    item = order.menu_item.item
    event = audit.create(
        actor=step.actor,
        model=Event,
        order=order,
        item=item,
        point_id=order.station_id,
        room=f["room"],
        title=item.title,
        description=item.description,
        starts_at=f["starts_at"],
        ends_at=f["ends_at"],
        capacity=f["capacity"],
    )
    step.found["event"] = event
    step.data["event"] = event.pk


ORDER_ACTIONS = (
    action(
        "schedule",
        gettext_lazy("Schedule"),
        [Order.State.ORDERED],
        Order.State.SCHEDULED,
        {Role.SERVICE_STAFF: CENTRE, Role.ADMIN: ANY},
        params=(
            Param("starts_at", Kind.DATETIME, gettext_lazy("Starts at")),
            Param(
                "room",
                Kind.REFERENCE,
                gettext_lazy("Room"),
                queryset=lambda: Room.objects.active().select_related("point__organisation"),
                empty_label=gettext_lazy("No room (on site)"),
            ),
            Param("capacity", Kind.INTEGER, gettext_lazy("Capacity"), min_value=1),
        ),
        prepare=_prepare_schedule,
        after=_after_schedule,
        notices=(Notice(STATION_STAFF, "order_scheduled", note=False),),
        summary="Schedule an order: it becomes an event (clashes are refused).",
    ),
    action(
        "decline",
        gettext_lazy("Decline"),
        [Order.State.ORDERED],
        Order.State.DECLINED,
        {Role.SERVICE_STAFF: CENTRE, Role.ADMIN: ANY},
        note_required=True,
        note_label=gettext_lazy("Reason"),
        notices=(Notice(STATION_STAFF, "order_declined"),),
        summary="Decline an order, with the reason.",
    ),
    action(
        "withdraw",
        gettext_lazy("Withdraw"),
        [Order.State.ORDERED],
        Order.State.WITHDRAWN,
        {Role.SERVICE_STAFF: STATION, Role.ADMIN: ANY},
        summary="The station withdraws its order before it is scheduled.",
    ),
)

ORDERS: Workflow[Order] = Workflow(
    domain="order", model=Order, actions=ORDER_ACTIONS, scopes=SCOPES, record=record
)


# --- Registrations -----------------------------------------------------------------------------

R = Registration.State


def _cancel(step: Step) -> None:
    step.obj.cancelled_at = step.at


def _promote(step: Step) -> None:
    step.obj.promoted_at = step.at


def _check_in(step: Step) -> None:
    step.obj.checked_in_at = step.at


REGISTRATION_ACTIONS = (
    action(
        "cancel",
        gettext_lazy("Cancel registration"),
        [R.REGISTERED, R.WAITLISTED],
        R.CANCELLED,
        {Role.RESIDENT: SELF, Role.SERVICE_STAFF: EVENT_STAFF, Role.ADMIN: ANY},
        effect=_cancel,
        summary="Cancel a registration; the first on the waiting list moves up.",
    ),
    action(
        "promote",
        gettext_lazy("Move up from the waiting list"),
        [R.WAITLISTED],
        R.REGISTERED,
        {Role.ADMIN: ANY},
        effect=_promote,
        notices=(Notice(REGISTRANT, "registration_promoted", note=False),),
    ),
    action(
        "check_in",
        gettext_lazy("Check in"),
        [R.REGISTERED],
        R.ATTENDED,
        {Role.SERVICE_STAFF: EVENT_STAFF, Role.ADMIN: ANY},
        effect=_check_in,
        summary="Check a registration in (its code, typed or scanned).",
    ),
)

REGISTRATIONS: Workflow[Registration] = Workflow(
    domain="registration",
    model=Registration,
    actions=REGISTRATION_ACTIONS,
    scopes=SCOPES,
    record=record,
)


# --- Shift sign-ups ----------------------------------------------------------------------------

SU = ShiftSignup.State
MAX_HOURS = Decimal("24")


def _signup_check_in(step: Step) -> None:
    step.obj.checked_in_at = step.at


def _signup_check_out(step: Step) -> None:
    step.obj.checked_out_at = step.at


def _hours_worked(signup: ShiftSignup) -> Decimal:
    if signup.checked_in_at and signup.checked_out_at:
        seconds = (signup.checked_out_at - signup.checked_in_at).total_seconds()
        return max(Decimal("0.25"), Decimal(seconds / 3600).quantize(Decimal("0.25")))
    shift = signup.shift
    return Decimal((shift.ends_at - shift.starts_at).total_seconds() / 3600).quantize(
        Decimal("0.25")
    )


def _prepare_confirm(step: Step) -> None:
    raw = step.params.get("hours")
    if raw in (None, ""):
        hours = _hours_worked(step.obj)
    else:
        try:
            hours = Decimal(str(raw)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as exc:
            raise ServiceError(
                _("The hours must be a number."), field_errors={"hours": [_("Enter a number.")]}
            ) from exc
    if hours <= 0 or hours > MAX_HOURS:
        raise ServiceError(
            _("The hours must be more than 0 and at most 24."),
            field_errors={"hours": [_("Enter a number between 0 and 24.")]},
        )
    step.found["hours"] = hours


def _confirm(step: Step) -> dict[str, Any]:
    step.obj.hours = step.found["hours"]
    step.obj.confirmed_by_id = getattr(step.actor, "pk", None)
    return {"hours": step.found["hours"]}


def _after_confirm(step: Step) -> None:
    signup: ShiftSignup = step.obj
    rate = signup.shift.opportunity.points_per_hour
    amount = int((signup.hours or 0) * rate)
    if amount:
        PointsEntry.objects.create(
            volunteer_id=signup.volunteer_id,
            kind=PointsEntry.Kind.HOURS,
            amount=amount,
            signup=signup,
            reason=str(signup.shift)[:200],
            at=step.at,
            by=step.actor if getattr(step.actor, "is_authenticated", False) else None,
        )
        step.data["points"] = amount


SIGNUP_ACTIONS = (
    action(
        "check_in",
        gettext_lazy("Check in"),
        [SU.SIGNED_UP],
        SU.CHECKED_IN,
        {Role.RESIDENT: VOLUNTEER, Role.SERVICE_STAFF: ORGANISER, Role.ADMIN: ANY},
        effect=_signup_check_in,
    ),
    action(
        "check_out",
        gettext_lazy("Check out"),
        [SU.CHECKED_IN],
        SU.CHECKED_OUT,
        {Role.RESIDENT: VOLUNTEER, Role.SERVICE_STAFF: ORGANISER, Role.ADMIN: ANY},
        effect=_signup_check_out,
    ),
    action(
        "confirm",
        gettext_lazy("Confirm hours"),
        [SU.CHECKED_OUT, SU.CHECKED_IN],
        SU.CONFIRMED,
        {Role.SERVICE_STAFF: ORGANISER, Role.ADMIN: ANY},
        params=(
            Param(
                "hours",
                Kind.DECIMAL,
                gettext_lazy("Hours"),
                min_value=Decimal("0.25"),
                max_value=MAX_HOURS,
                decimal_places=2,
                help=gettext_lazy("Empty: the time between check-in and check-out."),
            ),
        ),
        prepare=_prepare_confirm,
        effect=_confirm,
        after=_after_confirm,
    ),
    action(
        "cancel",
        gettext_lazy("Cancel sign-up"),
        [SU.SIGNED_UP],
        SU.CANCELLED,
        {Role.RESIDENT: VOLUNTEER, Role.SERVICE_STAFF: ORGANISER, Role.ADMIN: ANY},
    ),
)

SIGNUPS: Workflow[ShiftSignup] = Workflow(
    domain="signup", model=ShiftSignup, actions=SIGNUP_ACTIONS, scopes=SCOPES, record=record
)

WORKFLOWS: dict[str, Workflow[Any]] = {
    "menu": MENUS,
    "order": ORDERS,
    "registration": REGISTRATIONS,
    "signup": SIGNUPS,
}

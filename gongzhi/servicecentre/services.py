"""Every write of the service network: typed, keyword-only functions, one transaction each,
audited, refusing bad input with a `ServiceError` in the user's language before anything is
written. Views, the API, the seed stage and the tasks all call these.

Seats: every change of who holds a seat of an event (register, cancel, move up) first takes the
event's lock (`_lock_event`: an UPDATE of its row, then `select_for_update`), so on PostgreSQL
two people cancelling at once are served one after the other and the first on the waiting list
moves up exactly once; SQLite serialises the writers the same way through the UPDATE.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import events
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.core.text import clean_text
from gongzhi.places.subdistricts import refuse_other_subdistrict, require_reach, subdistrict_for
from gongzhi.worktime.calendar import get_calendar

from . import selectors
from .models import (
    CatalogueItem,
    Event,
    EventPhoto,
    Feedback,
    Menu,
    MenuItem,
    Opportunity,
    Order,
    PointsEntry,
    Registration,
    Shift,
    ShiftSignup,
    Volunteer,
)
from .staff import is_centre_staff, point_ids
from .workflow import MENUS, ORDERS, REGISTRATIONS, SIGNUPS

R = Registration.State
MAX_SHIFTS = 400


def _pk(value: Any) -> Any:
    """The id of an object or the id itself."""
    return getattr(value, "pk", value)


def _require_centre(actor: Any) -> None:
    if not is_centre_staff(access_for(actor)):
        raise NotAllowed(_("Only the service centre's staff may do this."))


def _clean(value: Any, *, max_length: int, field: str, required: bool = False) -> str:
    return clean_text(
        value,
        field=field,
        max_length=max_length,
        required=required,
        missing=_("Please fill in this field."),
    )


# --- Menus ---------------------------------------------------------------------------------------


def first_of_month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError) as exc:
        raise ServiceError(
            _("Give the month as YYYY-MM."), field_errors={"month": [_("Enter a valid month.")]}
        ) from exc


@transaction.atomic
def menu_create(*, actor: Any, month: Any, note: str = "") -> Menu:
    _require_centre(actor)
    first = first_of_month(month)
    # The menu of the centre's subdistrict (of the installation's, for the district level).
    subdistrict_id = subdistrict_for(actor)
    if Menu.objects.active().filter(subdistrict_id=subdistrict_id, month=first).exists():
        raise ServiceError(
            _("There is already a menu for %(month)s.") % {"month": f"{first:%Y-%m}"},
            field_errors={"month": [_("Choose another month.")]},
        )
    return audit.create(
        actor=actor, model=Menu, month=first, note=note[:2000], subdistrict_id=subdistrict_id
    )


@transaction.atomic
def menu_add_item(*, actor: Any, menu: Menu, item: CatalogueItem | int, note: str = "") -> MenuItem:
    _require_centre(actor)
    if menu.state != Menu.State.DRAFT:
        raise ServiceError(_("A published menu cannot be changed."))
    item_id = item if isinstance(item, int) else item.pk
    if not CatalogueItem.objects.active().filter(pk=item_id).exists():
        raise ServiceError(
            _("There is no such catalogue item."), field_errors={"item": [_("Choose an item.")]}
        )
    if menu.items.active().filter(item_id=item_id).exists():
        raise ServiceError(
            _("This item is on the menu already."),
            field_errors={"item": [_("Choose another item.")]},
        )
    return audit.create(actor=actor, model=MenuItem, menu=menu, item_id=item_id, note=note[:200])


def menu_publish(*, actor: Any, menu: Menu | int, expected_state: str | None = None) -> Menu:
    step = MENUS.run(actor=actor, obj=menu, action="publish", expected_state=expected_state)
    return step.obj


# --- Orders --------------------------------------------------------------------------------------


def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ServiceError(
                _("Please give a date."), field_errors={field: [_("This field is required.")]}
            )
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ServiceError(
            _("Give the date as YYYY-MM-DD."), field_errors={field: [_("Enter a valid date.")]}
        ) from exc


def _time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value or "").strip())
    except ValueError as exc:
        raise ServiceError(
            _("Give the time as HH:MM."), field_errors={field: [_("Enter a valid time.")]}
        ) from exc


@transaction.atomic
def order_place(
    *,
    actor: Any,
    menu_item: MenuItem | int,
    station: Any,
    proposed_on: Any,
    starts_at: Any,
    alternative_on: Any = None,
    expected: Any = 20,
    note: str = "",
) -> Order:
    """A station orders a menu item (点单) for a date it proposes."""
    access = access_for(actor)
    station_id = _pk(station)
    try:
        station_id = int(station_id)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("Choose the ordering station."), field_errors={"station": [_("Choose a station.")]}
        ) from exc
    if station_id not in point_ids(access) and not is_centre_staff(access):
        raise NotAllowed(_("You may order for your own station only."))
    mi_id = _pk(menu_item)
    mi = (
        MenuItem.objects.active()
        .select_related("menu", "item")
        .filter(pk=mi_id, menu__archived_at__isnull=True)
        .first()
    )
    if mi is None:
        raise ServiceError(
            _("There is no such menu item."), field_errors={"menu_item": [_("Choose an item.")]}
        )
    if mi.menu.state != Menu.State.PUBLISHED:
        raise ServiceError(_("Items can be ordered once the menu is published."))
    day = _date(proposed_on, "proposed_on")
    alt = _date(alternative_on, "alternative_on", required=False)
    start = _time(starts_at, "starts_at")
    for d, field in ((day, "proposed_on"), (alt, "alternative_on")):
        if d is None:
            continue
        if (d.year, d.month) != (mi.menu.month.year, mi.menu.month.month):
            raise ServiceError(
                _("The date must fall in the menu's month (%(month)s).")
                % {"month": f"{mi.menu.month:%Y-%m}"},
                field_errors={field: [_("Choose a date in the menu's month.")]},
            )
        if d < timezone.localdate():
            raise ServiceError(
                _("The date has passed."), field_errors={field: [_("Choose a later date.")]}
            )
    try:
        count = int(expected)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("The number of participants must be a whole number."),
            field_errors={"expected": [_("Enter a whole number.")]},
        ) from exc
    if not 1 <= count <= 1000:
        raise ServiceError(
            _("The number of participants must be between 1 and 1000."),
            field_errors={"expected": [_("Enter a number between 1 and 1000.")]},
        )
    from .models import ServicePoint

    point = (
        ServicePoint.objects.active().select_related("organisation").filter(pk=station_id).first()
    )
    if point is None or point.is_centre:
        raise ServiceError(
            _("Only a service station orders from the menu."),
            field_errors={"station": [_("Choose a station.")]},
        )
    require_reach(actor, point.organisation.subdistrict_id)
    refuse_other_subdistrict(mi.menu.subdistrict_id, [point.organisation], field="station")
    if (
        Order.objects.active()
        .filter(
            menu_item=mi,
            station=point,
            proposed_on=day,
            state__in=[Order.State.ORDERED, Order.State.SCHEDULED],
        )
        .exists()
    ):
        raise ServiceError(_("Your station has ordered this item for this date already."))
    try:
        with transaction.atomic():
            order = audit.create(
                actor=actor,
                model=Order,
                menu_item=mi,
                station=point,
                proposed_on=day,
                alternative_on=alt,
                starts_at=start,
                expected=count,
                note=_clean(note, max_length=500, field="note"),
                ordered_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise ServiceError(_("Your station has ordered this item for this date already.")) from exc
    events.publish("order.placed", actor=actor, order_id=order.pk, station_id=point.pk)
    return order


def order_schedule(
    *,
    actor: Any,
    order: Order | int,
    starts_at: Any = None,
    room: Any = None,
    capacity: Any = None,
    expected_state: str | None = None,
) -> Event:
    """The centre schedules an order (派单); refused with the reasons when it clashes."""
    step = ORDERS.run(
        actor=actor,
        obj=order,
        action="schedule",
        params={"starts_at": starts_at, "room": room, "capacity": capacity},
        expected_state=expected_state,
    )
    return step.found["event"]


def order_decline(*, actor: Any, order: Order | int, note: str) -> Order:
    return ORDERS.run(actor=actor, obj=order, action="decline", note=note).obj


def order_withdraw(*, actor: Any, order: Order | int, note: str = "") -> Order:
    return ORDERS.run(actor=actor, obj=order, action="withdraw", note=note).obj


# --- Registrations -------------------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    """The event's lock for seat changes: the UPDATE takes the write lock on SQLite and the row
    lock on PostgreSQL; the read after it sees every change committed before."""
    Event.objects.filter(pk=event_id).update(seats_version=F("seats_version") + 1)
    return Event.objects.select_for_update().get(pk=event_id)


@transaction.atomic
def register(
    *, actor: Any, event: Event | int, name: str = "", mobile: str = ""
) -> tuple[Registration, bool]:
    """Register the user for the event (a seat if there is one, else the waiting list).
    Idempotent: a user already registered or waiting gets their registration back (False)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Please log in to register."))
    event_id = _pk(event)
    existing = (
        Registration.objects.filter(event_id=event_id, user=actor)
        .exclude(state=R.CANCELLED)
        .first()
    )
    if existing is not None:
        return existing, False
    ev = Event.objects.active().filter(pk=event_id).first()
    if ev is None:
        raise ServiceError(_("There is no such event."), code="not_found")
    if ev.state != Event.State.OPEN:
        raise ServiceError(_("This event has been cancelled."))
    if ev.starts_at <= timezone.now():
        raise ServiceError(_("Registration has closed: the event has started."))
    person = getattr(actor, "person", None)
    name = _clean(
        name or (person.name if person else "") or actor.get_username(),
        max_length=50,
        field="name",
        required=True,
    )
    mobile = _clean(mobile or (person.mobile if person else ""), max_length=20, field="mobile")
    if mobile and not mobile.replace("+", "").replace("-", "").isdigit():
        raise ServiceError(
            _("Enter a valid mobile number."),
            field_errors={"mobile": [_("Enter a valid mobile number.")]},
        )
    ev = _lock_event(ev.pk)
    existing = Registration.objects.filter(event=ev, user=actor).exclude(state=R.CANCELLED).first()
    if existing is not None:
        return existing, False
    state = R.REGISTERED if selectors.seats_taken(ev) < ev.capacity else R.WAITLISTED
    reg = Registration(event=ev, user=actor, name=name, mobile=mobile, state=state)
    for _attempt in range(5):  # a new code on the rare collision
        try:
            with transaction.atomic():
                reg.full_clean(exclude=["code"])
                reg.save()
            break
        except IntegrityError:
            if (
                Registration.objects.filter(event=ev, user=actor)
                .exclude(state=R.CANCELLED)
                .exists()
            ):
                raise
            from .models import new_code

            reg.pk = None
            reg.code = new_code()
    audit.record_created(actor=actor, obj=reg)
    REGISTRATIONS.record(obj=reg, actor=actor, action="register", to_state=state)
    events.publish(
        "registration.created", actor=actor, registration_id=reg.pk, event_id=ev.pk, state=state
    )
    return reg, True


@transaction.atomic
def cancel_registration(
    *, actor: Any, registration: Registration | int, note: str = ""
) -> Registration:
    """Cancel; if it held a seat, the first on the waiting list moves up — exactly once, also
    when two people cancel at the same moment. Idempotent: cancelling again changes nothing."""
    reg_id = _pk(registration)
    current = Registration.objects.filter(pk=reg_id).first()
    if current is None:
        raise ServiceError(_("There is no such registration."), code="not_found")
    _lock_event(current.event_id)
    current = Registration.objects.get(pk=reg_id)
    if current.state == R.CANCELLED:
        if not REGISTRATIONS.may(access_for(actor), REGISTRATIONS.get("cancel"), current):
            raise NotAllowed(_("You may cancel your own registrations only."))
        return current
    if current.state == R.ATTENDED:
        raise ServiceError(_("You have attended this event; the registration cannot be cancelled."))
    REGISTRATIONS.run(actor=actor, obj=current, action="cancel", note=note)
    _fill_seats(current.event_id, actor=actor)
    return Registration.objects.get(pk=reg_id)


def _fill_seats(event_id: int, *, actor: Any) -> list[Registration]:
    """Move people up from the waiting list while there are free seats (under the event's
    lock)."""
    ev = Event.objects.get(pk=event_id)
    moved: list[Registration] = []
    free = ev.capacity - selectors.seats_taken(ev)
    if free <= 0 or ev.starts_at <= timezone.now():
        return moved
    for nxt in Registration.objects.filter(event_id=event_id, state=R.WAITLISTED).order_by(
        "created_at", "id"
    )[:free]:
        REGISTRATIONS.run(actor=actor, obj=nxt, action="promote", check_roles=False)
        moved.append(nxt)
    return moved


@transaction.atomic
def event_photos_add(*, actor: Any, event: Event, uploads: list[Any]) -> list[EventPhoto]:
    """Photos of an event, by its staff: every upload checked by content and size first (all or
    nothing), then re-encoded without metadata (no location, no camera data) with a thumbnail;
    each photo in the audit trail."""
    from gongzhi.cases import photos as checks

    if not perms.can(actor, "check_in", event):
        raise NotAllowed(_("Only the event's staff may add its photos."))
    if not uploads:
        message = _("Choose at least one photo.")
        raise ServiceError(message, field_errors={"photos": [message]})
    checked = checks.validate_all(uploads)
    made = []
    for data, _fmt, _w, _h in checked:
        photo = checks.store_reencoded(
            EventPhoto(
                event=event,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            ),
            data,
            str(event.pk),
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=photo,
            changes={"event": {"before": None, "after": event.pk}},
        )
        made.append(photo)
    events.publish("event.photos_added", actor=actor, event_id=event.pk, count=len(made))
    return made


@transaction.atomic
def check_in(*, actor: Any, event: Event | int, code: str) -> Registration:
    """Staff check a person in by the code of their registration (typed or scanned). A code
    works once, and only for its own event."""
    event_id = _pk(event)
    text = "".join((code or "").split()).upper()
    if not text:
        raise ServiceError(
            _("Enter the check-in code."), field_errors={"code": [_("This field is required.")]}
        )
    reg = Registration.objects.select_related("event").filter(code=text).first()
    if reg is None:
        raise ServiceError(
            _("There is no registration with this code."),
            field_errors={"code": [_("Unknown code.")]},
        )
    if reg.event_id != event_id:
        raise ServiceError(
            _("This code is for another event (“%(event)s”).") % {"event": reg.event.title},
            field_errors={"code": [_("Code of another event.")]},
        )
    access = access_for(actor)
    if not REGISTRATIONS.may(access, REGISTRATIONS.get("check_in"), reg):
        raise NotAllowed(_("You may check people in at your own events only."))
    if reg.state == R.ATTENDED:
        at = timezone.localtime(reg.checked_in_at) if reg.checked_in_at else None
        raise ServiceError(
            _("This code has been used already (checked in at %(at)s).")
            % {"at": f"{at:%H:%M}" if at else "—"},
            code="used",
            field_errors={"code": [_("Used already.")]},
        )
    if reg.state != R.REGISTERED:
        raise ServiceError(
            _("This registration is “%(state)s” and cannot be checked in.")
            % {"state": reg.get_state_display()},
            field_errors={"code": [_("Not registered.")]},
        )
    REGISTRATIONS.run(actor=actor, obj=reg, action="check_in", expected_state=R.REGISTERED)
    return reg


@transaction.atomic
def give_feedback(
    *, actor: Any, registration: Registration | int, rating: Any, comment: str = ""
) -> Feedback:
    reg_id = _pk(registration)
    reg = Registration.objects.select_for_update().filter(pk=reg_id).first()
    if reg is None or reg.user_id != getattr(actor, "pk", None):
        raise NotAllowed(_("You may rate events you attended yourself only."))
    if reg.state != R.ATTENDED:
        raise ServiceError(_("You can rate an event once you have attended it."))
    try:
        value = int(rating)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("Choose a rating from 1 to 5."), field_errors={"rating": [_("Choose 1 to 5.")]}
        ) from exc
    if not 1 <= value <= 5:
        raise ServiceError(
            _("Choose a rating from 1 to 5."), field_errors={"rating": [_("Choose 1 to 5.")]}
        )
    text = _clean(comment, max_length=1000, field="comment")
    if Feedback.objects.filter(registration=reg).exists():
        raise ServiceError(_("You have rated this event already."))
    fb = audit.create(actor=actor, model=Feedback, registration=reg, rating=value, comment=text)
    events.publish("registration.rated", actor=actor, registration_id=reg.pk, rating=value)
    return fb


# --- Volunteers ----------------------------------------------------------------------------------


@transaction.atomic
def volunteer_join(
    *,
    actor: Any,
    skills: str = "",
    availability: str = "",
    residential_area: Any = None,
    from_event: Event | int | None = None,
) -> tuple[Volunteer, bool]:
    """Become a volunteer in one step (e.g. after attending an event). Idempotent."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Please log in first."))
    existing = Volunteer.objects.active().filter(user=actor).first()
    if existing is not None:
        return existing, False
    person = getattr(actor, "person", None)
    area_id = _pk(residential_area) or (person.home_area_id if person else None)
    if area_id not in (None, ""):
        from gongzhi.places.models import ResidentialArea

        if not ResidentialArea.objects.filter(pk=area_id).exists():
            raise ServiceError(
                _("There is no such residential area."),
                field_errors={"residential_area": [_("Choose an area.")]},
            )
    event_id = _pk(from_event)
    if (
        event_id
        and not Registration.objects.filter(
            event_id=event_id, user=actor, state=R.ATTENDED
        ).exists()
    ):
        event_id = None
    vol = audit.create(
        actor=actor,
        model=Volunteer,
        user=actor,
        name=(person.name if person else "") or actor.get_username(),
        skills=_clean(skills, max_length=200, field="skills"),
        availability=_clean(availability, max_length=200, field="availability"),
        residential_area_id=area_id or None,
        joined_from_id=event_id or None,
    )
    events.publish("volunteer.joined", actor=actor, volunteer_id=vol.pk)
    return vol, True


@transaction.atomic
def opportunity_create(
    *,
    actor: Any,
    organiser: Any,
    title: str,
    starts_on: Any,
    ends_on: Any,
    shift_start: Any,
    shift_end: Any,
    needed: Any = 2,
    working_days_only: bool = True,
    place: str = "",
    description: str = "",
    points_per_hour: int = 10,
) -> Opportunity:
    """An opportunity and its shifts: one a day from the first to the last day, on working days
    only (the working-day calendar, with make-up days) when asked."""
    access = access_for(actor)
    org_id = _pk(organiser)
    if not (is_centre_staff(access) or org_id in point_ids(access)):
        raise NotAllowed(_("You may organise for your own service point only."))
    from .models import ServicePoint

    point = ServicePoint.objects.select_related("organisation").filter(pk=org_id).first()
    require_reach(actor, point.organisation.subdistrict_id if point else None)
    first = _date(starts_on, "starts_on")
    last = _date(ends_on, "ends_on")
    assert first is not None and last is not None
    if last < first:
        raise ServiceError(
            _("The last day is before the first."),
            field_errors={"ends_on": [_("Choose a later day.")]},
        )
    start, end = _time(shift_start, "shift_start"), _time(shift_end, "shift_end")
    if end <= start:
        raise ServiceError(
            _("The shift must end after it starts."),
            field_errors={"shift_end": [_("Choose a later time.")]},
        )
    try:
        count = int(needed)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("Enter how many people each shift needs."),
            field_errors={"needed": [_("Enter a whole number.")]},
        ) from exc
    if not 1 <= count <= 200:
        raise ServiceError(
            _("Each shift needs between 1 and 200 people."),
            field_errors={"needed": [_("Enter a number between 1 and 200.")]},
        )
    days = shift_days(first, last, working_days_only=working_days_only)
    if not days:
        raise ServiceError(_("There is no working day in this period."))
    if len(days) > MAX_SHIFTS:
        raise ServiceError(
            _("At most %(n)d shifts at once; choose a shorter period.") % {"n": MAX_SHIFTS}
        )
    opp = audit.create(
        actor=actor,
        model=Opportunity,
        organiser_id=org_id,
        title=_clean(title, max_length=100, field="title", required=True),
        description=_clean(description, max_length=4000, field="description"),
        place=_clean(place, max_length=120, field="place"),
        starts_on=first,
        ends_on=last,
        shift_start=start,
        shift_end=end,
        needed=count,
        working_days_only=working_days_only,
        points_per_hour=points_per_hour,
    )
    Shift.objects.bulk_create(
        Shift(
            opportunity=opp,
            starts_at=timezone.make_aware(dt.datetime.combine(d, start)),
            ends_at=timezone.make_aware(dt.datetime.combine(d, end)),
            needed=count,
        )
        for d in days
    )
    return opp


def shift_days(first: dt.date, last: dt.date, *, working_days_only: bool) -> list[dt.date]:
    cal = get_calendar()
    out = []
    d = first
    while d <= last:
        if not working_days_only or cal.is_working_day(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


@transaction.atomic
def shift_sign_up(*, actor: Any, shift: Shift | int) -> tuple[ShiftSignup, bool]:
    vol = selectors.volunteer_for(actor)
    if vol is None:
        raise ServiceError(_("Join as a volunteer first."), code="not_volunteer")
    shift_id = _pk(shift)
    Shift.objects.filter(pk=shift_id).update(needed=F("needed"))  # the shift's lock (SQLite too)
    sh = Shift.objects.select_for_update().filter(pk=shift_id, archived_at__isnull=True).first()
    if sh is None:
        raise ServiceError(_("There is no such shift."), code="not_found")
    existing = sh.signups.exclude(state=ShiftSignup.State.CANCELLED).filter(volunteer=vol).first()
    if existing is not None:
        return existing, False
    if sh.starts_at <= timezone.now():
        raise ServiceError(_("This shift has started; sign up for a later one."))
    if sh.signups.exclude(state=ShiftSignup.State.CANCELLED).count() >= sh.needed:
        raise ServiceError(_("This shift is full."), code="full")
    su = audit.create(actor=actor, model=ShiftSignup, shift=sh, volunteer=vol)
    SIGNUPS.record(obj=su, actor=actor, action="sign_up", to_state=su.state)
    events.publish("signup.created", actor=actor, signup_id=su.pk)
    return su, True


def signup_act(
    *, actor: Any, signup: ShiftSignup | int, action: str, hours: Any = None, note: str = ""
) -> ShiftSignup:
    params = {"hours": hours} if action == "confirm" else {}
    return SIGNUPS.run(actor=actor, obj=signup, action=action, params=params, note=note).obj


@transaction.atomic
def points_redeem(
    *, actor: Any, volunteer: Volunteer | int, amount: Any, reason: str
) -> PointsEntry:
    """A debit of the volunteer's points (e.g. exchanged for a gift); refused beyond the
    balance. The volunteer's row is locked so two debits cannot both pass the check."""
    _require_centre(actor)
    vid = _pk(volunteer)
    Volunteer.objects.filter(pk=vid).update(updated_at=timezone.now())
    vol = Volunteer.objects.select_for_update().filter(pk=vid).first()
    if vol is None:
        raise ServiceError(_("There is no such volunteer."), code="not_found")
    try:
        points = int(amount)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            _("Enter the points as a whole number."),
            field_errors={"amount": [_("Enter a whole number.")]},
        ) from exc
    if points <= 0:
        raise ServiceError(
            _("Enter a positive number of points."),
            field_errors={"amount": [_("Enter a positive number.")]},
        )
    if points > selectors.balance(vol):
        raise ServiceError(
            _("The volunteer has only %(n)d points.") % {"n": selectors.balance(vol)},
            field_errors={"amount": [_("Too many points.")]},
        )
    entry = PointsEntry.objects.create(
        volunteer=vol,
        kind=PointsEntry.Kind.REDEEM,
        amount=-points,
        reason=_clean(reason, max_length=200, field="reason", required=True),
        at=timezone.now(),
        by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record_created(actor=actor, obj=entry)
    return entry


def hours_total(volunteer: Volunteer) -> Decimal:
    return selectors.hours(volunteer)

"""The service network's rules, against the real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone, translation

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.servicecentre import selectors, services
from gongzhi.servicecentre.models import (
    Event,
    Menu,
    Order,
    PointsEntry,
    Registration,
    ServiceLog,
    ShiftSignup,
)

from .factories import EventFactory, MenuFactory, next_month

pytestmark = pytest.mark.django_db
R = Registration.State


@pytest.fixture(autouse=True)
def _english():
    """The refusals' messages are matched in English here (the pages test the Chinese)."""
    with translation.override("en"):
        yield


def _day(net, day: int = 10) -> dt.date:
    return net.menu.month.replace(day=day)


def _order(net, item=None, day: int = 10, start: str = "12:00", user=None):
    return services.order_place(
        actor=user or net.station_staff,
        menu_item=item or net.lecture_on_menu,
        station=net.building,
        proposed_on=_day(net, day),
        starts_at=start,
    )


# --- menu ---------------------------------------------------------------------------------------


def test_centre_creates_and_publishes_a_menu(world, net):
    month = next_month(next_month())
    menu = services.menu_create(actor=world.service_staff, month=f"{month:%Y-%m}")
    with pytest.raises(ServiceError, match="without items"):
        services.menu_publish(actor=world.service_staff, menu=menu)
    services.menu_add_item(actor=world.service_staff, menu=menu, item=net.lecture)
    with pytest.raises(ServiceError):
        services.menu_add_item(actor=world.service_staff, menu=menu, item=net.lecture)
    menu = services.menu_publish(actor=world.service_staff, menu=menu)
    assert menu.state == Menu.State.PUBLISHED and menu.published_at
    assert ServiceLog.objects.filter(subject="menu", subject_id=menu.pk, action="publish").exists()
    assert AuditEvent.objects.filter(
        object_id=str(menu.pk), action=AuditEvent.Action.STATE
    ).exists()
    with pytest.raises(ServiceError):
        services.menu_add_item(actor=world.service_staff, menu=menu, item=net.workshop)


def test_menu_bad_input_and_strangers(world, net):
    with pytest.raises(ServiceError):
        services.menu_create(actor=world.service_staff, month="not a month")
    with pytest.raises(ServiceError, match="already"):
        services.menu_create(actor=world.service_staff, month=net.menu.month)
    with pytest.raises(NotAllowed):
        services.menu_create(actor=net.station_staff, month=next_month(net.menu.month))
    draft = MenuFactory(month=next_month(net.menu.month))
    with pytest.raises(NotAllowed):
        services.menu_publish(actor=net.station_staff, menu=draft)


# --- orders and scheduling ----------------------------------------------------------------------


def test_station_orders_for_itself_only(world, net):
    order = _order(net)
    assert order.state == Order.State.ORDERED and order.ordered_by == net.station_staff
    with pytest.raises(NotAllowed):
        services.order_place(
            actor=net.other_station_staff,
            menu_item=net.lecture_on_menu,
            station=net.building,
            proposed_on=_day(net),
            starts_at="12:00",
        )
    with pytest.raises(NotAllowed):
        _order(net, user=world.resident_a)
    with pytest.raises(NotAllowed):
        services.order_withdraw(actor=net.other_station_staff, order=order)
    services.order_withdraw(actor=net.station_staff, order=order)


@pytest.mark.parametrize(
    "field,value",
    [
        ("proposed_on", "2020-01-01"),
        ("proposed_on", "yesterday"),
        ("starts_at", "noon"),
        ("expected", "many"),
        ("expected", 0),
    ],
)
def test_order_bad_input_is_refused_with_nothing_written(net, field, value):
    kwargs = {
        "actor": net.station_staff,
        "menu_item": net.lecture_on_menu,
        "station": net.building,
        "proposed_on": _day(net),
        "starts_at": "12:00",
        field: value,
    }
    with pytest.raises(ServiceError):
        services.order_place(**kwargs)
    assert not Order.objects.exists()


def test_order_needs_a_published_menu_and_no_duplicate(world, net):
    draft = MenuFactory(month=next_month(net.menu.month))
    mi = services.menu_add_item(actor=world.service_staff, menu=draft, item=net.lecture)
    with pytest.raises(ServiceError, match="published"):
        services.order_place(
            actor=net.station_staff,
            menu_item=mi,
            station=net.building,
            proposed_on=draft.month.replace(day=5),
            starts_at="12:00",
        )
    _order(net)
    with pytest.raises(ServiceError, match="already"):
        _order(net)


def test_scheduling_makes_an_event(world, net):
    order = _order(net)
    event = services.order_schedule(
        actor=world.service_staff, order=order, room=net.building_room.pk
    )
    order.refresh_from_db()
    assert order.state == Order.State.SCHEDULED
    assert event.order == order and event.point == net.building and event.room == net.building_room
    assert event.capacity == 30  # the item's, within the room's seats
    assert timezone.localtime(event.starts_at).time() == dt.time(12, 0)
    assert event.ends_at - event.starts_at == dt.timedelta(minutes=60)
    with pytest.raises(NotAllowed):
        services.order_schedule(actor=net.station_staff, order=_order(net, day=11))


def test_scheduling_clashes_name_their_reason(world, net):
    first = services.order_schedule(
        actor=world.service_staff, order=_order(net), room=net.building_room.pk
    )
    # The same provider (the hospital) at an overlapping time, elsewhere: refused.
    second = services.order_place(
        actor=net.other_station_staff,
        menu_item=net.lecture_on_menu,
        station=net.residential,
        proposed_on=_day(net),
        starts_at="12:30",
    )
    with pytest.raises(ServiceError) as exc:
        services.order_schedule(actor=world.service_staff, order=second)
    assert exc.value.code == "clash"
    assert "普陀区中心医院" in str(exc.value.message) and first.title in str(exc.value.message)
    second.refresh_from_db()
    assert second.state == Order.State.ORDERED
    # The same room at an overlapping time, another provider: refused for the room.
    third = _order(net, item=net.workshop_on_menu, start="12:15")
    with pytest.raises(ServiceError) as exc:
        services.order_schedule(actor=world.service_staff, order=third, room=net.building_room.pk)
    assert "白领之家" in str(exc.value.message)
    assert len(exc.value.field_errors["starts_at"]) == 1
    # Moved to after the first ends: no clash.
    later = dt.datetime.combine(_day(net), dt.time(13, 0))
    services.order_schedule(
        actor=world.service_staff, order=third, room=net.building_room.pk, starts_at=later
    )
    # Another day for the second: fine.
    services.order_schedule(
        actor=world.service_staff,
        order=second,
        starts_at=dt.datetime.combine(_day(net, 12), dt.time(12, 0)).isoformat(),
    )
    assert Event.objects.count() == 3


def test_schedule_bad_input(world, net):
    order = _order(net)
    for params in (
        {"starts_at": "soon"},
        {"starts_at": "2020-01-01T12:00"},
        {"room": 99999},
        {"capacity": "lots"},
        {"capacity": 0},
        {"room": net.building_room.pk, "capacity": 41},
    ):
        with pytest.raises(ServiceError):
            services.order_schedule(actor=world.service_staff, order=order, **params)
    assert not Event.objects.exists()
    with pytest.raises(ServiceError):
        services.order_decline(actor=world.service_staff, order=order, note="  ")
    services.order_decline(actor=world.service_staff, order=order, note="讲师已排满")
    order.refresh_from_db()
    assert order.state == Order.State.DECLINED


# --- registration, waiting list, check-in --------------------------------------------------------


def _people(n):
    return [UserFactory() for _ in range(n)]


def test_capacity_and_waiting_list(net):
    event = EventFactory(point=net.building, capacity=2)
    a, b, c, d = _people(4)
    ra, created = services.register(actor=a, event=event)
    assert created and ra.state == R.REGISTERED
    again, created = services.register(actor=a, event=event)
    assert again.pk == ra.pk and not created  # idempotent
    rb, _ = services.register(actor=b, event=event)
    rc, _ = services.register(actor=c, event=event)
    rd, _ = services.register(actor=d, event=event)
    assert (rb.state, rc.state, rd.state) == (R.REGISTERED, R.WAITLISTED, R.WAITLISTED)
    services.cancel_registration(actor=a, registration=ra)
    rc.refresh_from_db()
    rd.refresh_from_db()
    assert rc.state == R.REGISTERED and rc.promoted_at and rd.state == R.WAITLISTED
    # Cancelling again changes nothing and promotes nobody else.
    services.cancel_registration(actor=a, registration=ra)
    rd.refresh_from_db()
    assert rd.state == R.WAITLISTED
    assert selectors.seats_taken(event) == 2
    # A waiting person who cancels frees no seat.
    services.cancel_registration(actor=d, registration=rd)
    assert selectors.seats_taken(event) == 2
    # Someone else may not cancel it.
    with pytest.raises(NotAllowed):
        services.cancel_registration(actor=d, registration=rb)
    # A, having cancelled, may register again (joins the waiting list).
    ra2, created = services.register(actor=a, event=event)
    assert created and ra2.state == R.WAITLISTED and ra2.code != ra.code


def test_register_bad_cases(world, net):
    past = EventFactory(point=net.building, starts_at=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(ServiceError, match="started"):
        services.register(actor=world.resident_a, event=past)
    cancelled = EventFactory(point=net.building, state=Event.State.CANCELLED)
    with pytest.raises(ServiceError):
        services.register(actor=world.resident_a, event=cancelled)
    with pytest.raises(ServiceError):
        services.register(actor=world.resident_a, event=99999)
    ev = EventFactory(point=net.building)
    with pytest.raises(ServiceError):
        services.register(actor=world.resident_a, event=ev, mobile="call me")
    assert not Registration.objects.exists()


def test_check_in_code_works_once_for_its_event_only(world, net):
    event = EventFactory(point=net.building)
    other = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    with pytest.raises(ServiceError, match="another event"):
        services.check_in(actor=world.service_staff, event=other, code=reg.code)
    with pytest.raises(ServiceError):
        services.check_in(actor=world.service_staff, event=event, code="NOPE1234")
    with pytest.raises(ServiceError):
        services.check_in(actor=world.service_staff, event=event, code="  ")
    with pytest.raises(NotAllowed):
        services.check_in(actor=net.other_station_staff, event=event, code=reg.code)
    with pytest.raises(NotAllowed):
        services.check_in(actor=net.office_worker, event=event, code=reg.code)
    done = services.check_in(actor=net.station_staff, event=event, code=reg.code.lower())
    assert done.state == R.ATTENDED and done.checked_in_at
    with pytest.raises(ServiceError, match="used"):
        services.check_in(actor=world.service_staff, event=event, code=reg.code)
    with pytest.raises(ServiceError):
        services.cancel_registration(actor=net.office_worker, registration=reg)


def test_feedback(world, net):
    event = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    with pytest.raises(ServiceError, match="attended"):
        services.give_feedback(actor=net.office_worker, registration=reg, rating=5)
    services.check_in(actor=world.service_staff, event=event, code=reg.code)
    with pytest.raises(NotAllowed):
        services.give_feedback(actor=world.resident_a, registration=reg, rating=5)
    for bad in (0, 6, "great", None):
        with pytest.raises(ServiceError):
            services.give_feedback(actor=net.office_worker, registration=reg, rating=bad)
    fb = services.give_feedback(
        actor=net.office_worker, registration=reg, rating="4", comment="很好"
    )
    assert fb.rating == 4
    with pytest.raises(ServiceError, match="already"):
        services.give_feedback(actor=net.office_worker, registration=reg, rating=5)


# --- volunteers, shifts, points -----------------------------------------------------------------


def test_attendee_becomes_volunteer_in_one_step(world, net):
    event = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    services.check_in(actor=world.service_staff, event=event, code=reg.code)
    vol, created = services.volunteer_join(actor=net.office_worker, from_event=event.pk)
    assert created and vol.joined_from == event and vol.name == "白领小林"
    assert vol.residential_area == world.area_a
    again, created = services.volunteer_join(actor=net.office_worker)
    assert again == vol and not created


def _opportunity(world, net, **kw):
    today = timezone.localdate()
    start = today + dt.timedelta(days=1)
    args = {
        "actor": world.service_staff,
        "organiser": net.residential.pk,
        "title": "交通巡逻",
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=13),
        "shift_start": "07:00",
        "shift_end": "08:30",
        "needed": 1,
    }
    args.update(kw)
    return services.opportunity_create(**args)


def test_shifts_follow_the_working_day_calendar(world, net):
    from gongzhi.worktime.calendar import get_calendar

    opp = _opportunity(world, net)
    cal = get_calendar()
    days = [timezone.localtime(s.starts_at).date() for s in opp.shifts.all()]
    assert days and all(cal.is_working_day(d) for d in days)
    expected = [
        opp.starts_on + dt.timedelta(days=i)
        for i in range(14)
        if cal.is_working_day(opp.starts_on + dt.timedelta(days=i))
    ]
    assert days == expected
    for bad in ({"ends_on": "2000-01-01"}, {"shift_end": "06:00"}, {"needed": 0}, {"title": ""}):
        with pytest.raises(ServiceError):
            _opportunity(world, net, **bad)
    with pytest.raises(NotAllowed):
        _opportunity(world, net, actor=net.station_staff)


def test_sign_up_hours_and_points_ledger(world, net):
    opp = _opportunity(world, net)
    shift = opp.shifts.first()
    with pytest.raises(ServiceError):
        services.shift_sign_up(actor=net.office_worker, shift=shift)
    vol, _ = services.volunteer_join(actor=net.office_worker)
    su, created = services.shift_sign_up(actor=net.office_worker, shift=shift)
    assert created
    other = UserFactory()
    services.volunteer_join(actor=other)
    with pytest.raises(ServiceError, match="full"):
        services.shift_sign_up(actor=other, shift=shift)
    services.signup_act(actor=net.office_worker, signup=su, action="check_in")
    services.signup_act(actor=net.office_worker, signup=su, action="check_out")
    with pytest.raises(NotAllowed):
        services.signup_act(actor=net.office_worker, signup=su, action="confirm", hours=1)
    with pytest.raises(NotAllowed):  # another station's staff
        services.signup_act(actor=net.station_staff, signup=su, action="confirm", hours=1)
    for bad in ("x", 0, 30):
        with pytest.raises(ServiceError):
            services.signup_act(
                actor=net.other_station_staff, signup=su, action="confirm", hours=bad
            )
    services.signup_act(actor=net.other_station_staff, signup=su, action="confirm", hours="1.5")
    su.refresh_from_db()
    assert su.state == ShiftSignup.State.CONFIRMED and su.hours == Decimal("1.50")
    assert selectors.hours(vol) == Decimal("1.50")
    assert selectors.balance(vol) == 15
    with pytest.raises(ServiceError):  # confirmed once only: no second credit
        services.signup_act(actor=world.service_staff, signup=su, action="confirm", hours=2)
    with pytest.raises(ServiceError):
        services.points_redeem(actor=world.service_staff, volunteer=vol, amount=16, reason="礼品")
    with pytest.raises(ServiceError):
        services.points_redeem(actor=world.service_staff, volunteer=vol, amount=-3, reason="礼品")
    with pytest.raises(ServiceError):
        services.points_redeem(actor=world.service_staff, volunteer=vol, amount=3, reason="")
    services.points_redeem(actor=world.service_staff, volunteer=vol, amount=10, reason="兑换雨伞")
    rows = PointsEntry.objects.filter(volunteer=vol)
    assert [r.amount for r in rows] == [15, -10]
    assert selectors.balance(vol) == rows.aggregate(s=Sum("amount"))["s"] == 5
    ranked = list(selectors.rankings())
    assert ranked[0] == vol and ranked[0].balance == 5
    entry = rows.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()

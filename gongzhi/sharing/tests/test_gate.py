"""The gate check at every boundary of the windows: across midnight, at the weekend, on a
statutory holiday and a make-up working day, on exception dates; and every refusal's reason.

The car park (factories.school_car_park): every day 17:30–07:30, all day on Saturdays and
Sundays. 2026-12-07 is a Monday; 2026-10-01 (Thursday) is a National Day holiday and 2026-10-10
(Saturday) a make-up working day."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.sharing import services
from gongzhi.sharing.models import AvailabilityException, GateEvent, Permit

from .factories import at

pytestmark = pytest.mark.django_db


def check(resource, when, plate="沪A12345", direction="in"):
    return services.gate_check(
        actor=None, resource_id=resource.pk, plate=plate, at=at(when), direction=direction
    )


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ("2026-12-07 17:29:59", False),  # Monday, school hours
        ("2026-12-07 17:30", True),  # the window opens
        ("2026-12-07 18:00", True),
        ("2026-12-07 23:59:59", True),
        ("2026-12-08 00:00", True),  # across midnight
        ("2026-12-08 07:29:59", True),
        ("2026-12-08 07:30", False),  # the window closes
        ("2026-12-08 08:00", False),
        ("2026-12-08 12:00", False),
        ("2026-12-11 18:00", True),  # Friday evening
        ("2026-12-12 07:45", True),  # Saturday: all day
        ("2026-12-12 12:00", True),
        ("2026-12-13 23:00", True),  # Sunday night into Monday
        ("2026-12-14 07:29", True),
        ("2026-12-14 07:30", False),
        ("2026-10-01 12:00", True),  # National Day (Thursday): no school
        ("2026-10-02 08:00", True),
        ("2026-10-10 12:00", False),  # make-up working day (Saturday): school
        ("2026-10-10 18:00", True),
        ("2026-09-30 12:00", False),  # the working day before the holiday
        ("2026-09-30 18:00", True),
    ],
)
def test_window_boundaries(permit, car_park, when, allowed):
    result = check(car_park, when)
    assert result.allowed is allowed, (when, result.reason)
    assert result.reason == ("permit" if allowed else "outside_window")


def test_exceptions_close_and_widen(world, permit, car_park):
    services.exception_add(
        actor=world.liaison,
        resource=car_park,
        kind=AvailabilityException.Kind.CLOSED,
        date_from=dt.date(2026, 12, 15),
        date_to=dt.date(2026, 12, 15),
        note="期末考试",
    )
    services.exception_add(
        actor=world.liaison,
        resource=car_park,
        kind=AvailabilityException.Kind.OPEN,
        date_from=dt.date(2026, 12, 16),
        date_to=dt.date(2026, 12, 16),
        note="校运动会停课",
    )
    assert check(car_park, "2026-12-14 23:59").allowed
    assert not check(car_park, "2026-12-15 00:00").allowed  # the exam day is closed all day
    assert not check(car_park, "2026-12-15 18:00").allowed
    assert check(car_park, "2026-12-16 00:00").allowed  # the open day from its first minute
    assert check(car_park, "2026-12-16 12:00").allowed
    assert check(car_park, "2026-12-17 07:29").allowed  # its evening window as usual
    assert not check(car_park, "2026-12-17 07:30").allowed


def test_an_outside_window_refusal_says_when_it_opens(permit, car_park):
    result = check(car_park, "2026-12-07 08:00")
    assert result.next_opening == at("2026-12-07 17:30")
    assert "17:30" in result.message


def test_an_allowed_entry_says_when_to_leave(permit, car_park):
    result = check(car_park, "2026-12-07 18:00")
    assert result.open_until == at("2026-12-08 07:30")


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (Permit.State.SUSPENDED, "suspended"),
        (Permit.State.REVOKED, "revoked"),
        (Permit.State.EXPIRED, "expired"),
    ],
)
def test_permit_states_are_refused(permit, car_park, state, reason):
    Permit.objects.filter(pk=permit.pk).update(state=state)
    result = check(car_park, "2026-12-07 18:00")
    assert (result.allowed, result.reason) == (False, reason)


def test_validity_period(permit, car_park):
    assert check(car_park, "2027-01-31 18:00").allowed  # a Sunday, the last day
    assert check(car_park, "2027-02-01 18:00").reason == "expired"
    assert check(car_park, "2026-08-31 18:00").reason == "not_yet_valid"


def test_no_permit_malformed_plate_unknown_resource(permit, car_park):
    assert check(car_park, "2026-12-07 18:00", plate="沪B99999").reason == "no_permit"
    bad = check(car_park, "2026-12-07 18:00", plate="ABC")
    assert (bad.allowed, bad.reason) == (False, "malformed_plate")
    assert bad.message
    gone = services.gate_check(
        actor=None, resource_id=999999, plate="沪A12345", at=at("2026-12-07 18:00")
    )
    assert (gone.allowed, gone.reason) == (False, "unknown_resource")
    junk = services.gate_check(actor=None, resource_id="x", plate="沪A12345")
    assert junk.reason == "unknown_resource"


def test_the_plate_is_normalised_before_the_check(permit, car_park):
    assert check(car_park, "2026-12-07 18:00", plate=" 沪ａ·１２３４５ ").allowed


def test_every_answer_is_logged(permit, car_park):
    check(car_park, "2026-12-07 18:00")
    check(car_park, "2026-12-08 08:00")
    check(car_park, "2026-12-08 08:05", plate="？？")
    log = list(GateEvent.objects.order_by("at").values_list("verdict", "reason", "plate"))
    assert log == [
        ("allowed", "permit", "沪A12345"),
        ("refused", "outside_window", "沪A12345"),
        ("refused", "malformed_plate", ""),
    ]


def test_exit_is_always_allowed(permit, car_park):
    result = check(car_park, "2026-12-08 12:00", direction="out")
    assert result.allowed and result.reason == "exit"

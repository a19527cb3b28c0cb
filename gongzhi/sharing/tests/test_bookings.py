"""Bookings of halls and rooms: inside the opening windows, no overlap, seats enough."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.errors import ServiceError
from gongzhi.sharing import services
from gongzhi.sharing.models import Booking, SharedResource

from .factories import SharedResourceFactory, WindowFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(world):
    hall = SharedResourceFactory(
        owner=world.orgs["school"], kind=SharedResource.Kind.HALL, name="报告厅", capacity=120
    )
    WindowFactory(resource=hall, weekdays=[0, 1, 2, 3, 4], start=dt.time(18), end=dt.time(21))
    WindowFactory(resource=hall, weekdays=[5, 6], start=dt.time(8, 30), end=dt.time(17))
    return hall


def book(world, hall, start, end, attendees=50, title="党课"):
    return services.booking_create(
        actor=world.secretary,
        resource=hall,
        title=title,
        starts_at=at(start),
        ends_at=at(end),
        attendees=attendees,
    )


def test_a_booking_inside_a_window(world, hall):
    b = book(world, hall, "2026-12-07 18:30", "2026-12-07 20:30")
    assert b.state == Booking.State.REQUESTED
    services.booking_set_state(actor=world.liaison, booking=b, state="confirmed")
    assert Booking.objects.get(pk=b.pk).state == "confirmed"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-12-07 17:30", "2026-12-07 19:00"),  # starts before the window
        ("2026-12-07 20:00", "2026-12-07 21:30"),  # runs past it
        ("2026-12-08 10:00", "2026-12-08 11:00"),  # school hours
        ("2026-10-10 09:00", "2026-10-10 11:00"),  # make-up working day: a school day
    ],
)
def test_outside_the_windows_is_refused(world, hall, start, end):
    with pytest.raises(ServiceError, match="报告厅"):
        book(world, hall, start, end)
    assert not Booking.objects.exists()


def test_holiday_opens_like_the_weekend(world, hall):
    assert book(world, hall, "2026-10-01 09:00", "2026-10-01 11:00")


@pytest.mark.parametrize(
    ("start", "end", "clash"),
    [
        ("2026-12-12 09:00", "2026-12-12 10:00", True),  # same time
        ("2026-12-12 10:30", "2026-12-12 12:00", True),  # overlaps the end
        ("2026-12-12 08:30", "2026-12-12 09:30", True),  # overlaps the start
        ("2026-12-12 11:00", "2026-12-12 12:00", False),  # starts when the other ends
        ("2026-12-12 08:30", "2026-12-12 09:00", False),  # ends when the other starts
    ],
)
def test_overlapping_bookings_are_refused(world, hall, start, end, clash):
    book(world, hall, "2026-12-12 09:00", "2026-12-12 11:00", title="读书会")
    if clash:
        with pytest.raises(ServiceError, match="读书会"):
            book(world, hall, start, end)
    else:
        assert book(world, hall, start, end)


def test_a_cancelled_booking_frees_its_time(world, hall):
    b = book(world, hall, "2026-12-12 09:00", "2026-12-12 11:00")
    services.booking_set_state(actor=world.secretary, booking=b, state="cancelled")
    assert book(world, hall, "2026-12-12 09:00", "2026-12-12 11:00")


def test_other_refusals(world, hall, car_park):
    with pytest.raises(ServiceError):
        book(world, hall, "2026-12-12 09:00", "2026-12-12 11:00", attendees=121)
    with pytest.raises(ServiceError):
        book(world, hall, "2026-12-12 11:00", "2026-12-12 09:00")
    with pytest.raises(ServiceError):
        book(world, hall, "2026-12-12 09:00", "2026-12-12 11:00", title=" ")
    with pytest.raises(ServiceError):
        book(world, car_park, "2026-12-12 09:00", "2026-12-12 11:00")
    assert not Booking.objects.exists()

"""Who hears about what: the permit's holder when it is issued and at each violation, the
applicants on the waiting list their place, the booker when the unit confirms."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.notifications.models import Notification
from gongzhi.sharing import services
from gongzhi.sharing.models import SharedResource

from .factories import ApplicationFactory, SharedResourceFactory, WindowFactory, at

pytestmark = pytest.mark.django_db


def inbox(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app").values_list(
            "template", flat=True
        )
    )


def test_a_draw_tells_winners_and_the_waiting_list(
    world, car_park, django_capture_on_commit_callbacks
):
    car_park.capacity = 1
    car_park.save()
    ApplicationFactory(
        resource=car_park,
        residential_area=world.area_a,
        applicant_user=world.resident_a,
        plate="沪A12345",
    )
    ApplicationFactory(
        resource=car_park,
        residential_area=world.area_b,
        applicant_user=world.resident,
        plate="沪A54321",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.draw_run(
            actor=world.liaison,
            resource=car_park,
            period_from=dt.date(2026, 12, 1),
            period_to=dt.date(2027, 11, 30),
            seed="s",
        )
    # Area A is served by the car park: she wins whatever the seed.
    assert inbox(world.resident_a) == ["parking_permit_issued"]
    assert inbox(world.resident) == ["parking_waitlisted"]
    body = Notification.objects.get(recipient=world.resident, channel="in_app").body
    assert "沪A54321" in body and "1" in body


def test_a_violation_tells_the_holder(world, car_park, permit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for when, direction in (("2026-12-07 18:00", "in"), ("2026-12-08 09:00", "out")):
            services.gate_check(
                actor=None,
                resource_id=car_park.pk,
                plate=permit.plate,
                at=at(when),
                direction=direction,
            )
    assert inbox(world.resident_a) == ["parking_violation"]
    assert "07:30" in Notification.objects.get(recipient=world.resident_a, channel="in_app").body


def test_a_confirmed_booking_tells_the_booker(world, django_capture_on_commit_callbacks):
    hall = SharedResourceFactory(owner=world.orgs["school"], kind=SharedResource.Kind.HALL)
    WindowFactory(resource=hall, weekdays=[5, 6], start=dt.time(8), end=dt.time(18))
    with django_capture_on_commit_callbacks(execute=True):
        b = services.booking_create(
            actor=world.secretary,
            resource=hall,
            title="主题党日",
            starts_at=at("2026-12-12 09:00"),
            ends_at=at("2026-12-12 10:00"),
        )
        services.booking_set_state(actor=world.liaison, booking=b, state="confirmed")
    assert inbox(world.secretary) == ["booking_decided"]

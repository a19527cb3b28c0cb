"""Who sees and does what, per object, on the server: the owner unit manages its own resources,
residents their own applications and permits, the centre and leaders read all, everyone else is
refused (missing, 404, for what they may not see)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.core import permissions as perms
from gongzhi.core.roles import access_for
from gongzhi.org.models import Position
from gongzhi.org.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
from gongzhi.sharing.models import (
    Booking,
    GateEvent,
    Permit,
    PermitApplication,
    SharedResource,
    Violation,
)
from gongzhi.sharing.permissions import runs_a_gate

from .factories import ApplicationFactory, SharedResourceFactory, at

pytestmark = pytest.mark.django_db

EVERYONE = [
    "operator",
    "duty_chief",
    "handler",
    "inspector",
    "secretary",
    "other_secretary",
    "liaison",
    "service_staff",
    "leader",
    "auditor",
    "admin",
    "resident",
    "resident_a",
]


def visible(user, model):
    return set(perms.visible(user, model.objects.all()).values_list("pk", flat=True))


@pytest.fixture
def records(world, car_park, permit):
    from gongzhi.sharing import services

    app = ApplicationFactory(
        resource=car_park, residential_area=world.area_a, applicant_user=world.resident_a
    )
    services.gate_check(
        actor=None, resource_id=car_park.pk, plate=permit.plate, at=at("2026-12-07 18:00")
    )
    services.gate_check(
        actor=None,
        resource_id=car_park.pk,
        plate=permit.plate,
        at=at("2026-12-08 10:00"),
        direction="out",
    )
    other = SharedResourceFactory(owner=world.orgs["chengguan"], name="城管停车场")
    return {"app": app, "other": other, "violation": Violation.objects.get()}


@pytest.mark.parametrize("persona", EVERYONE)
def test_change_a_resource_only_its_unit_and_admins(world, car_park, persona):
    user = world.users[persona]
    assert perms.can(user, "change", car_park) is (persona in ("liaison", "admin"))
    assert perms.can(user, "draw", car_park) is (persona in ("liaison", "admin"))
    assert perms.can(user, "gate", car_park) is (persona in ("liaison", "admin"))
    assert perms.can(user, "view", car_park)  # everyone signed in


def test_another_units_liaison_cannot_change_the_school_car_park(world, records):
    other = records["other"]
    assert not perms.can(world.liaison, "change", other)
    assert not perms.can(world.liaison, "gate", other)
    assert not perms.can(world.liaison, "draw", other)


def test_a_guard_of_the_unit_runs_its_gate_only(world, car_park, records):
    guard = UserFactory(username="guard", person=PersonFactory(name="门卫老张"))
    PositionFactory(
        person=guard.person, organisation=world.orgs["school"], role=Position.Role.STAFF
    )
    assert runs_a_gate(access_for(guard))
    assert perms.can(guard, "gate", car_park)
    assert not perms.can(guard, "gate", records["other"])
    assert not perms.can(guard, "change", car_park)
    assert visible(guard, GateEvent) == set(GateEvent.objects.values_list("pk", flat=True))
    assert not runs_a_gate(access_for(world.resident_a))
    assert not runs_a_gate(access_for(world.operator))
    # Staff of a unit without a car park do not get the gate in their menu.
    clerk = UserFactory(username="clerk", person=PersonFactory(name="书店店员"))
    bookshop = OrganisationFactory(name="新华书店")
    PositionFactory(person=clerk.person, organisation=bookshop, role=Position.Role.STAFF)
    assert access_for(clerk).org_ids == {bookshop.pk}
    assert not runs_a_gate(access_for(clerk))


@pytest.mark.parametrize("persona", EVERYONE)
def test_applications_permits_violations_are_scoped(world, records, permit, persona):
    user = world.users[persona]
    app, violation = records["app"], records["violation"]
    all_of = persona in ("operator", "duty_chief", "leader", "auditor", "admin")
    unit = persona == "liaison"
    own = persona == "resident_a"
    area = persona == "secretary"  # the applicant's residential area
    assert (app.pk in visible(user, PermitApplication)) is (all_of or unit or own or area)
    assert (permit.pk in visible(user, Permit)) is (all_of or unit or own)
    assert (violation.pk in visible(user, Violation)) is (all_of or unit or own)
    assert bool(visible(user, GateEvent)) is (all_of or unit)
    assert perms.can(user, "appeal", violation) is own
    assert perms.can(user, "decide", violation) is (persona in ("liaison", "admin"))
    assert perms.can(user, "change", permit) is (persona in ("liaison", "admin"))
    assert perms.can(user, "see_phone", app) is (persona in ("liaison", "admin", "resident_a"))


def test_bookings_are_the_bookers_and_the_units(world):
    from gongzhi.sharing.tests.factories import BookingFactory

    hall = SharedResourceFactory(owner=world.orgs["school"], kind=SharedResource.Kind.HALL)
    b = BookingFactory(
        resource=hall,
        booked_by=world.secretary,
        starts_at=at("2026-12-12 09:00"),
        ends_at=at("2026-12-12 10:00"),
    )
    assert b.pk in visible(world.secretary, Booking)
    assert b.pk in visible(world.liaison, Booking)
    assert b.pk in visible(world.leader, Booking)
    assert b.pk not in visible(world.other_secretary, Booking)
    assert b.pk not in visible(world.resident_a, Booking)
    assert perms.can(world.secretary, "cancel", b) and not perms.can(world.secretary, "confirm", b)
    assert perms.can(world.liaison, "confirm", b)
    assert not perms.can(world.other_secretary, "cancel", b)


def test_anonymous_sees_nothing(records):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    for model in (SharedResource, PermitApplication, Permit, Violation, GateEvent, Booking):
        assert visible(anon, model) == set()


@pytest.mark.parametrize("name", ["sharing:index", "sharing:gate"])
def test_pages_need_a_login(name):
    r = Client().get(reverse(name))
    assert r.status_code == 302 and "login" in r.url


def test_out_of_scope_objects_look_missing(world, records, permit):
    c = Client()
    c.force_login(world.other_secretary)
    assert c.get(reverse("sharing:permit", args=[permit.pk])).status_code == 404
    v = records["violation"]
    assert (
        c.post(reverse("sharing:violation_act", args=[v.pk, "appeal"]), {"text": "x"}).status_code
        == 404
    )
    c.force_login(world.liaison)  # sees it, but only the holder appeals
    assert (
        c.post(reverse("sharing:violation_act", args=[v.pk, "appeal"]), {"text": "x"}).status_code
        == 403
    )
    assert Violation.objects.get(pk=v.pk).appeal == ""

"""Who sees and does what in the service network, per object and on the server: a station sees
and orders for itself only, the centre runs the network, residents reach their own
registrations, personal data is masked. Every page and endpoint is checked for each persona."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.core import permissions as perms
from gongzhi.servicecentre import services
from gongzhi.servicecentre.models import (
    Event,
    Menu,
    Order,
    PointsEntry,
    Registration,
    ServiceLog,
    ShiftSignup,
    Volunteer,
)

from .factories import EventFactory, MenuFactory, next_month

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


@pytest.fixture
def scene(world, net):
    """Two orders (one per station), a draft menu, an event at each station with a registration
    of the office worker at the building station's."""
    draft = MenuFactory(month=next_month(net.menu.month))
    day = net.menu.month.replace(day=9)
    own = services.order_place(
        actor=net.station_staff,
        menu_item=net.lecture_on_menu,
        station=net.building,
        proposed_on=day,
        starts_at="12:00",
    )
    other = services.order_place(
        actor=net.other_station_staff,
        menu_item=net.workshop_on_menu,
        station=net.residential,
        proposed_on=day,
        starts_at="09:30",
    )
    ev_b = EventFactory(point=net.building)
    ev_r = EventFactory(point=net.residential)
    reg, _ = services.register(actor=net.office_worker, event=ev_b, mobile="13912345678")
    return {"draft": draft, "own": own, "other": other, "ev_b": ev_b, "ev_r": ev_r, "reg": reg}


def _ids(user, model):
    return set(perms.visible(user, model.objects.all()).values_list("pk", flat=True))


def test_a_station_sees_its_own_orders_only(world, net, scene):
    assert _ids(net.station_staff, Order) == {scene["own"].pk}
    assert _ids(net.other_station_staff, Order) == {scene["other"].pk}
    assert _ids(world.service_staff, Order) == {scene["own"].pk, scene["other"].pk}
    assert _ids(world.leader, Order) == {scene["own"].pk, scene["other"].pk}
    for outsider in (world.resident_a, world.handler, world.operator, world.liaison):
        assert _ids(outsider, Order) == set()


def test_drafts_are_the_centres(world, net, scene):
    assert scene["draft"].pk not in _ids(net.station_staff, Menu)
    assert scene["draft"].pk not in _ids(world.resident_a, Menu)
    assert scene["draft"].pk in _ids(world.service_staff, Menu)
    assert not perms.can(net.station_staff, "change", scene["draft"])
    assert perms.can(world.service_staff, "change", scene["draft"])


def test_registrations_their_owner_and_their_events_staff(world, net, scene):
    reg = scene["reg"]
    assert _ids(net.office_worker, Registration) == {reg.pk}
    assert _ids(net.station_staff, Registration) == {reg.pk}  # its event is at their station
    assert _ids(net.other_station_staff, Registration) == set()
    assert _ids(world.resident_a, Registration) == set()
    assert _ids(world.service_staff, Registration) == {reg.pk}
    assert reg.mobile_masked != reg.mobile and reg.mobile_masked.endswith("5678")
    assert perms.can(net.station_staff, "check_in", scene["ev_b"])
    assert not perms.can(net.station_staff, "check_in", scene["ev_r"])
    assert perms.can(world.service_staff, "check_in", scene["ev_r"])
    assert not perms.can(world.resident_a, "check_in", scene["ev_b"])


def test_timeline_and_ledger_are_not_public(world, net, scene):
    assert ServiceLog.objects.exists()
    assert _ids(world.resident_a, ServiceLog) == set()
    assert _ids(net.office_worker, PointsEntry) == set()
    assert _ids(world.resident_a, Volunteer) == set()
    assert _ids(world.resident_a, ShiftSignup) == set()


def test_cancelled_events_are_hidden_from_the_public(world, net, scene):
    cancelled = EventFactory(point=net.building, state=Event.State.CANCELLED)
    assert cancelled.pk not in _ids(world.resident_a, Event)
    assert cancelled.pk in _ids(net.station_staff, Event)


STAFF_PAGES = [
    ("servicecentre:menus", ()),
    ("servicecentre:stats", ()),
    ("servicecentre:volunteer_desk", ()),
]


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("service_staff", True),
        ("leader", None),  # reads menus and statistics; the desk is for service staff
        ("resident_a", False),
        ("operator", False),
        ("handler", False),
        ("inspector", False),
        ("liaison", False),
    ],
)
def test_staff_pages_per_persona(client, world, net, persona, allowed):
    client.force_login(world.users[persona])
    for name, args in STAFF_PAGES:
        status = client.get(reverse(name, args=args)).status_code
        expected = allowed if allowed is not None else name != "servicecentre:volunteer_desk"
        assert (status == 200) == expected, (persona, name, status)


def test_pages_of_objects_out_of_scope_look_missing(client, world, net, scene):
    client.force_login(net.other_station_staff)
    assert client.get(reverse("servicecentre:check_in", args=[scene["ev_b"].pk])).status_code == 403
    assert (
        client.post(
            reverse("servicecentre:order_act", args=[scene["own"].pk, "withdraw"])
        ).status_code
        == 404
    )
    assert client.get(reverse("servicecentre:menu", args=[scene["draft"].pk])).status_code == 404
    client.force_login(world.resident_a)
    assert client.post(reverse("servicecentre:cancel", args=[scene["reg"].pk])).status_code == 404
    assert client.get(reverse("servicecentre:menu", args=[net.menu.pk])).status_code == 403


def test_endpoints_per_persona(world, net, scene):
    def api(user):
        return ApiClient(token_for(user, f"perm {next(_n)}"))

    other = api(net.other_station_staff)
    assert [o["id"] for o in other.get("/service/orders").json()["results"]] == [scene["other"].pk]
    assert other.post(f"/service/orders/{scene['own'].pk}/actions/withdraw", {}).status_code == 404
    assert (
        other.post(
            f"/service/events/{scene['ev_b'].pk}/check-in", {"code": scene["reg"].code}
        ).status_code
        == 403
    )
    resident = api(world.resident_a)
    assert resident.get("/service/orders").json()["results"] == []
    assert resident.post(f"/service/registrations/{scene['reg'].pk}/cancel", {}).status_code == 404
    assert resident.get(f"/service/menus/{scene['draft'].pk}").status_code == 404
    staff_view = api(net.station_staff).get("/service/registrations").json()["results"]
    assert staff_view[0]["mobile"] != "13912345678" and staff_view[0]["code"] is None
    own_view = api(net.office_worker).get("/service/registrations").json()["results"]
    assert own_view[0]["code"] == scene["reg"].code
    assert Registration.objects.get(pk=scene["reg"].pk).state == Registration.State.REGISTERED

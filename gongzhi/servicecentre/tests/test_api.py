"""The service network's API: same tokens, error shape, cursors and Idempotency-Key as the
rest of /api/v1."""

from __future__ import annotations

import itertools

import pytest

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.servicecentre.models import Menu, Order, Registration, Volunteer

from .factories import EventFactory, MenuFactory, next_month

pytestmark = pytest.mark.django_db
R = Registration.State


_made = itertools.count(1)


def as_(user) -> ApiClient:
    return ApiClient(token_for(user, f"tests {next(_made)}"))


def test_needs_a_token(net):
    assert ApiClient(None).get("/service/events").status_code == 401


def test_menus_published_for_stations_drafts_for_the_centre(world, net):
    draft = MenuFactory(month=next_month(net.menu.month))
    r = as_(net.station_staff).get("/service/menus")
    assert r.status_code == 200
    ids = [m["id"] for m in r.json()["results"]]
    assert ids == [net.menu.pk]
    assert r.json()["results"][0]["items"][0]["title"]
    assert as_(net.station_staff).get(f"/service/menus/{draft.pk}").status_code == 404
    centre = as_(world.service_staff)
    assert len(centre.get("/service/menus").json()["results"]) == 2
    r = centre.post(f"/service/menus/{draft.pk}/actions/publish", {})
    assert r.status_code == 422 and r.json()["code"] == "invalid"  # no items
    r = as_(net.station_staff).post(f"/service/menus/{net.menu.pk}/actions/publish", {})
    assert r.status_code in (403, 409)


def test_order_and_schedule_through_the_api(world, net):
    station = as_(net.station_staff)
    body = {
        "menu_item": net.lecture_on_menu.pk,
        "station": net.building.pk,
        "proposed_on": f"{net.menu.month.replace(day=9)}",
        "starts_at": "12:00",
    }
    r = station.post("/service/orders", {**body, "station": net.residential.pk})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = station.post("/service/orders", {**body, "proposed_on": "2020-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proposed_on"
    r = station.post("/service/orders", {**body, "starts_at": "noon"})
    assert r.status_code == 422
    r = station.post("/service/orders", body)
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    assert as_(net.other_station_staff).get("/service/orders").json()["results"] == []
    r = station.post(f"/service/orders/{order_id}/actions/schedule", {})
    assert r.status_code == 403
    centre = as_(world.service_staff)
    r = centre.post(
        f"/service/orders/{order_id}/actions/schedule",
        {"room": net.building_room.pk, "capacity": 999},
    )
    assert r.status_code == 422
    r = centre.post(f"/service/orders/{order_id}/actions/schedule", {"room": net.building_room.pk})
    assert r.status_code == 200 and r.json()["state"] == "scheduled" and r.json()["event_id"]
    r = centre.post(f"/service/orders/{order_id}/actions/decline", {"note": "x"})
    assert r.status_code in (409, 422)
    assert Order.objects.get().state == Order.State.SCHEDULED


def test_register_cancel_idempotent_with_waiting_list(world, net):
    event = EventFactory(point=net.building, capacity=1)
    a = as_(net.office_worker)
    b = as_(world.resident_a)
    r = a.post(f"/service/events/{event.pk}/registrations", {})
    assert r.status_code == 201 and r.json()["state"] == "registered" and r.json()["code"]
    first = r.json()
    r = a.post(f"/service/events/{event.pk}/registrations", {})
    assert r.status_code == 200 and r.json()["id"] == first["id"] and not r.json()["created"]
    r = b.post(f"/service/events/{event.pk}/registrations", {}, **{"Idempotency-Key": "k1"})
    assert r.status_code == 201 and r.json()["state"] == "waitlisted"
    again = b.post(f"/service/events/{event.pk}/registrations", {}, **{"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    second_id = r.json()["id"]
    # Someone else's registration looks missing.
    assert b.post(f"/service/registrations/{first['id']}/cancel", {}).status_code == 404
    r = a.post(f"/service/registrations/{first['id']}/cancel", {})
    assert r.status_code == 200 and r.json()["state"] == "cancelled" and r.json()["code"] is None
    assert a.post(f"/service/registrations/{first['id']}/cancel", {}).status_code == 200
    assert Registration.objects.get(pk=second_id).state == R.REGISTERED
    mine = b.get("/service/registrations").json()["results"]
    assert [x["id"] for x in mine] == [second_id]
    e = b.get(f"/service/events/{event.pk}").json()
    assert e["taken"] == 1 and e["capacity"] == 1
    assert b.post("/service/events/999999/registrations", {}).status_code == 404
    assert (
        b.post(f"/service/events/{event.pk}/registrations", {"mobile": "x" * 30}).status_code == 422
    )


def test_check_in_and_volunteers(world, net):
    event = EventFactory(point=net.building)
    a = as_(net.office_worker)
    code = a.post(f"/service/events/{event.pk}/registrations", {}).json()["code"]
    assert a.post(f"/service/events/{event.pk}/check-in", {"code": code}).status_code == 403
    staff = as_(net.station_staff)
    r = staff.post(f"/service/events/{event.pk}/check-in", {"code": code})
    assert r.status_code == 200 and r.json()["state"] == "attended" and r.json()["code"] is None
    r = staff.post(f"/service/events/{event.pk}/check-in", {"code": code})
    assert r.status_code == 422 and r.json()["code"] == "used"
    r = a.post("/service/volunteers", {"skills": "急救", "from_event": event.pk})
    assert r.status_code == 201 and r.json()["points"] == 0
    assert a.post("/service/volunteers", {}).status_code == 200
    assert Volunteer.objects.get().joined_from == event
    assert len(a.get("/service/volunteers").json()["results"]) == 1
    assert as_(world.resident_a).get("/service/volunteers").json()["results"] == []
    assert len(as_(world.service_staff).get("/service/volunteers").json()["results"]) == 1


def test_cursor_pages(world, net):
    for _ in range(3):
        EventFactory(point=net.building)
    c = as_(world.resident_a)
    r = c.get("/service/events", {"limit": 2})
    assert len(r.json()["results"]) == 2 and r.json()["next_cursor"]
    r2 = c.get("/service/events", {"limit": 2, "cursor": r.json()["next_cursor"]})
    assert len(r2.json()["results"]) == 1 and r2.json()["next_cursor"] is None
    assert c.get("/service/events", {"cursor": "garbage"}).status_code == 422
    assert Menu.objects.count() == 1


def test_shifts_and_sign_up(world, net):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.servicecentre import services

    start = timezone.localdate() + dt.timedelta(days=1)
    opp = services.opportunity_create(
        actor=world.service_staff,
        organiser=net.residential.pk,
        title="交通巡逻",
        starts_on=start,
        ends_on=start + dt.timedelta(days=6),
        shift_start="07:00",
        shift_end="08:30",
        needed=1,
    )
    a = as_(net.office_worker)
    shifts = a.get("/service/shifts").json()["results"]
    assert shifts and shifts[0]["opportunity"] == "交通巡逻" and shifts[0]["taken"] == 0
    first = opp.shifts.order_by("starts_at").first()
    r = a.post(f"/service/shifts/{first.pk}/signups", {})
    assert r.status_code == 422 and r.json()["code"] == "not_volunteer"
    a.post("/service/volunteers", {})
    assert a.post(f"/service/shifts/{first.pk}/signups", {}).status_code == 201
    assert a.post(f"/service/shifts/{first.pk}/signups", {}).status_code == 200
    b = as_(world.resident_a)
    b.post("/service/volunteers", {})
    r = b.post(f"/service/shifts/{first.pk}/signups", {})
    assert r.status_code == 422 and r.json()["code"] == "full"
    assert a.post("/service/shifts/999999/signups", {}).status_code == 404

"""The sharing API through Django's test client: resources, permits (own / the unit's), and the
gate check for the gate system with the same tokens, error body and idempotency as cases."""

from __future__ import annotations

import pytest

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.sharing.models import GateEvent

from .factories import SharedResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    made: dict[str, int] = {}

    def make(persona: str, **headers: str) -> ApiClient:
        made[persona] = made.get(persona, 0) + 1
        return ApiClient(token_for(world.users[persona], f"t{made[persona]}"), **headers)

    return make


def gate(client, resource, plate="沪A12345", at="2026-12-07T18:00:00+08:00", **extra):
    return client.post(
        "/sharing/gate-checks", {"resource": resource.pk, "plate": plate, "at": at, **extra}
    )


def test_resources_are_read_with_their_windows(api, car_park):
    r = api("resident_a").get("/sharing/resources")
    assert r.status_code == 200
    item = r.json()["items"][0]
    assert item["name"] == car_park.name
    assert {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "17:30", "end": "07:30"} in item["windows"]
    assert api("resident_a").get(f"/sharing/resources/{car_park.pk}").json()["capacity"] == 40
    assert ApiClient(None).get("/sharing/resources").status_code == 401


def test_permits_are_scoped(api, world, permit):
    own = api("resident_a").get("/sharing/permits").json()["items"]
    assert [p["plate"] for p in own] == ["沪A12345"]
    assert own[0]["holder"] == "居民甲"
    assert api("liaison").get("/sharing/permits").json()["items"][0]["plate"] == "沪A12345"
    assert api("leader").get("/sharing/permits").json()["items"][0]["holder"] == "居*甲"
    assert api("other_secretary").get("/sharing/permits").json()["items"] == []
    assert api("other_secretary").get(f"/sharing/permits/{permit.pk}").status_code == 404
    assert api("resident_a").get("/sharing/permits", {"plate": "沪a12345"}).json()["items"]
    bad = api("resident_a").get("/sharing/permits", {"plate": "xyz"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_plate"


def test_gate_check_allowed_refused_and_logged(api, car_park, permit):
    c = api("liaison")
    r = gate(c, car_park)
    assert r.status_code == 200
    body = r.json()
    assert (body["allowed"], body["reason"], body["plate"]) == (True, "permit", "沪A12345")
    assert body["open_until"].startswith("2026-12-08T07:30")
    body = gate(c, car_park, at="2026-12-08T08:00:00+08:00").json()
    assert (body["allowed"], body["reason"]) == (False, "outside_window")
    assert body["next_opening"].startswith("2026-12-08T17:30")
    body = gate(c, car_park, plate="沪A 1234").json()
    assert (body["allowed"], body["reason"], body["plate"]) == (False, "malformed_plate", "")
    assert body["message"]
    body = c.post("/sharing/gate-checks", {"resource": 987654, "plate": "沪A12345"}).json()
    assert body["reason"] == "unknown_resource"
    assert GateEvent.objects.count() == 3
    body = gate(c, car_park, at="2026-12-08T09:00:00+08:00", direction="out").json()
    assert (body["allowed"], body["reason"]) == (True, "exit")


def test_gate_check_input_errors_have_the_api_error_shape(api, car_park):
    c = api("liaison")
    r = c.post("/sharing/gate-checks", {"resource": car_park.pk})
    assert r.status_code == 422
    assert r.json()["code"] and any(e["field"] == "plate" for e in r.json()["errors"])
    r = gate(c, car_park, direction="sideways")
    assert r.status_code == 422
    r = gate(c, car_park, at="yesterday")
    assert r.status_code == 422
    assert not GateEvent.objects.exists()


def test_gate_check_is_for_the_owner_unit(api, world, car_park, permit):
    for persona in ("resident_a", "secretary", "operator"):
        r = gate(api(persona), car_park)
        assert r.status_code == 403, persona
        assert r.json()["code"] == "forbidden"
    other = SharedResourceFactory(owner=world.orgs["chengguan"])
    assert gate(api("liaison"), other).status_code == 403
    assert gate(api("admin"), car_park).status_code == 200
    assert GateEvent.objects.count() == 1


def test_gate_check_is_idempotent(api, car_park, permit):
    c = api("liaison", **{"Idempotency-Key": "gate-1"})
    first = gate(c, car_park)
    again = gate(c, car_park)
    assert first.json() == again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert GateEvent.objects.count() == 1


def test_permit_actions_through_the_api(api, permit):
    r = api("liaison").post(f"/sharing/permits/{permit.pk}/actions/suspend", {"note": "违规转借"})
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "suspended"
    r = api("resident_a").post(f"/sharing/permits/{permit.pk}/actions/reinstate", {})
    assert r.status_code == 403
    r = api("liaison").post(f"/sharing/permits/{permit.pk}/actions/revoke", {})
    assert r.status_code in (400, 422) and r.json()["errors"]
    r = api("liaison").post(
        f"/sharing/permits/{permit.pk}/actions/renew", {"valid_to": "2027-06-30"}
    )
    assert r.status_code == 200 and r.json()["valid_to"] == "2027-06-30"
    r = api("liaison").post(f"/sharing/permits/{permit.pk}/actions/renew", {"valid_to": "soon"})
    assert r.status_code in (400, 422)
    assert (
        api("other_secretary")
        .post(f"/sharing/permits/{permit.pk}/actions/suspend", {"note": "x"})
        .status_code
        == 404
    )


def test_the_gate_log_is_read_by_the_unit_and_the_centre(api, car_park, permit):
    gate(api("liaison"), car_park)
    gate(api("liaison"), car_park, at="2026-12-08T08:00:00+08:00")
    items = api("liaison").get("/sharing/gate-events").json()["items"]
    assert [(i["verdict"], i["reason"]) for i in items] == [
        ("refused", "outside_window"),
        ("allowed", "permit"),
    ]
    assert (
        len(api("leader").get("/sharing/gate-events", {"plate": "沪a12345"}).json()["items"]) == 2
    )
    assert api("resident_a").get("/sharing/gate-events").json()["items"] == []
    page = api("liaison").get("/sharing/gate-events", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]

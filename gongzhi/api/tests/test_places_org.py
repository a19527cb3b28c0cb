"""The catalogue, places and the organisation through the API."""

from __future__ import annotations

from gongzhi.audit.models import AuditEvent
from gongzhi.org.models import Person
from gongzhi.testing.geometry import lnglat


def test_a_point_is_looked_up_to_its_grid_area_and_station(api, world):
    lng, lat = lnglat(750, 250)
    r = api("inspector").get("/places/locate", {"lat": lat, "lng": lng})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["grid"]["code"] == world.grids["b1"].code
    assert body["residential_area"]["id"] == world.area_b.pk
    assert body["station"]["id"] == world.station_b.pk
    r = api("inspector").get("/places/locate", {"lat": 10, "lng": 10})
    assert r.status_code == 404 and r.json()["code"] == "outside"
    r = api("inspector").get("/places/locate", {"lat": "north"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"lat", "lng"}


def test_grids_and_stations_for_everyone_signed_in_areas_by_scope(api, world):
    resident = api("resident")
    grids = resident.get("/grids").json()["items"]
    assert [g["code"] for g in grids] == sorted(g.code for g in world.grids.values())
    assert grids[0]["geometry"] is None
    one = resident.get(f"/grids/{world.grids['a1'].pk}").json()
    assert one["geometry"]["type"] == "Polygon"
    assert len(resident.get("/grid-stations").json()["items"]) == 2
    assert resident.get("/residential-areas").json()["items"] == []
    mine = api("secretary").get("/residential-areas").json()["items"]
    assert [a["id"] for a in mine] == [world.area_a.pk]
    assert api("secretary").get(f"/residential-areas/{world.area_b.pk}").status_code == 404
    assert len(api("operator").get("/residential-areas").json()["items"]) == 2


def test_categories_with_leaves_and_filters(api, centre):
    op = api("operator")
    items = op.get("/categories").json()["items"]
    by_code = {c["code"]: c for c in items}
    assert by_code["E0102"]["leaf"] is True and by_code["E01"]["leaf"] is False
    assert by_code["E0102"]["parent_id"] == by_code["E01"]["id"]
    leaves = op.get("/categories", {"leaf": "true", "kind": "event"}).json()["items"]
    assert [c["code"] for c in leaves] == ["E0102"]
    page = op.get("/categories", {"limit": 2}).json()
    rest = op.get("/categories", {"limit": 10, "cursor": page["next_cursor"]}).json()
    assert [c["code"] for c in page["items"] + rest["items"]] == sorted(by_code)


def test_people_are_for_staff_masked_and_scoped(api, world):
    lead = world.secretary.person
    lead.mobile, lead.id_number = "13912345678", "310107198001011234"
    lead.save()
    r = api("resident").get("/people")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    op = api("operator")
    people = op.get("/people", {"limit": 200}).json()["items"]
    assert len(people) == Person.objects.count()
    mine = op.get(f"/people/{lead.pk}").json()
    assert mine["mobile"] == "139****5678" and mine["id_number"] == "310***********1234"
    assert "13912345678" not in str(people)
    assert mine["positions"][0]["organisation"]["id"] == world.orgs["branch_a"].pk
    # A department handler sees only the people of its department.
    handler = api("handler")
    names = {p["name"] for p in handler.get("/people").json()["items"]}
    assert names == {"张城管"}
    assert handler.get(f"/people/{lead.pk}").status_code == 404


def test_a_reveal_goes_to_those_who_need_it_and_is_logged_either_way(api, world):
    person = world.secretary.person
    person.mobile = "13912345678"
    person.save()
    r = api("operator").post(f"/people/{person.pk}/reveal", {"field": "mobile"})
    assert r.status_code == 200 and r.json() == {"field": "mobile", "value": "13912345678"}
    assert api("operator").get(f"/people/{person.pk}").json()["may_reveal"] is True
    # The leader sees the person but may not reveal: 403, and the refusal is logged.
    r = api("leader").post(f"/people/{person.pk}/reveal", {"field": "mobile"})
    assert r.status_code == 403
    logged = AuditEvent.objects.filter(object_id=str(person.pk))
    assert logged.filter(action="reveal").count() == 1
    assert logged.filter(action="denied", actor=world.leader).count() == 1
    r = api("operator").post(f"/people/{person.pk}/reveal", {"field": "note"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "field"


def test_organisations_for_staff_with_their_current_positions(api, world):
    op = api("operator")
    items = op.get("/organisations", {"kind": "department"}).json()["items"]
    assert {o["name"] for o in items} == {"城管中队", "房管办"}
    detail = op.get(f"/organisations/{world.orgs['chengguan'].pk}").json()
    assert [p["person"]["name"] for p in detail["positions"]] == ["张城管"]
    assert api("resident").get("/organisations").status_code == 403

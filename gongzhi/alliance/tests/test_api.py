"""The alliance's API: scoped lists with cursors, matches with reasons, the confirmation of a
match, and the project's actions from the action table (refusals, races, idempotent POSTs)."""

from __future__ import annotations

import pytest

from gongzhi.alliance import services
from gongzhi.alliance.models import Project
from gongzhi.alliance.tests.factories import NIGHTS, OFF_PEAK, NeedFactory, ResourceFactory, point
from gongzhi.api.tests.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _api(world, persona: str, **headers: str) -> ApiClient:
    return ApiClient(token_for(world.users[persona]), **headers)


def _project(world, **kw):
    return services.project_propose(
        actor=world.leader,
        title=kw.pop("title", "错时停车"),
        parties=[(world.orgs["school"], "provider")],
        residential_area=world.area_a,
        milestones=[("开放", None)],
        **kw,
    )


def test_lists_page_with_cursors(world):
    for i in range(5):
        ResourceFactory(owner=world.orgs["school"], title=f"资源{i}")
    api = _api(world, "liaison")
    r = api.get("/resources", {"limit": 2})
    assert r.status_code == 200
    body = r.json()
    seen = [x["id"] for x in body["items"]]
    while body["next_cursor"]:
        body = api.get("/resources", {"limit": 2, "cursor": body["next_cursor"]}).json()
        seen += [x["id"] for x in body["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert api.get("/resources", {"kind": "nonsense"}).status_code == 422


def test_residents_see_only_public_projects_and_no_lists(world):
    shown = _project(world, public=True)
    _project(world, title="内部")
    services.project_act(actor=world.leader, project=shown, action="agree")
    api = _api(world, "resident_a")
    assert [p["title"] for p in api.get("/projects").json()["items"]] == ["错时停车"]
    assert api.get("/resources").status_code == 403
    assert api.get("/needs").status_code == 403


def test_matches_and_confirm(world):
    need = NeedFactory(
        category="parking", residential_area=world.area_a, windows=NIGHTS, **point(200, 500)
    )
    res = ResourceFactory(
        owner=world.orgs["school"], kind="parking", windows=OFF_PEAK, **point(250, 500)
    )
    api = _api(world, "secretary")
    found = api.get(f"/needs/{need.pk}/matches").json()
    assert found[0]["resource"]["id"] == res.pk and found[0]["reasons"]
    r = api.post(f"/needs/{need.pk}/confirm-match", {"resource": res.pk})
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "proposed"
    assert _api(world, "other_secretary").post(
        f"/needs/{need.pk}/confirm-match", {"resource": res.pk}
    ).status_code in (403, 422)


def test_actions_refusals_and_races(world):
    p = _project(world)
    liaison = _api(world, "liaison")
    detail = liaison.get(f"/projects/{p.pk}").json()
    assert {a["action"] for a in detail["actions"]} == {"agree", "cancel"}
    r = _api(world, "other_secretary").post(f"/projects/{p.pk}/actions/agree", {})
    assert r.status_code == 403
    r = liaison.post(f"/projects/{p.pk}/actions/agree", {"expected_state": "proposed"})
    assert r.status_code == 200 and r.json()["state"] == "agreed"
    r = liaison.post(f"/projects/{p.pk}/actions/agree", {"expected_state": "proposed"})
    assert r.status_code == 409
    r = liaison.post(f"/projects/{p.pk}/actions/cancel", {})
    assert r.status_code in (400, 422)
    p.refresh_from_db()
    assert p.state == Project.State.AGREED


def test_idempotent_post(world):
    p = _project(world)
    api = _api(world, "leader", **{"Idempotency-Key": "agree-1"})
    first = api.post(f"/projects/{p.pk}/actions/agree", {})
    again = api.post(f"/projects/{p.pk}/actions/agree", {})
    assert first.status_code == again.status_code == 200
    assert p.events.filter(action="agree").count() == 1


def test_offer_a_resource_and_raise_a_need(world):
    liaison = _api(world, "liaison")
    r = liaison.post(
        "/resources",
        {
            "owner": world.orgs["school"].pk,
            "kind": "parking",
            "title": "学校停车场",
            "windows": [{"days": [0, 1, 2, 3, 4], "start": "17:30", "end": "07:30"}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["windows"][0]["start"] == "17:30"
    r = liaison.post(
        "/resources", {"owner": world.orgs["chengguan"].pk, "kind": "venue", "title": "x"}
    )
    assert r.status_code == 403
    r = liaison.post(
        "/resources",
        {
            "owner": world.orgs["school"].pk,
            "kind": "venue",
            "title": "x",
            "windows": [{"days": [9], "start": "01:00", "end": "02:00"}],
        },
    )
    assert r.status_code in (400, 422)
    sec = _api(world, "secretary")
    r = sec.post(
        "/needs", {"title": "夜间停车", "category": "parking", "residential_area": world.area_a.pk}
    )
    assert r.status_code == 201 and r.json()["residential_area"]["id"] == world.area_a.pk
    r = _api(world, "other_secretary").post(
        "/needs", {"title": "x", "category": "parking", "residential_area": world.area_a.pk}
    )
    assert r.status_code == 403
    assert sec.post("/needs", {"title": "x", "category": "nonsense"}).status_code == 422

"""Cases through the API: who sees which, filing, every workflow action, refusals, masking,
idempotent POSTs, ETags and cursors."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from PIL import Image

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case, CasePhoto
from gongzhi.cases.tests.conftest import advance


def _ids(r):
    assert r.status_code == 200, r.content
    return {c["id"] for c in r.json()["items"]}


def _png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


# --- who sees what -----------------------------------------------------------------------------


def test_each_role_lists_only_the_cases_in_its_scope(api, centre):
    garbage_a = advance(centre.intake(grid="a1"), "dispatched", centre)  # → 城管中队, station A
    manhole_b = advance(centre.intake(grid="b1", category=centre.manhole), "dispatched", centre)
    received = centre.intake(grid="b2")
    everything = {garbage_a.pk, manhole_b.pk, received.pk}
    assert _ids(api("operator").get("/cases")) == everything
    assert _ids(api("leader").get("/cases")) == everything
    assert _ids(api("handler").get("/cases")) == {garbage_a.pk}
    assert _ids(api("other_handler").get("/cases")) == {manhole_b.pk}
    assert _ids(api("inspector").get("/cases")) == {garbage_a.pk}  # station A only
    assert _ids(api("other_secretary").get("/cases")) == {manhole_b.pk, received.pk}  # area B
    assert _ids(api("resident").get("/cases")) == set()


def test_a_case_out_of_scope_is_404_like_a_missing_one(api, centre):
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    handler, other = api("handler"), api("other_handler")
    assert handler.get(f"/cases/{case.pk}").status_code == 200
    for path in (f"/cases/{case.pk}", f"/cases/{case.pk}/timeline", f"/cases/{case.pk}/photos"):
        r = other.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert other.get("/cases/999999").json()["code"] == "not_found"
    r = other.post(f"/cases/{case.pk}/actions/accept", {})
    assert r.status_code == 404  # not even told that it exists


def test_filters_search_and_the_overdue_queue(api, centre):
    a = centre.intake(grid="a1", description="兰溪路垃圾堆积")
    b = advance(centre.intake(grid="b1", category=centre.manhole), "filed", centre)
    op = api("operator")
    assert _ids(op.get("/cases", {"state": "filed"})) == {b.pk}
    assert _ids(op.get("/cases", {"grid": centre.world.grids["a1"].pk})) == {a.pk}
    assert _ids(op.get("/cases", {"residential_area": centre.world.area_b.pk})) == {b.pk}
    assert _ids(op.get("/cases", {"category": centre.manhole.parent_id})) == {b.pk}
    assert _ids(op.get("/cases", {"q": b.number})) == {b.pk}
    assert _ids(op.get("/cases", {"state": "open", "sort": "due"})) == {a.pk, b.pk}
    r = op.get("/cases", {"state": "nonsense"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "state"


# --- masking ------------------------------------------------------------------------------------


def test_the_reporters_phone_is_masked_for_everyone_and_revealed_by_role_with_a_log(api, centre):
    case = advance(
        centre.intake(grid="a1", reporter_phone="13812345678", reporter_name="张三明"),
        "dispatched",
        centre,
    )
    for persona in ("operator", "handler", "inspector", "leader"):
        body = api(persona).get(f"/cases/{case.pk}").json()
        assert body["reporter_phone"] == "138****5678", persona
        assert "13812345678" not in str(body)
        assert body["reporter_name"] == "张*明"
    # The centre and the department handling it may reveal; an inspector may not.
    for persona in ("operator", "handler"):
        c = api(persona)
        assert c.get(f"/cases/{case.pk}").json()["may_reveal_phone"] is True
        r = c.post(f"/cases/{case.pk}/reveal-phone")
        assert r.status_code == 200 and r.json()["value"] == "13812345678"
    inspector = api("inspector")
    assert inspector.get(f"/cases/{case.pk}").json()["may_reveal_phone"] is False
    r = inspector.post(f"/cases/{case.pk}/reveal-phone")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    logged = AuditEvent.objects.filter(object_id=str(case.pk))
    assert logged.filter(action="reveal").count() == 2
    assert logged.filter(action="denied", actor=centre.world.inspector).count() == 1


def test_a_reveal_is_never_replayed_from_storage(api, centre):
    case = centre.intake(grid="a1", reporter_phone="13812345678")
    op = api("operator")
    key = {"Idempotency-Key": "reveal-1"}
    assert op.post(f"/cases/{case.pk}/reveal-phone", **key).json()["value"] == "13812345678"
    r = op.post(f"/cases/{case.pk}/reveal-phone", **key)
    assert "Idempotent-Replayed" not in r
    from gongzhi.api.models import IdempotencyRecord

    assert not IdempotencyRecord.objects.filter(key="reveal-1").exists()
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="reveal").count() == 2


# --- filing ------------------------------------------------------------------------------------


def test_the_centre_files_a_hotline_work_order_once(api, centre):
    op = api("operator")
    lat, lng = centre.point_in("a2")
    payload = {
        "channel": "hotline",
        "type": "complaint",
        "category": centre.garbage.pk,
        "description": "小区门口垃圾堆放三天无人清运",
        "lat": lat,
        "lng": lng,
        "reporter_phone": "13900001111",
        "external_ref": "12345-2026-000001",
        "photos": [_png()],
    }
    r = op.post("/cases", payload)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["created"] is True
    case = body["case"]
    assert case["grid"]["code"] == centre.world.grids["a2"].code
    assert case["reporter_phone"] == "139****1111"
    assert r["Location"] == f"/api/v1/cases/{case['id']}"
    assert {a["action"] for a in case["actions"]} >= {"file", "merge"}
    assert CasePhoto.objects.filter(case_id=case["id"], stage="report").count() == 1
    # The same work order again (without an idempotency key): the case already taken in.
    r = op.post("/cases", payload)
    assert r.status_code == 200 and r.json()["created"] is False
    assert r.json()["case"]["id"] == case["id"]
    assert Case.objects.count() == 1


def test_residents_report_as_themselves_and_only_as_residents(api, centre):
    resident = api("resident")
    lat, lng = centre.point_in("b1")
    r = resident.post(
        "/cases",
        {
            "channel": "resident",
            "category": centre.garbage.pk,
            "description": "路灯不亮",
            "lat": lat,
            "lng": lng,
        },
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["case"]["id"])
    assert case.reporter_user == centre.world.resident
    body = r.json()["case"]
    assert body["department"] is None and body["actions"] == []
    # They follow it: their own cases only, and only the public steps of its timeline.
    assert _ids(resident.get("/cases")) == {case.pk}
    steps = resident.get(f"/cases/{case.pk}/timeline").json()["items"]
    assert steps and all(s["public"] and s["actor"] == "" for s in steps)
    r = resident.post(
        "/cases", {"channel": "hotline", "category": centre.garbage.pk, "description": "x"}
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_bad_input_gets_every_problem_by_field_in_one_body(api, centre):
    op = api("operator")
    r = op.post("/cases", {"channel": "fax", "category": "x", "lat": 999})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and body["message"]
    fields = {e["field"] for e in body["errors"]}
    assert {"channel", "category", "description", "lat"} <= fields
    assert all(e["message"] for e in body["errors"])
    # A rule of the service (a point outside the subdistrict): its message and its field.
    r = op.post(
        "/cases",
        {
            "channel": "hotline",
            "category": centre.garbage.pk,
            "description": "x",
            "lat": 10,
            "lng": 10,
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "location"
    r = op.client.post(
        "/api/v1/cases", "{not json", content_type="application/json", headers=op.headers
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_request"


# --- the workflow ---------------------------------------------------------------------------


def _act(client, case, action, payload=None, status=200):
    r = client.post(f"/cases/{case.pk}/actions/{action}", payload or {})
    assert r.status_code == status, (action, r.content)
    return r.json()


def test_every_workflow_action_through_the_api(api, centre):
    w = centre.world
    op, chief, handler, inspector, leader = (
        api("operator"),
        api("duty_chief"),
        api("handler"),
        api("inspector"),
        api("leader"),
    )
    case = centre.intake(grid="a1", urgency="urgent")
    assert _act(op, case, "acknowledge")["state"] == "received"
    assert _act(op, case, "file", {"expected_state": "received"})["state"] == "filed"
    assert _act(leader, case, "supervise", {"note": "请尽快处理"})["supervision_level"] == 1
    body = _act(op, case, "dispatch", {"department": w.orgs["chengguan"].pk})
    assert body["state"] == "dispatched" and body["department"]["id"] == w.orgs["chengguan"].pk
    assert _act(handler, case, "accept")["state"] == "accepted"
    _act(
        handler,
        case,
        "request_extension",
        {"amount": "2", "unit": "working_days", "note": "需协调"},
    )
    body = _act(chief, case, "refuse_extension", {"note": "不予延期"})
    assert body["extension_requests"][0]["status"] == "refused"
    _act(handler, case, "request_extension", {"amount": "1", "note": "再次申请"})
    body = _act(chief, case, "approve_extension")
    assert body["extension_requests"][-1]["status"] == "approved"
    assert _act(chief, case, "suspend", {"note": "季节性"})["state"] == "suspended"
    assert _act(chief, case, "resume")["state"] == "accepted"
    _act(handler, case, "comment", {"note": "已联系物业"})
    body = _act(handler, case, "handle", {"result": "已清运", "photos": [_png()]})
    assert body["state"] == "handled"
    assert CasePhoto.objects.filter(case=case, stage="handle").count() == 1
    assert _act(inspector, case, "verify_fail", {"note": "仍有残留"})["state"] == "accepted"
    _act(handler, case, "handle", {"result": "已彻底清运"})
    assert _act(inspector, case, "verify_pass", {"note": "现场已清理"})["state"] == "closed"
    assert _act(op, case, "evaluate", {"satisfaction": "satisfied"})["state"] == "evaluated"
    assert _act(op, case, "reopen", {"note": "居民再次反映"})["state"] == "filed"
    assert _act(chief, case, "escalate", {"note": "需区级协调"})["state"] == "escalated"
    assert _act(op, case, "district_reply", {"result": "区级已处理"})["state"] == "handled"
    # Returning, refusing and merging, on other cases.
    other = advance(centre.intake(grid="a2"), "dispatched", centre)
    assert _act(handler, other, "return", {"note": "不属于本部门"})["state"] == "returned"
    refused = centre.intake(grid="a2")
    assert _act(chief, refused, "not_accept", {"note": "不属于受理范围"})["state"] == "not_accepted"
    dup = centre.intake(grid="a1")
    body = _act(op, dup, "merge", {"master": case.number})
    assert body["state"] == "merged" and body["merged_into"]["name"] == case.number
    timeline = op.get(f"/cases/{case.pk}/timeline", {"limit": 200}).json()["items"]
    actions = [e["action"] for e in timeline]
    for step in ("receive", "file", "dispatch", "accept", "handle", "verify_fail", "reopen"):
        assert step in actions


def test_refused_transitions_say_why_and_change_nothing(api, centre):
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    # Not this role's action: 403 with the reason.
    r = api("operator").post(f"/cases/{case.pk}/actions/accept", {})
    assert r.status_code == 403 and "签收" in r.json()["message"]
    # Not from this state: 409.
    r = api("handler").post(f"/cases/{case.pk}/actions/handle", {"result": "已处理"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert r.json()["message"]
    # The state the user saw is stale: 409 naming who changed it.
    r = api("handler").post(f"/cases/{case.pk}/actions/accept", {"expected_state": "filed"})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    # A required note missing: 422 on the field.
    r = api("handler").post(f"/cases/{case.pk}/actions/return", {})
    assert r.status_code == 422 and r.json()["errors"] == [
        {"field": "note", "message": r.json()["errors"][0]["message"]}
    ]
    case.refresh_from_db()
    assert case.state == "dispatched"


# --- Idempotency-Key -------------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_never_files_a_second_case(api, centre):
    op = api("operator")
    payload = {"channel": "hotline", "category": centre.garbage.pk, "description": "噪声扰民"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = op.post("/cases", payload, **key)
    assert first.status_code == 201
    again = op.post("/cases", payload, **key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content and again["Location"] == first["Location"]
    assert Case.objects.count() == 1
    # The same key with another body: refused, nothing filed.
    r = op.post("/cases", {**payload, "description": "别的事"}, **key)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1
    # Another user's key space is their own; without a key every POST files anew.
    assert api("duty_chief").post("/cases", payload, **key).status_code == 201
    assert op.post("/cases", payload).status_code == 201
    assert Case.objects.count() == 3


def test_a_refused_post_is_not_stored_so_it_can_be_retried(api, centre):
    case = advance(centre.intake(grid="a1"), "dispatched", centre)
    handler = api("handler")
    key = {"Idempotency-Key": "accept-once"}
    assert handler.post(f"/cases/{case.pk}/actions/return", {}, **key).status_code == 422
    r = handler.post(f"/cases/{case.pk}/actions/return", {"note": "不属于本部门"}, **key)
    assert r.status_code == 200
    r = handler.post(f"/cases/{case.pk}/actions/return", {"note": "不属于本部门"}, **key)
    assert r["Idempotent-Replayed"] == "true" and r.json()["state"] == "returned"
    assert case.events.filter(action="return").count() == 1


def test_an_unusable_key_is_refused(api, centre):
    r = api("operator").post("/cases", {}, **{"Idempotency-Key": "x" * 300})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "Idempotency-Key"


# --- ETags -----------------------------------------------------------------------------------------


def test_reads_carry_an_etag_and_an_unchanged_one_gets_304(api, centre):
    case = centre.intake(grid="a1")
    op = api("operator")
    r = op.get(f"/cases/{case.pk}")
    tag = r["ETag"]
    assert tag.startswith('"') and "private" in r["Cache-Control"]
    r = op.get(f"/cases/{case.pk}", **{"If-None-Match": tag})
    assert r.status_code == 304 and r.content == b"" and r["ETag"] == tag
    assert op.get("/cases", **{"If-None-Match": tag}).status_code == 200  # another resource
    op.post(f"/cases/{case.pk}/actions/file", {})
    r = op.get(f"/cases/{case.pk}", **{"If-None-Match": tag})
    assert r.status_code == 200 and r["ETag"] != tag


# --- cursors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["newest", "due"])
def test_cursor_pages_are_stable_while_cases_come_in(api, centre, sort):
    for grid in ("a1", "a2", "b1", "b2", "a1"):
        centre.intake(grid=grid)
    op = api("operator")
    seen: list[int] = []
    page = op.get("/cases", {"limit": 2, "sort": sort}).json()
    seen += [c["id"] for c in page["items"]]
    centre.intake(grid="b2")  # arrives while the client is paging
    while page["next_cursor"]:
        page = op.get("/cases", {"limit": 2, "sort": sort, "cursor": page["next_cursor"]}).json()
        seen += [c["id"] for c in page["items"]]
    assert len(seen) == len(set(seen))  # nothing twice
    first_five = set(Case.objects.order_by("id").values_list("id", flat=True)[:5])
    assert first_five <= set(seen)  # nothing skipped
    r = op.get("/cases", {"cursor": "garbage"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


# --- photos ------------------------------------------------------------------------------------------


def test_photos_are_listed_and_served_the_original_to_staff_only(api, centre, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    resident = api("resident")
    lat, lng = centre.point_in("a1")
    r = resident.post(
        "/cases",
        {
            "channel": "resident",
            "category": centre.garbage.pk,
            "description": "井盖破损",
            "lat": lat,
            "lng": lng,
            "photos": [_png()],
        },
    )
    case_id = r.json()["case"]["id"]
    items = resident.get(f"/cases/{case_id}/photos").json()["items"]
    assert len(items) == 1 and set(items[0]["urls"]) == {"thumb", "public"}
    thumb = resident.client.get(items[0]["urls"]["thumb"], headers=resident.headers)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    original = items[0]["urls"]["public"].replace("/public", "/original")
    assert resident.client.get(original, headers=resident.headers).status_code == 404
    op = api("operator")
    staff_items = op.get(f"/cases/{case_id}/photos").json()["items"]
    r = op.client.get(staff_items[0]["urls"]["original"], headers=op.headers)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    r = op.client.get(
        staff_items[0]["urls"]["original"], headers={**op.headers, "If-None-Match": r["ETag"]}
    )
    assert r.status_code == 304
    r = op.post(
        "/cases",
        {
            "channel": "hotline",
            "category": centre.garbage.pk,
            "description": "x",
            "photos": ["not base64!"],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "photos.0"


def test_times_and_text_the_database_could_not_store_are_refused_by_field(api, centre):
    op = api("operator")
    r = op.get("/cases", {"received_after": "0438-10-10T16:11:35+21:14"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "received_after"
    r = op.get("/cases", {"received_after": "2026-05-01T09:30:00+15:30"})
    assert r.status_code == 200  # a far offset, but a real moment: compared in UTC
    r = op.post(
        "/cases", {"channel": "hotline", "category": centre.garbage.pk, "description": "a\x00b"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "description"
    r = op.get("/cases", {"q": "x\x00"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"


def test_keys_are_kept_for_a_day_then_forgotten(api, centre, time_machine):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.api.models import IdempotencyRecord
    from gongzhi.api.tasks import purge_idempotency

    time_machine.move_to(timezone.now(), tick=False)
    op = api("operator")
    payload = {"channel": "hotline", "category": centre.garbage.pk, "description": "占道经营"}
    key = {"Idempotency-Key": "daily-report"}
    assert op.post("/cases", payload, **key).status_code == 201
    time_machine.shift(dt.timedelta(hours=23))
    assert op.post("/cases", payload, **key)["Idempotent-Replayed"] == "true"
    time_machine.shift(dt.timedelta(hours=2))
    r = op.post("/cases", {**payload, "description": "次日再报"}, **key)
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert Case.objects.count() == 2
    time_machine.shift(dt.timedelta(hours=25))
    assert purge_idempotency()["deleted"] == 1
    assert not IdempotencyRecord.objects.exists()


def test_an_inspector_gets_the_answer_for_a_report_outside_their_station(api, centre):
    lat, lng = centre.point_in("b2")  # station B's grid; the inspector is station A's
    r = api("inspector").post(
        "/cases",
        {
            "channel": "inspector",
            "category": centre.garbage.pk,
            "description": "绿地脏乱",
            "lat": lat,
            "lng": lng,
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["case"]["station"]["id"] == centre.world.station_b.pk
    assert r.json()["case"]["residential_area"]["id"] == centre.world.area_b.pk

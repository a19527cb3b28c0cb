"""The councils' API: meetings in scope, RSVP, one ballot each, action items with their actions
and progress, topics and opinions; bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.meetings import services
from gongzhi.meetings.models import ActionItem, Opinion, Topic

pytestmark = pytest.mark.django_db


def _api(world, persona: str) -> ApiClient:
    """One token per user (a second of the same name is refused), kept on the test's user."""
    user = world.users[persona]
    if not hasattr(user, "_test_api"):
        user._test_api = ApiClient(token_for(user))
    return user._test_api


def test_meetings_rsvp_and_details(council):
    w = council.world
    m = council.meeting()
    services.meeting_call(actor=council.secretary, meeting=m)
    api = _api(w, "secretary")
    assert [x["id"] for x in api.get("/meetings").json()["items"]] == [m.pk]
    assert _api(w, "inspector").get("/meetings").json()["items"] == []
    assert _api(w, "inspector").get(f"/meetings/{m.pk}").status_code == 404
    assert api.post(f"/meetings/{m.pk}/rsvp", {"reply": "maybe"}).status_code == 422
    r = api.post(f"/meetings/{m.pk}/rsvp", {"reply": "accepted"})
    assert r.status_code == 200 and r.json()["reply"] == "accepted"
    assert (
        _api(w, "handler").post(f"/meetings/{m.pk}/rsvp", {"reply": "declined"}).json()["kind"]
        == "attending"
    )
    detail = api.get(f"/meetings/{m.pk}").json()
    assert detail["quorum_seats"] == 5 and len(detail["invitations"]) == 6


def test_one_ballot_each_through_the_api(council):
    w = council.world
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    api = _api(w, "secretary")
    assert api.post(f"/votes/{vote.pk}/ballot", {"choice": "maybe"}).status_code == 422
    r = api.post(f"/votes/{vote.pk}/ballot", {"choice": "yes"})
    assert r.status_code == 200 and r.json()["cast"] == 1 and r.json()["turnout"] == 25
    assert api.post(f"/votes/{vote.pk}/ballot", {"choice": "no"}).status_code == 409
    assert (
        _api(w, "other_secretary").post(f"/votes/{vote.pk}/ballot", {"choice": "no"}).status_code
        == 403
    )
    assert (
        _api(w, "inspector").post(f"/votes/{vote.pk}/ballot", {"choice": "no"}).status_code == 404
    )
    assert services.results(vote)["counts"] == {"yes": 1, "no": 0, "abstain": 0}


def test_action_items_and_their_actions(council):
    w = council.world
    m = council.held()
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    api = _api(w, "liaison")
    body = api.get("/action-items", {"mine": True}).json()
    assert [x["id"] for x in body["items"]] == [item.pk]
    assert body["items"][0]["progress"]["kind"] == ""
    assert api.post(f"/action-items/{item.pk}/actions/complete", {}).status_code in (400, 422)
    r = api.post(f"/action-items/{item.pk}/actions/start", {"expected_state": "open"})
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    assert api.post(f"/action-items/{item.pk}/actions/start", {}).status_code == 409
    assert api.post(f"/action-items/{item.pk}/actions/cancel", {"note": "x"}).status_code == 403
    assert _api(w, "inspector").get(f"/action-items/{item.pk}").status_code == 404
    assert api.post(
        f"/action-items/{item.pk}/actions/file_case", {"category": 999999}
    ).status_code in (400, 422)
    item.refresh_from_db()
    assert item.state == "in_progress" and item.case_id is None
    assert ActionItem.objects.count() == 1


def test_topics_and_opinions(council):
    w = council.world
    api = _api(w, "resident_a")
    assert api.post("/topics", {"body": 999999, "title": "x"}).status_code == 422
    assert api.post("/topics", {"body": council.body.pk, "title": ""}).status_code == 422
    r = api.post("/topics", {"body": council.body.pk, "title": "加装电梯"})
    assert r.status_code == 201 and r.json()["proposer_kind"] == "resident"
    t = Topic.objects.get()
    assert api.post(f"/topics/{t.pk}/opinions", {"text": "赞成"}).status_code == 422  # not open
    services.topic_move(actor=council.secretary, topic=t, to="consulting")
    assert (
        api.post(f"/topics/{t.pk}/opinions", {"text": "赞成", "source": "paper"}).status_code == 403
    )
    assert api.post(f"/topics/{t.pk}/opinions", {"text": ""}).status_code == 422
    assert api.post(f"/topics/{t.pk}/opinions", {"text": "赞成"}).status_code == 201
    assert Opinion.objects.count() == 1
    assert [x["title"] for x in api.get("/topics").json()["items"]] == ["加装电梯"]

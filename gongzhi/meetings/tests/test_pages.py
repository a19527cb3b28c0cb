"""The pages: each renders for those who may see it, hides what they may not (404), and a bad
input on any form is refused with the reason in the user's language and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.meetings import services
from gongzhi.meetings.models import (
    ActionItem,
    AgendaItem,
    Body,
    Meeting,
    ReceptionDay,
    Topic,
    TrainingSession,
    Vote,
)

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_every_page_renders_for_the_councils_secretary(council, client):
    w = council.world
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    t = services.topic_propose(
        actor=council.secretary, body=council.body, title="议题", proposer_kind="unit"
    )
    day = services.reception_day_create(
        actor=w.leader, deputy=w.liaison.person, deputy_kind="cppcc", held_on=dt.date(2026, 3, 5)
    )
    _login(client, council.secretary)
    for url in (
        reverse("meetings:index"),
        reverse("meetings:body", args=[council.body.pk]),
        reverse("meetings:meeting", args=[m.pk]),
        reverse("meetings:items"),
        reverse("meetings:items") + "?overdue=1&state=open",
        reverse("meetings:item", args=[item.pk]),
        reverse("meetings:topics"),
        reverse("meetings:topic", args=[t.pk]),
        reverse("meetings:receptions"),
        reverse("meetings:reception", args=[day.pk]),
        reverse("meetings:training") + "?year=x",
        reverse("meetings:public"),
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    page = client.get(reverse("meetings:meeting", args=[m.pk])).content.decode()
    assert 'data-testid="vote-form"' not in page or vote.pk
    assert 'data-testid="cast-form"' in page  # the secretary holds a voting seat, present


def test_a_councils_papers_are_seen_by_its_members_and_invitees_only(council, client):
    w = council.world
    m = council.meeting()
    url = reverse("meetings:meeting", args=[m.pk])
    assert _login(client, w.secretary).get(url).status_code == 200  # a member
    assert _login(client, w.inspector).get(url).status_code == 404  # staff, not a member
    assert _login(client, w.resident_a).get(url).status_code == 404
    assert _login(client, w.handler).get(url).status_code == 404  # not invited yet
    services.meeting_call(actor=council.secretary, meeting=m)
    assert _login(client, w.handler).get(url).status_code == 200  # the attending unit's staff
    assert _login(client, w.auditor).get(url).status_code == 200
    # The council's rules may open its papers to every staff member.
    Body.objects.filter(pk=council.body.pk).update(papers=Body.Papers.STAFF)
    assert _login(client, w.inspector).get(url).status_code == 200
    assert _login(client, w.resident_a).get(url).status_code == 404


def test_a_paper_is_downloaded_by_those_who_see_the_meeting_only(council, client):
    m = council.meeting()
    a = services.attachment_add(
        actor=council.secretary, meeting=m, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    )
    url = reverse("meetings:attachment", args=[a.pk])
    r = _login(client, council.world.secretary).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert _login(client, council.world.inspector).get(url).status_code == 404


def test_members_cannot_manage_the_meeting(council, client):
    m = council.meeting()
    _login(client, council.world.secretary)
    r = client.post(reverse("meetings:meeting_post", args=[m.pk, "call"]))
    assert r.status_code == 403
    m.refresh_from_db()
    assert m.state == "planned"


def _changes():
    return AuditEvent.objects.count()


@pytest.mark.parametrize(
    "op,data",
    [
        ("agenda", {"title": ""}),
        ("agenda", {"title": "x" * 201}),
        ("vote", {"question": ""}),
        ("vote", {"question": "议题", "topic": "999999"}),
        ("item", {"title": "整改", "owner": "999999", "working_days": "5"}),
        ("item", {"title": "整改", "owner": "", "working_days": "0"}),
        ("item", {"title": "", "working_days": "abc"}),
        ("minutes", {"minutes": "", "close": "on"}),
        ("attendance", {}),
        ("reply", {"invitation": "abc", "reply": "accepted"}),
        ("cancel", {"reason": ""}),
        ("paper", {}),
    ],
)
def test_bad_input_on_the_meeting_page_changes_nothing(council, client, op, data):
    m = council.held()
    before = _changes()
    _login(client, council.secretary)
    r = client.post(reverse("meetings:meeting_post", args=[m.pk, op]), data)
    assert r.status_code == 400, r.status_code
    assert 'class="alert' in r.content.decode()
    assert _changes() == before
    assert Vote.objects.count() == 0 and ActionItem.objects.count() == 0
    assert AgendaItem.objects.filter(meeting=m).count() == 1


def test_bad_papers_are_refused_with_the_reason(council, client):
    m = council.meeting()
    _login(client, council.secretary)
    r = client.post(
        reverse("meetings:meeting_post", args=[m.pk, "paper"]),
        {"file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00")},
    )
    assert r.status_code == 400
    assert "PDF" in r.content.decode()
    assert m.attachments.count() == 0


def test_no_quorum_is_said_on_the_page(council, client):
    m = council.held(present=("service_staff",))
    _login(client, council.secretary)
    r = client.post(reverse("meetings:meeting_post", args=[m.pk, "vote"]), {"question": "议题"})
    assert r.status_code == 400
    assert "法定人数" in r.content.decode()  # in Chinese
    assert Vote.objects.count() == 0


def test_a_second_ballot_from_the_page_is_refused(council, client):
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    _login(client, council.world.secretary)
    url = reverse("meetings:vote_post", args=[vote.pk, "cast"])
    assert client.post(url, {"choice": "yes"}).status_code == 302
    assert client.post(url, {"choice": "no"}).status_code == 400
    assert client.post(url, {"choice": "maybe"}).status_code == 400
    assert services.results(vote)["cast"] == 1


@pytest.mark.parametrize(
    "action,data",
    [
        ("complete", {"complete-note": ""}),
        ("file_case", {"file_case-category": "999999"}),
        ("start", {"start-expected_state": "done"}),
    ],
)
def test_bad_input_on_an_action_item_changes_nothing(council, client, action, data):
    w = council.world
    m = council.held()
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    before = _changes()
    _login(client, w.liaison)
    payload = {f"{action}-expected_state": "open", **data}
    r = client.post(reverse("meetings:item_act", args=[item.pk, action]), payload)
    assert r.status_code in (400, 409)
    assert _changes() == before
    item.refresh_from_db()
    assert item.state == "open" and item.case is None


def test_an_item_is_hidden_from_those_outside_the_council(council, client):
    w = council.world
    m = council.held()
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    assert (
        _login(client, w.inspector).get(reverse("meetings:item", args=[item.pk])).status_code == 404
    )
    r = _login(client, w.inspector).post(
        reverse("meetings:item_act", args=[item.pk, "start"]), {"start-expected_state": "open"}
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    "url_name,data",
    [
        ("topics", {"body": "", "title": "x"}),
        ("topics", {"body": "BODY", "title": ""}),
        ("receptions", {"deputy": "999999", "deputy_kind": "cppcc", "held_on": "2026-03-05"}),
        ("receptions", {"deputy": "LIAISON", "deputy_kind": "x", "held_on": "2026-13-05"}),
        ("training", {"course": "COURSE", "held_on": "2026-03-05", "hours": "99"}),
    ],
)
def test_bad_input_on_the_other_forms_changes_nothing(council, client, url_name, data):
    from gongzhi.meetings.models import Course

    course = Course.objects.create(title="课程")
    w = council.world
    swap = {
        "BODY": str(council.body.pk),
        "LIAISON": str(w.liaison.person_id),
        "COURSE": str(course.pk),
    }
    data = {k: swap.get(v, v) for k, v in data.items()}
    before = _changes()
    _login(client, w.leader)
    r = client.post(reverse(f"meetings:{url_name}"), data)
    assert r.status_code == 400
    assert _changes() == before
    assert (
        Topic.objects.count()
        == ReceptionDay.objects.count()
        == TrainingSession.objects.count()
        == 0
    )


def test_bad_opinions_change_nothing(council, client):
    w = council.world
    t = services.topic_propose(
        actor=council.secretary, body=council.body, title="议题", proposer_kind="unit"
    )
    _login(client, w.resident_a)
    assert (
        client.post(
            reverse("meetings:topic_post", args=[t.pk, "opinion"]), {"text": "赞成"}
        ).status_code
        == 404
    )  # not open: not seen
    services.topic_move(actor=council.secretary, topic=t, to="consulting")
    assert (
        client.post(
            reverse("meetings:topic_post", args=[t.pk, "opinion"]), {"text": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(reverse("meetings:topic_post", args=[t.pk, "paper"]), {"text": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("meetings:topic_post", args=[t.pk, "opinion"]), {"text": "赞成"}
        ).status_code
        == 302
    )
    assert t.opinions.count() == 1


def test_the_home_page_shows_a_members_invitations(council, client):
    m = council.meeting()
    services.meeting_call(actor=council.secretary, meeting=m)
    _login(client, council.world.secretary)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-meetings"' in page and m.title in page
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    "op,data",
    [
        ("meeting_new", {"title": "会议", "starts_at": "明天下午"}),
        ("meeting_new", {"title": "", "starts_at": "2026-12-20T14:00"}),
        ("plan", {"schedule": "999999", "year": "2026"}),
        ("plan", {"schedule": "", "year": "20266"}),
    ],
)
def test_bad_input_when_scheduling_changes_nothing(council, client, op, data):
    before = _changes()
    _login(client, council.secretary)
    r = client.post(reverse(f"meetings:{op}", args=[council.body.pk]), data)
    assert r.status_code == 400
    assert 'class="alert' in r.content.decode()
    assert _changes() == before and Meeting.objects.count() == 0


def test_only_officers_schedule(council, client):
    _login(client, council.world.secretary)
    r = client.post(
        reverse("meetings:meeting_new", args=[council.body.pk]),
        {"title": "会议", "starts_at": "2026-12-20T14:00"},
    )
    assert r.status_code == 403 and Meeting.objects.count() == 0


def test_an_items_timeline_names_its_steps_in_chinese(council, client):
    w = council.world
    m = council.held()
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    services.action_item_act(actor=w.liaison, item=item, action="start")
    page = _login(client, w.liaison).get(reverse("meetings:item", args=[item.pk])).content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ul>")[0]
    assert "会议议定" in timeline and "开始办理" in timeline and "start" not in timeline


def test_the_service_staff_record_who_attended_a_training_session(council, client):
    from gongzhi.meetings.models import Course, TrainingAttendance

    w = council.world
    course = Course.objects.create(title="社区工作者能力提升")
    session = services.session_create(
        actor=w.service_staff, course=course, held_on=dt.date(2026, 4, 1), hours="3.5"
    )
    url = reverse("meetings:training_session", args=[session.pk])
    _login(client, w.service_staff)
    page = client.get(url).content.decode()
    assert 'data-testid="attendance-form"' in page and w.secretary.person.name in page
    ok = client.post(url, {"people": [w.secretary.person.pk, w.other_secretary.person.pk]})
    assert ok.status_code == 302
    assert set(TrainingAttendance.objects.values_list("person_id", flat=True)) == {
        w.secretary.person.pk,
        w.other_secretary.person.pk,
    }
    # Someone who is not a community worker, or nobody: refused, nothing recorded.
    for bad in ({"people": [w.operator.person.pk]}, {}):
        assert client.post(url, bad).status_code == 400
    assert TrainingAttendance.objects.count() == 2
    assert "3.5" in client.get(reverse("meetings:training")).content.decode()
    # A secretary sees the session but may not record attendance.
    _login(client, w.secretary)
    assert 'data-testid="attendance-form"' not in client.get(url).content.decode()
    assert client.post(url, {"people": [w.secretary.person.pk]}).status_code == 403

"""Resolutions become action items: a deadline in working days, followed on every later
meeting's agenda until done, reminders when overdue, and a case or an alliance project that
carries one out, whose progress the item shows live."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance, make_centre
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import ActionItem
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def resolution(council, meeting=None, *, owner=None, days=10):
    w = council.world
    m = meeting or council.held(days=-30)
    vote = services.vote_open(actor=council.secretary, meeting=m, question="开放学校停车场")
    for u in (w.leader, w.secretary, w.liaison):
        services.vote_cast(actor=u, vote=vote, choice="yes")
    vote = services.vote_close(actor=council.secretary, vote=vote)
    assert vote.passed
    return services.action_item_create(
        actor=council.secretary,
        meeting=m,
        title="协调学校停车场错时开放",
        owner=(owner or w.liaison).person,
        owner_organisation=w.orgs["school"],
        working_days=days,
        vote=vote,
    )


def test_the_deadline_counts_working_days(council):
    m = council.held()
    start = timezone.localtime(m.starts_at).date()
    item = services.action_item_create(
        actor=council.secretary,
        meeting=m,
        title="整改",
        owner=council.world.liaison.person,
        working_days=5,
    )
    from gongzhi.worktime.calendar import get_calendar

    cal = get_calendar()
    assert cal.count(start.toordinal() + 1, item.due_on.toordinal() + 1) == 5
    assert cal.is_working_day(item.due_on)
    assert item.events.get().action == "create"


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"title": ""}, "title"),
        ({"working_days": 0}, "working_days"),
        ({"working_days": "十"}, "working_days"),
        ({"owner": None}, "owner"),
    ],
)
def test_bad_action_items_are_refused(council, kw, field):
    m = council.held()
    args = {"title": "整改", "owner": council.world.liaison.person, "working_days": 5, **kw}
    with pytest.raises(ServiceError) as exc:
        services.action_item_create(actor=council.secretary, meeting=m, **args)
    assert field in exc.value.field_errors
    assert ActionItem.objects.count() == 0


def test_a_vote_that_did_not_pass_makes_no_action_item(council):
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="议题")
    services.vote_close(actor=council.secretary, vote=vote)
    with pytest.raises(ServiceError):
        services.action_item_create(
            actor=council.secretary,
            meeting=m,
            title="x",
            owner=council.world.liaison.person,
            working_days=3,
            vote=vote,
        )


def test_an_item_is_followed_on_every_later_meeting_until_done(council):
    w = council.world
    item = resolution(council)
    first = item.meeting
    second = council.held(days=-10, title="第二次会议")
    third = council.meeting(days=20, title="第三次会议")
    assert [i.pk for i in selectors.follow_ups(second)] == [item.pk]
    assert [i.pk for i in selectors.follow_ups(third)] == [item.pk]
    assert selectors.follow_ups(first) == []
    services.action_item_act(actor=w.liaison, item=item, action="start")
    services.action_item_act(actor=w.liaison, item=item, action="complete", note="已开放 40 个车位")
    item.refresh_from_db()
    assert item.state == "done" and item.outcome == "已开放 40 个车位"
    # Done after the second meeting: the third (still to come) shows it once more, as done;
    # a meeting after that no longer does.
    assert [i.state for i in selectors.follow_ups(third)] == ["done"]
    fourth = council.meeting(days=60, title="第四次会议")
    fourth.starts_at = timezone.now() + dt.timedelta(days=60)
    fourth.save()
    services.action_item_act(actor=council.secretary, item=item, action="reopen", note="车位不足")
    assert [i.pk for i in selectors.follow_ups(fourth)] == [item.pk]


def test_who_acts_on_an_item(council):
    w = council.world
    item = resolution(council)
    with pytest.raises(NotAllowed):
        services.action_item_act(actor=w.other_secretary, item=item, action="start")
    with pytest.raises(NotAllowed):  # the owner may not cancel; the council's officers may
        services.action_item_act(actor=w.liaison, item=item, action="cancel", note="x")
    with pytest.raises(ServiceError):  # a note is required
        services.action_item_act(actor=council.secretary, item=item, action="cancel")
    services.action_item_act(actor=council.secretary, item=item, action="cancel", note="另行安排")
    item.refresh_from_db()
    assert item.state == "cancelled"


def test_an_item_files_a_case_and_shows_its_progress_live(council):
    w = council.world
    centre = make_centre(w)
    item = resolution(council)
    with pytest.raises(ServiceError) as exc:
        services.action_item_act(
            actor=w.liaison, item=item, action="file_case", params={"category": 999999}
        )
    assert "category" in exc.value.field_errors
    assert Case.objects.count() == 0
    services.action_item_act(
        actor=w.liaison,
        item=item,
        action="file_case",
        params={
            "category": centre.garbage.pk,
            "description": "学校门口垃圾堆放",
            "address": "兰溪路 1 号",
        },
    )
    item.refresh_from_db()
    case = Case.objects.get()
    assert item.case == case and case.channel == Case.Channel.DEPUTY
    assert case.reporter_user == w.liaison
    p = selectors.item_progress(item)
    assert (p.kind, p.state) == ("case", "received")
    advance(case, "handled", centre)
    p = selectors.item_progress(item)
    assert (p.kind, p.state, p.done) == ("case", "handled", True)
    later = council.meeting(days=30)
    assert selectors.follow_ups(later)[0].progress.state == "handled"
    with pytest.raises(ServiceError):
        services.action_item_act(
            actor=w.liaison, item=item, action="file_case", params={"category": centre.garbage.pk}
        )


def test_an_item_proposes_an_alliance_project_and_shows_its_progress(council):
    from gongzhi.alliance import services as alliance
    from gongzhi.alliance.models import Project

    w = council.world
    item = resolution(council)
    services.action_item_act(
        actor=w.liaison, item=item, action="propose_project", params={"title": "学校停车场错时开放"}
    )
    item.refresh_from_db()
    project = Project.objects.get()
    assert item.project == project
    assert selectors.item_progress(item).state == "proposed"
    alliance.project_act(actor=w.liaison, project=project, action="agree")
    alliance.project_act(actor=w.liaison, project=project, action="start")
    milestone = project.milestones.get()
    alliance.project_act(
        actor=w.liaison,
        project=project,
        action="progress",
        params={"milestone": milestone.pk, "progress": 60},
    )
    p = selectors.item_progress(item)
    assert (p.state, p.percent) == ("in_progress", 60)


def test_a_person_the_alliance_does_not_allow_cannot_propose_its_project(council):
    w = council.world
    item = resolution(council, owner=w.other_secretary)
    item.owner_organisation = None
    item.save()
    with pytest.raises(NotAllowed):
        services.action_item_act(actor=w.other_secretary, item=item, action="propose_project")
    item.refresh_from_db()
    assert item.project is None


def test_overdue_items_remind_the_owner_and_the_chair_once_a_day(
    council, django_capture_on_commit_callbacks
):
    w = council.world
    item = resolution(council, days=1)
    today = item.due_on + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_overdue(today=today) == [item.pk]
    assert services.remind_overdue(today=today) == []
    notes = Notification.objects.for_object(item).filter(template="action_item_overdue")
    assert {n.recipient for n in notes} == {w.liaison, w.leader}
    services.action_item_act(actor=w.liaison, item=item, action="complete", note="完成")
    assert services.remind_overdue(today=today + dt.timedelta(days=1)) == []

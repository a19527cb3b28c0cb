"""The councils' main journey in a real browser: the secretary schedules the quarterly meeting
and calls it, members confirm, the meeting takes attendance and votes a resolution, the
resolution becomes an action item, the item becomes a case in the grid centre, and the next
meeting's agenda shows the case's progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.cases import services as cases
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.meetings.models import ActionItem, Meeting, Vote
from gongzhi.testing.browser import login

from .conftest import make_council

pytestmark = [pytest.mark.browser]


def _as(page, live_server, username: str, url: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)
    page.goto(live_server.url + url)


def _submit(page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_from_the_quarterly_meeting_to_a_case_followed_at_the_next(
    transactional_db, page, live_server, world
):
    council = make_council(world)
    centre = make_centre(world)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = timezone.localtime() + dt.timedelta(days=3)

    # The council's secretary schedules the quarterly meeting and calls it.
    _as(page, live_server, "service_staff", reverse("meetings:body", args=[council.body.pk]))
    form = page.get_by_test_id("meeting-form")
    form.locator("[name=title]").fill("联席会议第四季度")
    form.locator("[name=starts_at]").fill(start.strftime("%Y-%m-%dT14:00"))
    form.locator("[name=place]").fill("党建服务中心")
    form.locator("[name=agenda]").fill("学校停车场错时开放")
    _submit(page, "submit-meeting")
    meeting = Meeting.objects.get()
    assert page.get_by_test_id("meeting-state").get_attribute("data-state") == "planned"
    _submit(page, "call")
    assert page.get_by_test_id("meeting-state").get_attribute("data-state") == "called"
    assert page.get_by_test_id("invitee").count() == 6  # five members and the attending unit

    # Members confirm, from their home page.
    url = reverse("meetings:meeting", args=[meeting.pk])
    for member in ("secretary", "liaison"):
        _as(page, live_server, member, reverse("core:home"))
        with page.expect_navigation():
            page.get_by_test_id("home-meeting").first.click()
        _submit(page, "accept")
        assert page.get_by_test_id("my-reply").inner_text() == "将出席"

    # The meeting: attendance (three of five present), the vote, the resolution.
    _as(page, live_server, "service_staff", url)
    for row in page.get_by_test_id("invitee").all():
        name = row.get_by_test_id("invitee-name").inner_text()
        pk = row.get_attribute("data-invitation")
        mark = "present" if any(n in name for n in ("郑服务", "刘书记", "吴联络")) else "excused"
        if "城管" in name:
            mark = "present"
        page.get_by_test_id(f"att-{pk}").select_option(mark)
    _submit(page, "submit-attendance")
    assert page.get_by_test_id("meeting-state").get_attribute("data-state") == "held"
    assert "3 / 5" in page.get_by_test_id("quorum").inner_text()
    page.get_by_test_id("vote-form").locator("[name=question]").fill("同意协调学校停车场错时开放")
    _submit(page, "open-vote")
    _submit(page, "cast-yes")
    assert page.get_by_test_id("voted").is_visible()

    _as(page, live_server, "secretary", url)
    _submit(page, "cast-yes")
    _as(page, live_server, "service_staff", url)
    _submit(page, "close-vote")
    assert page.get_by_test_id("vote-passed").is_visible()
    assert "赞成 2" in page.get_by_test_id("vote-results").inner_text()
    vote = Vote.objects.get()
    form = page.get_by_test_id("item-form")
    form.locator("[name=title]").fill("协调学校停车场错时开放")
    form.locator("[name=owner]").select_option(str(world.liaison.person_id))
    form.locator("[name=working_days]").fill("10")
    form.locator("[name=vote]").select_option(str(vote.pk))
    _submit(page, "submit-item")
    item = ActionItem.objects.get()
    assert item.vote == vote and item.owner == world.liaison.person

    # The owner turns the action item into a case for the grid centre.
    _as(page, live_server, "liaison", reverse("meetings:item", args=[item.pk]))
    page.get_by_test_id("open-file_case").click()
    page.locator("#act-file_case.collapse.show").wait_for()
    f = page.get_by_test_id("form-file_case")
    f.locator("select").first.select_option(str(centre.garbage.pk))
    f.locator("[name='file_case-address']").fill("学校门口")
    _submit(page, "submit-file_case")
    case = Case.objects.get()
    assert (
        page.get_by_test_id("item-progress").locator("[data-kind=case]").get_attribute("data-state")
        == "received"
    )

    # The grid centre works on it; the next meeting's agenda shows where it stands.
    cases.case_file(actor=world.operator, case=case)
    cases.case_dispatch(
        actor=world.operator, case=Case.objects.get(pk=case.pk), department=world.orgs["chengguan"]
    )
    _as(page, live_server, "service_staff", reverse("meetings:body", args=[council.body.pk]))
    form = page.get_by_test_id("meeting-form")
    form.locator("[name=title]").fill("联席会议下季度")
    form.locator("[name=starts_at]").fill(
        (start + dt.timedelta(days=90)).strftime("%Y-%m-%dT14:00")
    )
    _submit(page, "submit-meeting")
    row = page.get_by_test_id("follow-up")
    assert row.count() == 1 and "协调学校停车场错时开放" in row.inner_text()
    badge = row.get_by_test_id("progress")
    assert badge.get_attribute("data-state") == "dispatched"
    assert case.number in badge.inner_text()
    assert errors == []

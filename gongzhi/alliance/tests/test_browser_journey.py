"""The alliance's main journey in a real browser: a residential area posts a need (parking for
its residents at night), the matcher suggests the school's car park with its reasons, the
secretary confirms the match, the project is agreed, and the school's liaison starts it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.alliance.models import Need, Project
from gongzhi.alliance.tests.factories import OFF_PEAK, ResourceFactory, point
from gongzhi.testing.browser import login

pytestmark = [pytest.mark.browser]


def test_a_need_is_matched_to_the_school_car_park_and_the_project_runs(
    transactional_db, page, live_server, world
):
    need_to_running_project(page, live_server, world)


def need_to_running_project(page, live_server, world) -> Project:
    """The journey up to the liaison starting the project (the parking journey goes on from
    here: gongzhi/sharing/tests/test_browser.py)."""
    ResourceFactory(
        owner=world.orgs["school"],
        kind="parking",
        title="学校停车场错时开放",
        description="放学后和双休日向居民开放停车",
        windows=OFF_PEAK,
        **point(250, 500),
    )
    ResourceFactory(owner=world.orgs["school"], kind="lecture", title="家庭教育讲座")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login(page, "secretary", PASSWORD)
    page.goto(live_server.url + reverse("alliance:needs"))
    form = page.get_by_test_id("need-form")
    form.locator("#id_title").fill("居民夜间停车难")
    form.locator("#id_category").select_option("parking")
    form.locator("#id_residential_area").select_option(str(world.area_a.pk))
    form.locator("#id_windows").fill("0-6 19:00-07:00")
    with page.expect_navigation():
        page.get_by_test_id("submit-need").click()
    need = Need.objects.get()
    assert need.residential_area == world.area_a

    # The need's page: the car park first, with the reasons for its score.
    first = page.get_by_test_id("match").first
    assert "学校停车场错时开放" in first.get_by_test_id("match-title").inner_text()
    reasons = first.get_by_test_id("match-reasons").inner_text()
    assert "停车" in reasons and "米" in reasons, reasons
    with page.expect_navigation():
        first.get_by_test_id("confirm-match").click()
    project = Project.objects.get()
    assert page.get_by_test_id("project-state").get_attribute("data-state") == "proposed"

    # The secretary agrees.
    page.get_by_test_id("open-agree").click()
    page.locator("#act-agree.collapse.show").wait_for()  # the form has opened (animated)
    with page.expect_navigation():
        page.get_by_test_id("submit-agree").click()
    assert page.get_by_test_id("project-state").get_attribute("data-state") == "agreed"

    # The school's liaison starts it.
    page.context.clear_cookies()
    login(page, "liaison", PASSWORD)
    page.goto(live_server.url + reverse("alliance:project", args=[project.pk]))
    page.get_by_test_id("open-start").click()
    page.locator("#act-start.collapse.show").wait_for()
    with page.expect_navigation():
        page.get_by_test_id("submit-start").click()
    assert page.get_by_test_id("project-state").get_attribute("data-state") == "in_progress"
    project.refresh_from_db()
    assert project.state == Project.State.IN_PROGRESS
    assert list(project.events.values_list("action", flat=True)) == ["propose", "agree", "start"]
    assert errors == []
    return project

"""Accountability in a real browser: a station's responsible leader finds the warning the
evaluation recorded for their station in the menu, acknowledges it with a note, and the
leaders' table shows it acknowledged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.dashboards import accountability_services as services
from gongzhi.dashboards.accountability_models import AccountabilityWarning
from gongzhi.testing.browser import login

from .test_accountability import MARCH, Acc, build, make

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def setup(world) -> Acc:
    return build(world)


def test_the_person_acknowledges_a_warning_with_a_note(transactional_db, page, live_server, setup):
    for _ in range(3):
        make(setup.centre, setup.world.grids["a1"])
    warning = services.evaluate(period=MARCH).created[0]

    login(page, "station_leader", PASSWORD)
    page.goto(live_server.url + reverse("core:home"))
    with page.expect_navigation():
        page.locator("[data-nav=accountability]").first.click()
    assert page.url.endswith(reverse("dashboards:warnings"))
    row = page.locator(f"[data-warning='{warning.pk}']")
    expect(row).to_contain_text("第一网格工作站")
    # An empty note is refused by the form itself; a note goes through.
    row.get_by_placeholder("发生了什么，将如何整改").fill("已约谈城管中队，本周内清理完毕")
    with page.expect_navigation():
        row.get_by_role("button", name="签收预警").click()
    expect(
        page.locator(f"[data-warning='{warning.pk}'] [data-testid=acknowledged]")
    ).to_be_visible()
    expect(page.locator(f"[data-warning='{warning.pk}']")).to_contain_text("本周内清理完毕")
    expect(page.get_by_test_id("acknowledge-form")).to_have_count(0)
    warning = AccountabilityWarning.objects.get(pk=warning.pk)
    assert warning.acknowledged_by.username == "station_leader"

    # The leaders' table of March shows it acknowledged.
    page.context.clear_cookies()
    login(page, "leader", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:accountability") + "?period=2026-03")
    expect(page.locator(f"[data-warning='{warning.pk}']")).to_contain_text("已签收")

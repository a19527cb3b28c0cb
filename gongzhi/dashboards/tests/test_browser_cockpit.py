"""The cockpit in a real browser: open it, change the period, click a grid on the map for its
figures, and follow a figure to its cases."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.testing.browser import login

from .conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_open_change_the_period_click_a_grid_and_follow_a_figure(
    transactional_db, page, live_server, town
):
    with time_machine.travel(AS_OF, tick=True):
        login(page, "leader", PASSWORD)
        page.goto(live_server.url + reverse("dashboards:index") + "?period=2026-03")
        assert page.get_by_test_id("cockpit-period").inner_text() == "2026年03月"
        page.locator("#cockpit-trend canvas").first.wait_for()
        # Change the period: the results come back in place, and the URL says so.
        page.select_option("select[name=period]", "2026-Q1")
        expect(page.get_by_test_id("cockpit-period")).to_contain_text("第1季度")
        assert "period=2026-Q1" in page.url
        # The map: click a grid, its figures and a link to its cases show beside the map.
        page.locator("#cockpit-map[data-ready='1']").wait_for()
        page.locator("path.gz-cockpit-grid").first.click()
        name = page.get_by_test_id("map-grid-name").inner_text()
        assert "网格" in name or "杏" in name
        assert (
            page.get_by_test_id("map-grid-cases")
            .get_attribute("href")
            .startswith(reverse("dashboards:cases"))
        )
        # Follow a figure to its cases: the list has as many cases as the figure says.
        tile = page.locator("[data-testid=figure][data-key='cases.filed']")
        expected = int(tile.locator(".gz-big").inner_text())
        with page.expect_navigation():
            tile.click()
        assert "figure=filed" in page.url and "period=2026-Q1" in page.url
        count = page.get_by_test_id("case-count").inner_text()
        assert int(re.search(r"\d+", count)[0]) == expected
        assert page.locator("[data-testid=figure-case]").count() == min(expected, 50)

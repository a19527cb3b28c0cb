"""The foundation's browser journey: a residential-area secretary logs in, opens the
organisation chart and their area's page, and switches the language."""

from __future__ import annotations

import pytest

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.org.models import Position
from gongzhi.org.tests.factories import PersonFactory, PositionFactory
from gongzhi.testing.browser import login

pytestmark = pytest.mark.browser


def test_secretary_opens_the_chart_and_the_area_page_and_switches_language(page, world):
    # A part-time committee member of the secretary's general branch, from a resident unit.
    member = PersonFactory(name="何兼职")
    PositionFactory(
        person=member, organisation=world.orgs["branch_a"], role=Position.Role.PART_TIME_MEMBER
    )
    PositionFactory(
        person=member, organisation=world.orgs["school"], role=Position.Role.COMMITTEE_MEMBER
    )

    login(page, "secretary", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # The organisation chart: 党工委 → 社区党委 → the general branches with their part-time members.
    page.locator("[data-nav=org]").click()
    page.wait_for_load_state("networkidle")
    chart = page.locator("main")
    for name in (
        "曹杨新村街道党工委",
        "曹杨新村街道社区党委",
        "杏梅园居民区党总支",
        "杏杨居民区党总支",
    ):
        assert chart.get_by_text(name, exact=False).count() >= 1, name
    assert chart.get_by_text("何兼职").count() >= 1

    # The secretary's own area page: its grids and its general branch's members.
    page.locator("[data-nav=areas]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="杏梅园居民区").first.click()
    page.wait_for_load_state("networkidle")
    body = page.locator("main").inner_text()
    assert "310107005001001" in body and "何兼职" in body
    zh_nav = page.locator("[data-nav=areas]").inner_text().strip()
    assert zh_nav == "居民区"  # the navigation speaks Chinese by default

    # Another area's page is not theirs to see.
    response = page.goto(f"{page.base_url}/org/areas/{world.area_b.pk}/")
    assert response.status == 404
    page.go_back()
    page.wait_for_load_state("networkidle")

    # Switch to English: the same page, the navigation in English, and it stays English.
    with page.expect_navigation():  # the switch submits its form on change
        page.select_option("[data-testid=language-select]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-nav=areas]").inner_text().strip() == "Residential areas"
    assert "310107005001001" in page.locator("main").inner_text()
    page.locator("[data-nav=org]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"

    # And back to Chinese.
    with page.expect_navigation():  # the switch submits its form on change
        page.select_option("[data-testid=language-select]", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("[data-nav=areas]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-nav=areas]").inner_text().strip() == zh_nav

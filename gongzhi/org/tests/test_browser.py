"""In a real browser: the htmx reveal and the live people search."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(phone_page):
    """A phone-sized page in the shared headless Chromium (gongzhi/testing/browser.py)."""
    return phone_page


def _login(page, live_server, client, user):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_reveal_in_the_browser(transactional_db, live_server, client, page, world):
    person = world.secretary.person
    _login(page, live_server, client, world.secretary)
    page.goto(live_server.url + reverse("org:person", args=[person.pk]))
    assert page.get_by_test_id("masked-mobile").inner_text() == person.mobile_masked
    page.get_by_test_id("reveal-mobile").click()
    page.get_by_test_id("revealed-mobile").wait_for()
    assert page.get_by_test_id("revealed-mobile").inner_text() == person.mobile
    # The ID number stays masked until asked for.
    assert page.get_by_test_id("masked-id_number").inner_text() == person.id_number_masked


def test_live_search_in_the_browser(transactional_db, live_server, client, page, world):
    _login(page, live_server, client, world.operator)
    page.goto(live_server.url + reverse("org:people"))
    page.locator("#id_q").fill("刘书")
    expect(page.locator("[data-testid=person-link]")).to_have_count(1)
    assert page.get_by_test_id("person-link").inner_text() == "刘书记"
    assert "q=%E5%88%98%E4%B9%A6" in page.url

"""In a real browser on a phone: marking notices read with htmx updates the counts in place."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from .factories import NotificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_mark_read_in_the_browser(transactional_db, live_server, client, phone_page, world):
    page = phone_page
    first = NotificationFactory(recipient=world.handler, subject="新派单：CY2026-000001")
    NotificationFactory(recipient=world.handler, subject="新派单：CY2026-000002")
    client.force_login(world.handler)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("notifications:inbox"))
    unread = page.get_by_test_id("inbox-unread")
    assert unread.get_attribute("data-count") == "2"
    page.locator(f"#notice-{first.pk}").get_by_test_id("notice-read").click()
    expect(unread).to_have_attribute("data-count", "1")
    assert page.locator(f"#notice-{first.pk}").get_attribute("data-unread") == "0"
    page.get_by_test_id("read-all").click()
    expect(unread).to_have_attribute("data-count", "0")
    assert page.locator("[data-unread='1']").count() == 0
    first.refresh_from_db()
    assert first.read_at is not None

"""In a real browser, on a phone: acknowledging an emergency from the desk's live panel and
adding to the shift log, both through htmx without reloading the page."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.cases.models import Case
from gongzhi.duty.models import ShiftLogEntry

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(phone_page):
    return phone_page


def _login(page, live_server, client, user):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def _shot(page, name: str) -> None:
    folder = os.environ.get("GONGZHI_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"duty-{name}.png"), full_page=True)


def test_the_duty_desk_on_a_phone(transactional_db, live_server, client, page, staff, centre):
    staff.roster(timezone.localdate() - dt.timedelta(days=1), days=3, now=timezone.now())
    urgent = centre.intake(urgency=Case.Urgency.URGENT, title="燃气泄漏")
    _login(page, live_server, client, staff.operator)
    page.goto(live_server.url + reverse("duty:desk"))
    row = page.locator(f'[data-testid="emergency"][data-case="{urgent.number}"]')
    assert row.count() == 1
    _shot(page, "desk")

    row.get_by_test_id("acknowledge").click()
    page.get_by_test_id("no-emergency").wait_for()
    assert "acknowledged" in page.locator("#emergency-panel").inner_text()
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is not None

    page.locator("#id_text").fill("枣阳路井盖松动，已通知房管办")
    page.get_by_test_id("log-form").locator("button[type=submit]").click()
    expect(page.locator("#shift-log")).to_contain_text("枣阳路井盖松动")
    assert ShiftLogEntry.objects.filter(text__startswith="枣阳路井盖松动").exists()
    assert page.locator("#id_text").input_value() == ""  # a fresh form for the next entry
    _shot(page, "desk-after")

    page.goto(live_server.url + reverse("duty:roster"))
    assert page.get_by_test_id("roster-list").is_visible()  # the phone layout
    assert page.get_by_test_id("roster-list").get_by_test_id("now-badge").is_visible()
    _shot(page, "roster")

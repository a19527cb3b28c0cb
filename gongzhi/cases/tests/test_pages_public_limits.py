"""The public forms' limits behind a reverse proxy: each resident is counted by their own
address (gongzhi.core.http.client_ip), not all of them by nginx's, and nobody escapes the limit
by writing an X-Forwarded-For header of their own."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.cases.tests.test_pages_public import REPORT, report_data
from gongzhi.cases.tests.test_pages_support import case_pages  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_per_hour(settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_REPORTS_PER_HOUR": 2}


def test_behind_the_proxy_each_resident_has_their_own_allowance(centre, settings, two_per_hour):
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": ["127.0.0.1"]}
    one = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(2):
        assert one.post(REPORT, report_data(centre)).status_code == 302
    assert one.post(REPORT, report_data(centre)).status_code == 429
    # A second resident behind the same proxy.
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert other.post(REPORT, report_data(centre)).status_code == 302
    # The first one forging a header in front of what nginx appends gains nothing.
    forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    assert forged.post(REPORT, report_data(centre)).status_code == 429


def test_without_a_proxy_a_forged_header_gains_nothing(centre, settings, two_per_hour):
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": []}
    for n in range(2):
        c = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert c.post(REPORT, report_data(centre)).status_code == 302
    c = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.99")
    response = c.post(REPORT, report_data(centre))
    assert response.status_code == 429
    assert 3590 <= int(response["Retry-After"]) <= 3600  # the hour's window


def test_the_lookup_limit_is_counted_in_the_database(client, centre, settings):
    """A count in Django's local-memory cache would be one per gunicorn process; the database's
    is shared, so clearing a process's cache does not reset it."""
    from django.core.cache import cache

    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_LOOKUPS_PER_10_MIN": 2}
    for _ in range(2):
        client.post(reverse("cases:track_lookup"), {"code": "GUESS00000"})
    cache.clear()
    assert client.post(reverse("cases:track_lookup"), {"code": "GUESS00001"}).status_code == 429


# --- Fair limits: only reports taken in count; per phone number; the real wait ----------------


def test_refused_attempts_do_not_use_up_the_residents_allowance(client, centre, two_per_hour):
    for _ in range(5):  # a typo-prone resident: no pin, then no description …
        assert client.post(REPORT, report_data(centre, lat="", lng="")).status_code == 400
    for _ in range(2):
        assert client.post(REPORT, report_data(centre)).status_code == 302
    assert client.post(REPORT, report_data(centre)).status_code == 429


def test_hammering_with_bad_forms_still_stops(client, centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_REPORT_ATTEMPTS_PER_HOUR": 3}
    for _ in range(3):
        assert client.post(REPORT, report_data(centre, description="")).status_code == 400
    assert client.post(REPORT, report_data(centre)).status_code == 429


def test_a_phone_number_has_its_own_daily_allowance_however_it_is_written(centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_REPORTS_PER_PHONE_PER_DAY": 1}
    home = Client(REMOTE_ADDR="203.0.113.7")
    assert home.post(REPORT, report_data(centre, reporter_phone="13812345678")).status_code == 302
    elsewhere = Client(REMOTE_ADDR="198.51.100.4")
    elsewhere.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = elsewhere.post(REPORT, report_data(centre, reporter_phone="+86 138 1234 5678"))
    assert r.status_code == 429
    assert 86_300 <= int(r["Retry-After"]) <= 86_400
    assert "phone number" in r.content.decode()
    # Another number, or none, from the same address is taken in.
    assert (
        elsewhere.post(REPORT, report_data(centre, reporter_phone="13900001111")).status_code == 302
    )
    assert elsewhere.post(REPORT, report_data(centre, reporter_phone="")).status_code == 302


def test_the_refusal_says_how_long_to_wait(client, centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_REPORTS_PER_HOUR": 1}
    assert client.post(REPORT, report_data(centre)).status_code == 302
    r = client.post(REPORT, report_data(centre))  # in English (the page fixture's cookie)
    assert r.status_code == 429
    wait = int(r["Retry-After"])
    assert 3590 <= wait <= 3600  # the hour's window, not some other one
    page = r.content.decode()
    assert re.search(r"again in (59|60) minutes \(from \d\d:\d\d\)", page) and "12345" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    r = client.post(REPORT, report_data(centre))
    assert re.search(r"请在(59|60)分钟后（\d\d:\d\d起）再提交", r.content.decode())

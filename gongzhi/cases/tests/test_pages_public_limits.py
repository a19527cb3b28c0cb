"""The public forms' limits behind a reverse proxy: each resident is counted by their own
address (gongzhi.core.http.client_ip), not all of them by nginx's, and nobody escapes the limit
by writing an X-Forwarded-For header of their own."""

from __future__ import annotations

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

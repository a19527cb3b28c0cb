"""The address the audit trail records is gongzhi.core.http.client_ip's: a forged
X-Forwarded-For is ignored unless the request comes from a trusted proxy."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.audit.models import AuditEvent


def _login_ip(**meta: str) -> str | None:
    r = Client(**meta).post(
        reverse("accounts:login"), {"username": "operator", "password": PASSWORD}
    )
    assert r.status_code == 302
    return AuditEvent.objects.filter(action="login").latest("id").ip


def test_without_a_proxy_a_forged_header_does_not_reach_the_trail(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": []}
    assert _login_ip(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_trail_has_the_client(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": ["127.0.0.1"]}
    ip = _login_ip(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert ip == "203.0.113.7"

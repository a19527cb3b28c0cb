from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.audit.models import AuditEvent


def test_login_with_the_right_password_is_audited(client, world):
    r = client.post(reverse("accounts:login"), {"username": "operator", "password": PASSWORD})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=world.operator).exists()


def test_wrong_password_gets_a_message_and_is_audited(client, world):
    r = client.post(reverse("accounts:login"), {"username": "operator", "password": "nope"})
    assert r.status_code == 400
    assert "login-error" in r.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", object_repr="operator").exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(client, world):
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "operator", "password": "nope"})
    r = client.post(reverse("accounts:login"), {"username": "operator", "password": PASSWORD})
    assert r.status_code == 400
    assert "_auth_user_id" not in client.session
    # Another account from elsewhere is unaffected.
    other = client.__class__(REMOTE_ADDR="10.0.0.9")
    r = other.post(reverse("accounts:login"), {"username": "leader", "password": PASSWORD})
    assert r.status_code == 302


def test_pages_need_a_login(client, world):
    r = client.get(reverse("core:home"))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]


def test_logout_needs_post_and_csrf(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.operator)
    assert c.get(reverse("accounts:logout")).status_code == 405
    assert c.post(reverse("accounts:logout")).status_code == 403  # no CSRF token


def test_passwords_are_hashed_with_argon2_in_production_settings():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert identify_hasher(make_password("x" * 12)).algorithm == "argon2"


@pytest.mark.parametrize("lang,text", [("en", "Log in to Gongzhi"), ("zh-hans", "登录")])
def test_language_follows_the_switch_not_the_browser(client, lang, text, db):
    client.cookies["django_language"] = lang
    r = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert text in r.content.decode()


def test_default_language_is_chinese_whatever_the_browser_says(client, db):
    r = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert r["Content-Language"] == "zh-hans"


@override_settings(LOGIN_MAX_FAILURES=2)
def test_behind_the_proxy_failures_are_counted_per_client_address(world, settings):
    """Addresses are counted at a quarter: 8 failures lock an address. Behind nginx each
    resident has their own count, not the proxy's one."""
    settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": ["127.0.0.1"]}
    url = reverse("accounts:login")
    one = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(8):
        one.post(url, {"username": f"guess{n}", "password": "nope"})
    r = one.post(url, {"username": "leader", "password": PASSWORD})
    assert r.status_code == 400  # this address is locked out
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    r = other.post(url, {"username": "leader", "password": PASSWORD})
    assert r.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=2)
def test_a_success_clears_the_usernames_failures(client, world):
    url = reverse("accounts:login")
    client.post(url, {"username": "operator", "password": "nope"})
    assert client.post(url, {"username": "operator", "password": PASSWORD}).status_code == 302
    client.post(url, {"username": "operator", "password": "nope"})
    r = client.post(url, {"username": "operator", "password": PASSWORD})
    assert r.status_code == 302  # one failure since the last success, not two

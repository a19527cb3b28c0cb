"""Two-factor authentication (TOTP): the codes are RFC 6238's; a user with an authenticator is
not logged in by the password alone; a role that requires it sets one up before the first page;
wrong and replayed codes are refused and count towards the lockout; turning it off takes a code
and is refused for roles that require it."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from gongzhi.accounts import totp
from gongzhi.accounts.models import TwoFactor
from gongzhi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_the_codes_are_rfc_6238s():
    # RFC 6238 appendix B, SHA-1: secret "12345678901234567890", T = 59 s → 94287082 (8 digits)
    key = b"12345678901234567890"
    assert totp.code_at("", 59 // 30, digits=8, key=key) == "94287082"
    assert totp.code_at("", 1111111109 // 30, digits=8, key=key) == "07081804"
    secret = totp.new_secret()
    now = time.time()
    code = totp.code_at(secret, totp.current_step(now))
    assert totp.matching_step(secret, code, now=now) == totp.current_step(now)
    assert totp.matching_step(secret, code[:3] + " " + code[3:], now=now) is not None  # as shown
    assert totp.matching_step(secret, code, now=now + 120) is None  # two steps later: expired


def _log_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def _enrol(user) -> str:
    secret = totp.new_secret()
    TwoFactor.objects.create(user=user, secret=secret, confirmed_at="2026-12-01T00:00:00+08:00")
    return secret


def _now_code(secret: str, steps_ahead: int = 0) -> str:
    return totp.code_at(secret, totp.current_step() + steps_ahead)


def test_with_an_authenticator_the_password_alone_does_not_log_in(client, world):
    secret = _enrol(world.operator)
    response = _log_in(client, world.operator)
    assert response.url == reverse("accounts:second_factor")
    assert client.get(reverse("core:home")).status_code == 302  # not logged in yet
    assert not AuditEvent.objects.filter(action="login", actor=world.operator).exists()

    wrong = client.post(reverse("accounts:second_factor"), {"code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    ok = client.post(reverse("accounts:second_factor"), {"code": _now_code(secret)})
    assert ok.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=world.operator).exists()
    assert AuditEvent.objects.filter(action="login_failed", note="two-factor code refused").exists()


def test_a_code_is_taken_once(client, world):
    secret = _enrol(world.operator)
    _log_in(client, world.operator)
    code = _now_code(secret)
    client.post(reverse("accounts:second_factor"), {"code": code})
    client.post(reverse("accounts:logout"))
    _log_in(client, world.operator)
    replay = client.post(reverse("accounts:second_factor"), {"code": code})
    assert replay.status_code == 400 and "已用过" in replay.content.decode()


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, world, settings):
    secret = _enrol(world.operator)
    _log_in(client, world.operator)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("accounts:second_factor"), {"code": "123456"})
    locked = client.post(reverse("accounts:second_factor"), {"code": _now_code(secret)})
    assert locked.status_code == 400 and "失败次数过多" in locked.content.decode()
    assert client.get(reverse("core:home")).status_code == 302


def test_a_required_role_sets_one_up_before_the_first_page(client, world, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "leader"]
    response = _log_in(client, world.leader)
    assert response.url == reverse("accounts:second_factor")
    page = client.get(reverse("accounts:second_factor")).content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    secret = TwoFactor.objects.get(user=world.leader).secret
    assert client.get(reverse("core:home")).status_code == 302
    done = client.post(reverse("accounts:second_factor"), {"code": _now_code(secret)})
    assert done.status_code == 302
    assert TwoFactor.objects.get(user=world.leader).confirmed_at is not None
    assert client.get(reverse("core:home")).status_code == 200
    # …and a role that does not require it logs in as before
    other = _log_in(client.__class__(), world.operator)
    assert other.url == reverse("core:home")


def test_turning_it_off_takes_a_code_and_is_refused_where_required(client, world, settings):
    secret = _enrol(world.operator)
    client.force_login(world.operator)
    url = reverse("accounts:two_factor")
    assert client.post(url, {"do": "remove", "code": "000000"}).status_code == 400
    assert TwoFactor.objects.filter(user=world.operator).exists()
    assert client.post(url, {"do": "remove", "code": _now_code(secret)}).status_code == 200
    assert not TwoFactor.objects.filter(user=world.operator, confirmed_at__isnull=False).exists()
    assert AuditEvent.objects.filter(note="two-factor authentication turned off").exists()

    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    secret = _enrol(world.admin)
    client.force_login(world.admin)
    refused = client.post(url, {"do": "remove", "code": _now_code(secret)})
    assert refused.status_code == 400 and TwoFactor.objects.filter(user=world.admin).exists()


def test_anyone_can_set_one_up_from_their_menu(client, world):
    client.force_login(world.operator)
    url = reverse("accounts:two_factor")
    assert "<svg" in client.get(url).content.decode()
    secret = TwoFactor.objects.get(user=world.operator).secret
    assert client.post(url, {"code": _now_code(secret)}).status_code == 200
    assert TwoFactor.objects.get(user=world.operator).confirmed_at is not None
    stored = TwoFactor.objects.filter(user=world.operator).values_list("secret", flat=True)
    assert list(stored) == [secret]  # read back in clear …


def test_the_secret_is_encrypted_in_the_database(world):
    from django.db import connection

    secret = _enrol(world.operator)
    with connection.cursor() as cur:
        cur.execute("SELECT secret FROM accounts_twofactor")
        (stored,) = cur.fetchone()
    assert stored.startswith("fernet:") and secret not in stored


def test_an_administrator_resets_a_lost_authenticator(client, world):
    _enrol(world.operator)
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [world.operator.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactor.objects.filter(user=world.operator).exists()
    row = AuditEvent.objects.get(note="two-factor authentication reset by an administrator")
    assert row.actor == world.admin and row.changes["two_factor"] == {
        "before": True,
        "after": False,
    }

"""Logging in and out, with throttling and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import ratelimit
from gongzhi.core.errors import ServiceError
from gongzhi.core.http import client_ip

from .models import LoginAttempt, User


class LoginLocked(ServiceError):
    code = "locked"


# An address is allowed more failures than one username (an office shares its NAT).
FAILURES_PER_ADDRESS_FACTOR = 4


def _window_s() -> int:
    return int(settings.LOGIN_LOCKOUT_MINUTES * 60)


def _user_bucket(username: str) -> str:
    return f"login:user:{username.lower()}"


def _address_bucket(ip: str) -> str:
    return f"login:ip:{ip}"


def recent_failures(*, username: str, ip: str | None) -> int:
    """Failed attempts in the lockout window for this username (since its last success), or from
    this address (counted at a quarter). Counted by the one rate limiter (gongzhi.core.ratelimit):
    the window starts at the first failure and lasts LOGIN_LOCKOUT_MINUTES."""
    count = ratelimit.peek(_user_bucket(username))
    if ip:
        count = max(count, ratelimit.peek(_address_bucket(ip)) // FAILURES_PER_ADDRESS_FACTOR)
    return count


def _count_failure(*, username: str, ip: str | None) -> None:
    limit = settings.LOGIN_MAX_FAILURES
    ratelimit.hit(_user_bucket(username), limit=limit, window_s=_window_s())
    if ip:
        ratelimit.hit(
            _address_bucket(ip), limit=limit * FAILURES_PER_ADDRESS_FACTOR, window_s=_window_s()
        )


def login_attempt(*, request: HttpRequest, username: str, password: str) -> User:
    """Check the password; refuse when locked out. Every attempt is recorded and audited."""
    username = (username or "").strip()
    ip = client_ip(request)
    if not username or not password:
        raise ServiceError(_("Enter your username and password."))
    if recent_failures(username=username, ip=ip) >= settings.LOGIN_MAX_FAILURES:
        raise LoginLocked(
            _("Too many failed attempts. Try again in %(minutes)d minutes.")
            % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
        )
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=user is not None)
        if user is None:
            _count_failure(username=username, ip=ip)
            audit.record(
                actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_repr=username[:150]
            )
        else:
            ratelimit.reset(_user_bucket(username))
            audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)
    if user is None:
        raise ServiceError(_("The username or password is not correct."), code="invalid_login")
    return user  # type: ignore[return-value]


def record_logout(*, user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        audit.record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)

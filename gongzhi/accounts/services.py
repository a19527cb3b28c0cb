"""Logging in and out, with throttling and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError
from gongzhi.core.http import client_ip

from .models import LoginAttempt, User


class LoginLocked(ServiceError):
    code = "locked"


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def recent_failures(*, username: str, ip: str | None) -> int:
    """Failed attempts in the lockout window for this username, or from this address."""
    since = _window_start()
    by_user = LoginAttempt.objects.filter(username__iexact=username, succeeded=False, at__gte=since)
    last_success = (
        LoginAttempt.objects.filter(username__iexact=username, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if last_success:
        by_user = by_user.filter(at__gt=last_success)
    count = by_user.count()
    if ip:
        # An address is allowed more failures than one username (an office shares its NAT).
        by_ip = LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gte=since).count()
        count = max(count, by_ip // 4)
    return count


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
            audit.record(
                actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_repr=username[:150]
            )
        else:
            audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)
    if user is None:
        raise ServiceError(_("The username or password is not correct."), code="invalid_login")
    return user  # type: ignore[return-value]


def record_logout(*, user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        audit.record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)

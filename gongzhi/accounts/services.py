"""Logging in and out, with throttling and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import ratelimit
from gongzhi.core.errors import ServiceError
from gongzhi.core.http import client_ip
from gongzhi.core.roles import access_for

from . import totp
from .models import LoginAttempt, TwoFactor, User


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
        elif not needs_second_factor(user):
            ratelimit.reset(_user_bucket(username))
            audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)
    if user is None:
        raise ServiceError(_("The username or password is not correct."), code="invalid_login")
    return user  # type: ignore[return-value]


def record_logout(*, user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        audit.record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)


# --- Two-factor authentication (TOTP) ------------------------------------------------------
#
# After the password, a user with an authenticator gives its current code; a user whose role
# requires one (TWO_FACTOR_REQUIRED_ROLES: administrators and leaders in production) and has
# none sets one up first. Until then the user is not logged in. Wrong codes count against the
# same lockout as wrong passwords; a code is taken once (the time step is remembered).


def second_factor_required(user: Any) -> bool:
    required = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()) or ())
    return bool(required) and bool(required & {str(r) for r in access_for(user).roles})


def confirmed_second_factor(user: Any) -> TwoFactor | None:
    tf = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    return tf


def needs_second_factor(user: Any) -> bool:
    return confirmed_second_factor(user) is not None or second_factor_required(user)


@transaction.atomic
def second_factor_begin(*, user: Any) -> TwoFactor:
    """A new secret to set up (replacing one not confirmed yet); refused when one is in use."""
    tf = TwoFactor.objects.select_for_update().filter(user=user).first()
    if tf is not None and tf.confirmed_at is not None:
        raise ServiceError(_("Two-factor authentication is already set up for this account."))
    if tf is None:
        return TwoFactor.objects.create(user=user, secret=totp.new_secret())
    return tf


def check_code(*, request: HttpRequest, user: Any, tf: TwoFactor, code: str) -> int:
    """The time step of `code` if it is the user's current code and not used yet; otherwise
    the failure is counted and audited (committed, whatever the caller does next) and refused."""
    ip = client_ip(request)
    if recent_failures(username=user.username, ip=ip) >= settings.LOGIN_MAX_FAILURES:
        raise LoginLocked(
            _("Too many failed attempts. Try again in %(minutes)d minutes.")
            % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}
        )
    step = totp.matching_step(tf.secret, code or "")
    if step is not None and step > tf.last_step:
        return step
    with transaction.atomic():
        _count_failure(username=user.username, ip=ip)
        audit.record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            object_repr=user.username,
            note="two-factor code refused",
        )
    if step is not None:
        raise ServiceError(_("This code was used already. Wait for the next one."))
    raise ServiceError(_("The code is not correct. Enter the 6 digits your app shows now."))


def _take(tf: TwoFactor, step: int) -> None:
    """Mark the step used; a second request with the same code at the same moment loses."""
    if not TwoFactor.objects.filter(pk=tf.pk, last_step__lt=step).update(last_step=step):
        raise ServiceError(_("This code was used already. Wait for the next one."))
    tf.last_step = step


@contextmanager
def _code_spent(*, request: HttpRequest, user: Any, tf: TwoFactor, code: str) -> Iterator[None]:
    """Check the code (check_code), then spend it in the transaction of what the caller does
    with it: the code and the change it allows stand or fall together."""
    step = check_code(request=request, user=user, tf=tf, code=code)
    with transaction.atomic():
        _take(tf, step)
        yield


def second_factor_confirm(*, request: HttpRequest, user: Any, code: str) -> TwoFactor:
    """The first code from the app proves it was set up with this secret."""
    tf = TwoFactor.objects.filter(user=user).first()
    if tf is None:
        raise ServiceError(_("Start the set-up again."))
    if tf.confirmed_at is not None:
        raise ServiceError(_("Two-factor authentication is already set up for this account."))
    with _code_spent(request=request, user=user, tf=tf, code=code):
        return _confirm(user, tf)


def _confirm(user: Any, tf: TwoFactor) -> TwoFactor:
    tf.confirmed_at = timezone.now()
    tf.save(update_fields=["confirmed_at"])
    _two_factor_changed(
        actor=user, user=user, before=False, after=True, note="two-factor authentication set up"
    )
    return tf


def second_factor_login(*, request: HttpRequest, user: Any, code: str) -> None:
    """The second step of logging in: the code of the user's confirmed authenticator."""
    tf = confirmed_second_factor(user)
    if tf is None:
        raise ServiceError(_("Set up two-factor authentication first."))
    with _code_spent(request=request, user=user, tf=tf, code=code):
        complete_login(user=user)


def complete_login(*, user: Any) -> None:
    ratelimit.reset(_user_bucket(user.username))
    audit.record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, note="with two factors")


def second_factor_remove(*, request: HttpRequest, actor: Any, code: str) -> None:
    """Turning it off takes a current code, and is refused for roles that require it."""
    if second_factor_required(actor):
        raise ServiceError(
            _("Your role requires two-factor authentication: it can't be turned off.")
        )
    tf = confirmed_second_factor(actor)
    if tf is None:
        raise ServiceError(_("Two-factor authentication is not set up for this account."))
    with _code_spent(request=request, user=actor, tf=tf, code=code):
        _two_factor_off(actor=actor, user=actor, tf=tf, note="two-factor authentication turned off")


@transaction.atomic
def second_factor_reset(*, actor: Any, user: Any) -> bool:
    """An administrator clears a user's authenticator (a lost phone); the user sets up a new
    one at the next login when the role requires it. True when there was one."""
    tf = TwoFactor.objects.select_for_update().filter(user=user).first()
    if tf is None:
        return False
    _two_factor_off(
        actor=actor,
        user=user,
        tf=tf,
        note="two-factor authentication reset by an administrator",
    )
    return True


def _two_factor_off(*, actor: Any, user: Any, tf: TwoFactor, note: str) -> None:
    """The user's authenticator removed (it was on once confirmed), with its audit row."""
    TwoFactor.objects.filter(pk=tf.pk).delete()
    _two_factor_changed(
        actor=actor, user=user, before=tf.confirmed_at is not None, after=False, note=note
    )


def _two_factor_changed(*, actor: Any, user: Any, before: bool, after: bool, note: str) -> None:
    """The audit row of the user's two-factor authentication turned on or off."""
    audit.record_change(
        actor=actor, obj=user, field="two_factor", before=before, after=after, note=note
    )

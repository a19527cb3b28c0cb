from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ServiceError

from . import services, totp
from .forms import LoginForm
from .models import User


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return settings.LOGIN_REDIRECT_URL


@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ServiceError as exc:
            error = str(exc.message)
        else:
            if services.needs_second_factor(user):
                request.session[PENDING] = {
                    "user": user.pk,
                    "at": time.time(),
                    "next": _next_url(request),
                }
                return redirect("accounts:second_factor")
            login(request, user)
            return redirect(_next_url(request))
    status = 200 if not error else 400
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.record_logout(user=request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


PENDING = "gongzhi_second_factor"  # the session key of a login waiting for its code
PENDING_SECONDS = 300


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, ""
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, str(pending.get("next") or settings.LOGIN_REDIRECT_URL)


@never_cache
@csrf_protect
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: the code, or first the set-up of an authenticator."""
    user, nxt = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    setting_up = services.confirmed_second_factor(user) is None
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            if setting_up:
                services.second_factor_confirm(request=request, user=user, code=code)
                services.complete_login(user=user)
            else:
                services.second_factor_login(request=request, user=user, code=code)
        except ServiceError as exc:
            error = str(exc.message)
        else:
            request.session.pop(PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(nxt)
    context: dict[str, Any] = {"error": error, "setting_up": setting_up}
    if setting_up:
        context.update(_setup_context(user))
    return render(request, "accounts/second_factor.html", context, status=400 if error else 200)


def _setup_context(user: User) -> dict[str, Any]:
    tf = services.second_factor_begin(user=user)
    uri = totp.provisioning_uri(tf.secret, account=user.username, issuer=settings.TWO_FACTOR_ISSUER)
    return {
        "secret": " ".join(tf.secret[i : i + 4] for i in range(0, len(tf.secret), 4)),
        "qr": mark_safe(segno.make(uri, error="m").svg_inline(scale=4)),  # noqa: S308  (segno's own SVG)
    }


@login_required
@never_cache
@csrf_protect
def second_factor_settings(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: set up an authenticator, or turn it off (where the role allows)."""
    user = request.user
    error = ""
    message = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            if request.POST.get("do") == "remove":
                services.second_factor_remove(request=request, actor=user, code=code)
                message = gettext("Two-factor authentication is turned off.")
            else:
                services.second_factor_confirm(request=request, user=user, code=code)
                message = gettext("Two-factor authentication is set up.")
        except ServiceError as exc:
            error = str(exc.message)
    confirmed = services.confirmed_second_factor(user) is not None
    context: dict[str, Any] = {
        "error": error,
        "message": message,
        "confirmed": confirmed,
        "required": services.second_factor_required(user),
    }
    if not confirmed:
        context.update(_setup_context(user))  # type: ignore[arg-type]
    return render(
        request, "accounts/second_factor_settings.html", context, status=400 if error else 200
    )

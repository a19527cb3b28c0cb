"""How API requests authenticate.

- `Authorization: Bearer <token>`: a personal API token (gongzhi.api.services). A token that is
  unknown, revoked or expired is refused with 401 at once: it never falls back to the session.
- The session cookie, for the site's own pages (and the interactive docs): the logged-in user,
  with Django's CSRF check on every unsafe method (X-CSRFToken header).

Either way the request acts as that user: `request.auth` and `request.user` are the user, and
every endpoint asks the same permission module as the pages. Each user's requests are counted
per minute (settings.GONGZHI["API_REQUESTS_PER_MINUTE"]) by gongzhi.core.ratelimit; over the
limit → 429 with Retry-After.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from gongzhi.core import ratelimit
from gongzhi.core.conf import product_setting
from gongzhi.core.http import client_ip

from . import services

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _throttle(user: Any) -> None:
    """Count one request of this user; Throttled once over the limit in the minute that began
    with the first. Counted by the one rate limiter (gongzhi.core.ratelimit), in the database:
    the same count in every worker process."""
    limit = int(product_setting("API_REQUESTS_PER_MINUTE", 600) or 0)
    if limit <= 0:
        return
    verdict = ratelimit.hit(f"api:user:{user.pk}", limit=limit, window_s=60)
    if not verdict.allowed:
        raise Throttled(wait=verdict.retry_after)


def _accepted(request: HttpRequest, user: Any) -> Any:
    """Remember the request's user and count it against the limit, once per request (the
    idempotency layer authenticates before the operation does); a refusal is remembered too."""
    if user is not None:
        request._gz_api_user = user  # type: ignore[attr-defined]
        try:
            _throttle(user)
        except Throttled as exc:
            request._gz_api_throttled = exc  # type: ignore[attr-defined]
    refused = getattr(request, "_gz_api_throttled", None)
    if refused is not None:
        raise refused
    return request._gz_api_user  # type: ignore[attr-defined]


class TokenAuth(HttpBearer):
    """A personal API token in the Authorization header."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationError(message=_bad_header_message())
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if hasattr(request, "_gz_api_user"):
            return _accepted(request, None)
        try:
            found = services.authenticate(token, ip=client_ip(request))
        except services.TokenRefused as exc:
            raise AuthenticationError(message=str(exc.message)) from exc
        request.user = found.user
        request._gz_api_token = found  # type: ignore[attr-defined]
        return _accepted(request, found.user)


def _bad_header_message() -> str:
    from django.utils.translation import gettext as _

    return _("Send the token as “Authorization: Bearer <token>”.")


class SessionAuth(APIKeyCookie):
    """The site's session, for its own pages: only when a session cookie is sent (so a request
    with no credentials at all is a 401, not a CSRF failure), with the CSRF check on unsafe
    methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return _accepted(request, None if hasattr(request, "_gz_api_user") else user)


TOKEN_AUTH = TokenAuth()
SESSION_AUTH = SessionAuth()
AUTH = [TOKEN_AUTH, SESSION_AUTH]


def resolve_user(request: HttpRequest) -> Any:
    """The user the request authenticates as, or None (whatever the reason: the operation's own
    authentication then answers with the right error). Used before the operation runs."""
    if hasattr(request, "_gz_api_user"):
        return None if hasattr(request, "_gz_api_throttled") else request._gz_api_user
    for auth in AUTH:
        try:
            user = auth(request)
        except Exception:  # noqa: BLE001  (refusals are reported by the operation itself)
            return None
        if user:
            return user
    return None

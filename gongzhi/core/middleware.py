from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class LanguageMiddleware:
    """Chinese first: the language is the one the user chose with the language switch (its
    cookie), otherwise zh-hans. (Accounts have a `language` field that is not used yet: the
    choice is per browser.) The browser's Accept-Language is deliberately not
    followed, so a staff member on an English browser still sees the product as deployed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """The headers Django's own settings don't set: a Content-Security-Policy that allows
    scripts from this site's files only (no inline script, no eval, no other origin — pages
    carry no inline scripts or event handlers, a test keeps it so; a page that needs more sets
    its own header, which is kept), a Permissions-Policy that
    lets only this site use the camera (the check-in scanner) and the location (the report
    form's pin), and Cross-Origin-Opener-Policy. `CONTENT_SECURITY_POLICY` replaces the policy;
    an intranet tile server (MAP_TILE_URL) is allowed for images."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "") or default_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(self), microphone=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def default_policy() -> str:
    from urllib.parse import urlsplit

    tiles = urlsplit(settings.GONGZHI.get("MAP_TILE_URL", "") or "")
    host = tiles.netloc.replace("{s}", "*")  # a template's subdomains: any subdomain
    tile_origin = f" {tiles.scheme}://{host}" if tiles.scheme and host else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # style attributes (maps, charts, progress bars)
            f"img-src 'self' data: blob:{tile_origin}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

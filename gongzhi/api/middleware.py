"""Two things for requests under /api/ that happen outside the API's own operations:

- Language: a program sending a token chooses its language with Accept-Language (zh-hans or
  en); the site's own pages (session cookie) follow the site's language switch as every page
  does (gongzhi.core.middleware.LanguageMiddleware), and the default is zh-hans.
- Errors Django answers itself (no such URL, a method the path does not take, a crash outside
  an operation) get the API's JSON error body instead of an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from .errors import code_for, error_response

API_PREFIX = "/api/"


def _language_from_header(header: str) -> str | None:
    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        chosen = None
        if request.headers.get("Authorization") and not request.COOKIES.get(
            settings.LANGUAGE_COOKIE_NAME
        ):
            chosen = _language_from_header(request.headers.get("Accept-Language", ""))
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen  # type: ignore[attr-defined]
        response = self.get_response(request)
        if chosen:
            response["Content-Language"] = chosen
        if response.status_code >= 400 and not _is_json(response):
            response = self._as_json(request, response)
        return response

    def _as_json(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
        status = response.status_code
        messages = {
            404: _("Not found."),
            405: _("This path does not answer %(method)s.") % {"method": request.method},
            500: _("Something went wrong on our side; it has been logged."),
        }
        new = error_response(
            status, code_for(status), messages.get(status, _("The request could not be processed."))
        )
        if response.has_header("Allow"):
            new["Allow"] = response["Allow"]
        return new


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("application/json")

"""One error body for every failure of the API, in the request's language:

    {"code": "invalid", "message": "…", "errors": [{"field": "description", "message": "…"}]}

`code` is stable and meant for programs; `message` and the field messages are for people.
Validation of the request's shape (pydantic), the services' refusals (ServiceError,
ConflictError, NotAllowed), missing objects, authentication, throttling and unexpected failures
all end here; nothing answers with an HTML page or a stack trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from gongzhi.core.errors import ConflictError, ServiceError

log = logging.getLogger("gongzhi.api")

CONTENT_TYPE = "application/json; charset=utf-8"


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """An error the API answers directly (status, code, message, field errors)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any,
        errors: Iterable[tuple[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors)
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: Any,
    errors: Iterable[tuple[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {
        "code": code,
        "message": str(message),
        "errors": [{"field": f, "message": str(m)} for f, m in errors],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


# --- the request's shape --------------------------------------------------------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# The names the endpoints give their schema parameters; they are not part of a field's name.
_PARAM_NAMES = {"payload", "filters"}


def _field_name(loc: Iterable[Any]) -> str:
    # Unions add the member's name (literal['a','b'], int, function-after[…]) to the path.
    parts = [str(p) for p in loc if not _is_union_member(p)]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in _PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _is_union_member(part: Any) -> bool:
    text = str(part)
    return isinstance(part, str) and (
        "[" in text or text in {"int", "str", "float", "bool", "none", "list", "dict"}
    )


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length", "?")}
    if kind == "string_too_short":
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length", "?")}
    if kind == "too_long":
        return _("At most %(n)s items.") % {"n": ctx.get("max_length", "?")}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"):
        return _("Enter a number.")
    if kind in ("decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return _("Enter a number with fewer digits.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", ""))}
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return _("Enter a date and time (ISO 8601, e.g. 2026-05-01T09:30:00+08:00).")
    if kind.startswith("date"):
        return _("Enter a date (YYYY-MM-DD).")
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return _("Enter text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Send a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return _("Send a JSON object.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return str(ctx["error"])
    return _("Enter a valid value.")


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for e in exc.errors:
        field = _field_name(e.get("loc", ()))
        if field not in seen:  # a union reports once per member: the first says enough
            seen.add(field)
            errors.append((field, _message(e)))
    return error_response(
        422, "invalid", _("The request is not valid: see the errors for each field."), errors
    )


# --- the services' refusals -------------------------------------------------------------------


def service_error_fields(exc: ServiceError) -> list[tuple[str, Any]]:
    return [(name, m) for name, messages in exc.field_errors.items() for m in messages]


def _on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error_response(422, exc.code or "invalid", exc.message, service_error_fields(exc))


def _on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_response(409, "conflict", exc.message, service_error_fields(exc))


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = getattr(exc, "message", "") or str(exc) or _("You are not allowed to do this.")
    return error_response(403, "forbidden", message)


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.errors, exc.headers)


# --- HTTP-level failures ------------------------------------------------------------------------


def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message and exc.message != "Unauthorized" else None
    return error_response(
        401,
        "unauthenticated",
        message or _("Authentication is needed: send “Authorization: Bearer <token>”."),
        headers={"WWW-Authenticate": 'Bearer realm="gongzhi"'},
    )


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = max(1, int(getattr(exc, "wait", None) or 60))
    return error_response(
        429,
        "throttled",
        _("Too many requests: try again in %(n)d seconds.") % {"n": wait},
        headers={"Retry-After": str(wait)},
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 400 and str(exc.message).startswith("Cannot parse request body"):
        return error_response(400, "bad_request", _("The request body is not valid JSON."))
    if status == 403 and "CSRF" in str(exc.message):
        return csrf_failed()
    return error_response(status, code_for(status), exc.message)


def csrf_failed() -> HttpResponse:
    return error_response(
        403,
        "csrf_failed",
        _("The CSRF check failed: send the X-CSRFToken header with the session's token."),
    )


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "too_large", _("The request body is too large."))
    return error_response(400, "bad_request", _("The request could not be processed."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("api: %s %s failed", request.method, request.path)
    return server_error()


def server_error() -> HttpResponse:
    return error_response(
        500, "server_error", _("Something went wrong on our side; it has been logged.")
    )


CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
}


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "error")


def install(api: Any) -> None:
    """Register the handlers on a NinjaAPI (more specific classes win: ninja walks the MRO)."""
    api.add_exception_handler(ValidationError, _on_validation_error)
    api.add_exception_handler(ConflictError, _on_conflict)
    api.add_exception_handler(ServiceError, _on_service_error)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(ApiError, _on_api_error)
    api.add_exception_handler(AuthenticationError, _on_authentication_error)
    api.add_exception_handler(Throttled, _on_throttled)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(SuspiciousOperation, _on_suspicious)
    api.add_exception_handler(Exception, _on_unexpected)

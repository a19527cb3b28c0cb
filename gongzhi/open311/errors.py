"""Open311 errors: an HTTP status and one or more (code, description) pairs for the body.

The spec's statuses: 404 for what does not exist (a jurisdiction, service_code, request or
token), 403 for a missing or bad api_key, 400 for everything else. The body's code may be more
specific than the HTTP status: a client over its rate limit gets HTTP 403 (clients know it means
"your key cannot proceed") with code 429 in the body and a Retry-After header.
"""

from __future__ import annotations

from typing import Any


class Open311Error(Exception):
    def __init__(
        self,
        errors: list[tuple[int, Any]],
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__("; ".join(str(d) for _, d in errors))
        self.errors = [(code, str(description)) for code, description in errors]
        codes = {code for code, _ in self.errors}
        self.status = status or (404 if 404 in codes else 403 if 403 in codes else 400)
        self.headers = headers or {}


def bad_request(description: Any) -> Open311Error:
    return Open311Error([(400, description)])


def not_found(description: Any) -> Open311Error:
    return Open311Error([(404, description)])

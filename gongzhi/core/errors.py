"""Errors that services raise for the user to read.

A service refuses bad input by raising `ServiceError` (or Django's `ValidationError` from
`full_clean`) before it writes anything; views and the API turn it into a message in the user's
language, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A rule refused the request. `message` is translated and safe to show to the user."""

    code = "invalid"

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        field_errors: dict[str, list[Any]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class ConflictError(ServiceError):
    """Someone else changed the object first (a lost race); nothing was written."""

    code = "conflict"


class NotAllowed(PermissionDenied):
    """The user may not do this to this object. The message says why, in the user's language."""

    def __init__(self, message: Any = "") -> None:
        super().__init__(str(message))
        self.message = message

"""Errors that services raise for the user to read.

A service refuses bad input by raising `ServiceError` before it writes anything; views and the
API turn it into a message in the user's language, never a 500. Django's `ValidationError`
(from `full_clean()`, validators, constraints) becomes one the same way everywhere:

    with validation_errors(Person):        # or: raise service_error(exc, model=Person)
        audit.create(actor=actor, model=Person, **fields)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Model
from django.utils.translation import gettext as _


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


def _label(model: type[Model] | None, name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        return str(getattr(field, "verbose_name", name))
    return name


def service_error(exc: ValidationError, *, model: type[Model] | None = None) -> ServiceError:
    """Django's ValidationError as a ServiceError: each field's messages in `field_errors` (under
    the field's name, for forms and the API to put next to the field), and the message all of
    them, each field's after its name (the model's verbose name when `model` is given)."""
    by_field: dict[str, list[str]] = (
        {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    )
    parts = []
    for name, messages in by_field.items():
        text = " ".join(messages)
        label = _label(model, name)
        parts.append(
            _("%(field)s: %(message)s") % {"field": label, "message": text} if label else text
        )
    return ServiceError(
        " ".join(p for p in parts if p) or _("The data is not valid."),
        field_errors={name: m for name, m in by_field.items() if name != NON_FIELD_ERRORS},
    )


@contextmanager
def validation_errors(model: type[Model] | None = None) -> Iterator[None]:
    """Raise a ValidationError of the block as a ServiceError (see `service_error`)."""
    try:
        yield
    except ValidationError as exc:
        raise service_error(exc, model=model) from exc

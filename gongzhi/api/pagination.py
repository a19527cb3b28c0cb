"""Cursor (keyset) pagination for every list of the API.

A page is `{"items": [...], "next_cursor": "…" | null}`; the next page is asked for with
`?cursor=<next_cursor>` and the same filters. The cursor is opaque (base64 of the last row's
sort key): the next page starts strictly after that row, so rows inserted or removed meanwhile
never shift a page, and no row is seen twice or skipped. Paging is by index range, never by
OFFSET, so page 1,000 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from .errors import ApiError

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def invalid_cursor() -> ApiError:
    return ApiError(
        422,
        "invalid",
        _("The cursor is not valid: start again from the first page."),
        [("cursor", _("Invalid cursor."))],
    )


def encode(kind: str, values: Sequence[Any]) -> str:
    raw = json.dumps([kind, list(values)], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, kind: str) -> list[Any]:
    """The values of a cursor made by `encode(kind, …)`; ApiError(422) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found_kind, values = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor() from exc
    if found_kind != kind or not isinstance(values, list):
        raise invalid_cursor()
    return values


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order` (all ascending or all descending)."""
    q = Q()
    for i, name in enumerate(order):
        field = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{field}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): values[j]})
        q |= step
    return q


def keyset(
    qs: QuerySet[M], order: Sequence[str], *, cursor: str | None, limit: int, kind: str = ""
) -> tuple[list[M], str | None]:
    """One page of `qs` ordered by `order` (non-null fields, the last one unique, e.g.
    ("-received_at", "-id")): the rows after `cursor`, and the next page's cursor (None on the
    last page)."""
    kind = kind or f"{qs.model._meta.label_lower}:{','.join(order)}"
    if cursor:
        values = decode(cursor, kind)
        if len(values) != len(order):
            raise invalid_cursor()
        parsed = []
        for name, value in zip(order, values, strict=True):
            field: Any = qs.model._meta.get_field(name.lstrip("-"))
            try:
                value = field.to_python(value)
            except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
                raise invalid_cursor() from exc
            if value is None or (isinstance(value, int) and abs(value) >= 2**63):
                raise invalid_cursor()
            if isinstance(value, str) and "\x00" in value:
                raise invalid_cursor()
            if isinstance(value, dt.datetime):
                try:  # the database takes offsets up to ±16 h only: send UTC
                    value = value.astimezone(dt.UTC)
                except (OverflowError, ValueError) as exc:
                    raise invalid_cursor() from exc
            parsed.append(value)
        qs = qs.filter(_after(order, parsed))
    rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode(kind, [_value(last, name.lstrip("-")) for name in order])


def page(
    qs: QuerySet[M],
    order: Sequence[str],
    filters: Any,
    out: Callable[[M], Any],
    *,
    key: str = "items",
) -> dict[str, Any]:
    """A list endpoint's answer: the page of `qs` after `filters.cursor` (at most `filters.limit`
    rows, see `keyset`), each row through `out`, under `key`, with the next page's cursor."""
    rows, next_cursor = keyset(qs, order, cursor=filters.cursor, limit=filters.limit)
    return {key: [out(row) for row in rows], "next_cursor": next_cursor}


def _value(obj: Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    value = getattr(obj, getattr(field, "attname", name))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

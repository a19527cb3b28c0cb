"""Writing to the audit trail. Every service that changes data calls `record()` inside its own
transaction, so the change and its audit row commit (or roll back) together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gongzhi.core.pii import mask_id_number, mask_phone

from . import context
from .models import AuditEvent

Changes = dict[str, dict[str, Any]]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` as JSON-safe data (foreign keys as ids)."""
    names = (
        list(fields)
        if fields is not None
        else [
            f.name for f in obj._meta.concrete_fields if f.name not in {"updated_at", "created_at"}
        ]
    )
    personal = set(getattr(type(obj), "PERSONAL_FIELDS", ()))
    data: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        value = _json_value(getattr(obj, attname))
        if name in personal and isinstance(value, str):
            # Personal data never enters the audit trail in full (PIPL): masked like on screen.
            value = mask_id_number(value) if "id_number" in name else mask_phone(value)
        data[name] = value
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """{field: {"before": x, "after": y}} for the fields whose value changed."""
    out: Changes = {}
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b != a:
            out[key] = {"before": b, "after": a}
    return out


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Changes | None = None,
    note: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one row to the audit trail. `actor` is a user or None for the system."""
    ctx = context.current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = getattr(user, "username", "") if user else ("system" if actor is None else str(actor))
    event = AuditEvent(
        actor=user,
        actor_label=label[:150],
        action=action,
        changes=_json_value(changes or {}),
        note=note,
        ip=ctx.ip,
        request_id=ctx.request_id,
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_id = str(obj.pk)
        event.object_repr = (object_repr if object_repr is not None else str(obj))[:200]
    elif object_repr:
        event.object_repr = object_repr[:200]
    event.save()
    return event


def record_created(*, actor: Any, obj: models.Model, note: str = "") -> AuditEvent:
    after = snapshot(obj)
    return record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        changes={
            k: {"before": None, "after": v} for k, v in after.items() if v not in (None, "", [], {})
        },
        note=note,
    )

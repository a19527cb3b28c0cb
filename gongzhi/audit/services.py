"""Writing to the audit trail. Every service that changes data calls `record()` inside its own
transaction, so the change and its audit row commit (or roll back) together."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from gongzhi.core.errors import NotAllowed, validation_errors
from gongzhi.core.pii import mask_id_number, mask_phone
from gongzhi.core.roles import access_for

from . import context
from .models import AuditEvent

Changes = dict[str, dict[str, Any]]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        # Every moment in the site's zone (Asia/Shanghai), so that one row never mixes zones.
        return timezone.localtime(value).isoformat()
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
    if isinstance(value, FieldFile):  # its .url raises on an empty file: ask only its name
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` as JSON-safe data (foreign keys as ids)."""
    specs = _specs(type(obj)) if fields is None else _field_specs(type(obj), tuple(fields))
    data: dict[str, Any] = {}
    for name, attname, mask in specs:
        value = _json_value(getattr(obj, attname))
        if mask is not None and isinstance(value, str):
            # Personal data never enters the audit trail in full (PIPL): masked like on screen.
            value = mask(value)
        data[name] = value
    return data


Spec = tuple[str, str, Any]  # field name, attribute name, masking function or None


@functools.cache
def _specs(model: type[models.Model]) -> tuple[Spec, ...]:
    names = [
        f.name for f in model._meta.concrete_fields if f.name not in {"updated_at", "created_at"}
    ]
    return _field_specs(model, tuple(names))


@functools.cache
def _field_specs(model: type[models.Model], names: tuple[str, ...]) -> tuple[Spec, ...]:
    personal = set(getattr(model, "PERSONAL_FIELDS", ()))
    specs = []
    for name in names:
        field = model._meta.get_field(name)
        mask = None
        if name in personal:
            mask = mask_id_number if "id_number" in name else mask_phone
        specs.append((name, getattr(field, "attname", name), mask))
    return tuple(specs)


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """{field: {"before": x, "after": y}} for the fields whose value changed."""
    out: Changes = {}
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b != a:
            out[key] = {"before": b, "after": a}
    return out


def record(**row: Any) -> AuditEvent:
    """Append one row to the audit trail (the keywords of `entry`: actor, a user or None for
    the system; action; obj; changes; note; object_repr)."""
    event = entry(**row)
    event.save()
    return event


def entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Changes | None = None,
    note: str = "",
    object_repr: str | None = None,
) -> AuditEvent:
    """One row of the audit trail, not yet written (for a service that writes it together
    with its own rows, in the same transaction)."""
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
    event.subdistrict_id = _subdistrict_of(obj, user)
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_id = str(obj.pk)
        event.object_repr = (object_repr if object_repr is not None else str(obj))[:200]
    elif object_repr:
        event.object_repr = object_repr[:200]
    return event


# The relations through which a row without a subdistrict of its own reaches one.
_VIA = ("case", "residential_area", "organisation")


def _is_relation(obj: models.Model, name: str) -> bool:
    try:
        return bool(obj._meta.get_field(name).is_relation)
    except FieldDoesNotExist:
        return False


def _subdistrict_of(obj: models.Model | None, user: Any) -> int | None:
    """The subdistrict an audit row is about: its object's (or the object's case's, area's or
    organisation's); else the acting staff member's, when they serve exactly one; else none
    (the district's and the installation's rows, which every auditor reads)."""
    if obj is not None:
        if obj._meta.label == "places.Subdistrict":
            return obj.pk  # type: ignore[no-any-return]
        own = getattr(obj, "subdistrict_id", None)
        if own is not None:
            return int(own)
        for via in _VIA:
            related_id = getattr(obj, f"{via}_id", None)
            if related_id is None or not _is_relation(obj, via):
                continue  # none, or a property of that name rather than a relation
            cached = obj._state.fields_cache.get(via)
            if cached is not None:
                sd = getattr(cached, "subdistrict_id", None)
            else:
                related = obj._meta.get_field(via).related_model
                if not isinstance(related, type) or not any(
                    f.name == "subdistrict" for f in related._meta.concrete_fields
                ):
                    continue
                sd = (
                    related._default_manager.filter(pk=related_id)
                    .values_list("subdistrict_id", flat=True)
                    .first()
                )
            if sd is not None:
                return int(sd)
    if user is not None:
        mine = access_for(user).subdistrict_ids
        if mine is not None and len(mine) == 1:
            return next(iter(mine))
    return None


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    field: str,
    before: Any,
    after: Any,
    note: str = "",
    action: str = AuditEvent.Action.UPDATE,
) -> AuditEvent:
    """Records a change of one field that the caller wrote itself (a guarded UPDATE, a
    rotation, archiving …)."""
    return record(
        actor=actor,
        action=action,
        obj=obj,
        changes={field: {"before": before, "after": after}},
        note=note,
    )


def record_reveal(
    *, actor: Any, obj: models.Model, field: str, allowed: bool, note: str, refusal: str
) -> None:
    """Logs the opening of a personal field (PIPL): a REVEAL row naming the field, never its
    value; or a DENIED row, and NotAllowed with `refusal`. Each branch writes a single row, so
    there is no transaction to roll the DENIED row back with the refusal: do not call this
    inside an atomic block that the NotAllowed would unwind."""
    record(
        actor=actor,
        action=AuditEvent.Action.REVEAL if allowed else AuditEvent.Action.DENIED,
        obj=obj,
        changes={field: {"revealed": allowed}},
        note=note,
    )
    if not allowed:
        raise NotAllowed(refusal)


def record_created(*, actor: Any, obj: models.Model, note: str = "") -> AuditEvent:
    event = created(actor=actor, obj=obj, note=note)
    event.save()
    return event


def created(*, actor: Any, obj: models.Model, note: str = "") -> AuditEvent:
    """The audit row of a new object, not yet written: every field it was given."""
    event = entry(actor=actor, action=AuditEvent.Action.CREATE, obj=obj, note=note)
    event.changes = {  # a snapshot is JSON-safe already
        k: {"before": None, "after": v}
        for k, v in snapshot(obj).items()
        if v not in (None, "", [], {})
    }
    return event


# --- Generic audited writes for simple records (places, organisations, people …) ----------
#
# Domain services call these for plain create/update/archive so that every write is one
# transaction, validated with `full_clean()` first, and written to the audit trail with the
# fields before and after. Workflow objects (cases …) change through their workflow.

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def create(*, actor: Any, model: type[M], note: str = "", **fields: Any) -> M:
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    record_created(actor=actor, obj=obj, note=note)
    return obj


@transaction.atomic
def update(*, actor: Any, obj: M, note: str = "", **fields: Any) -> M:
    """Set `fields` on `obj` (locked for the update), validate, save and audit the difference."""
    model = type(obj)
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = diff(before, snapshot(locked))
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, changes=changes, note=note)
    for name in fields:
        setattr(obj, name, getattr(locked, name))
    return locked


def save_new(*, actor: Any, obj: M) -> M:
    """A new object its service built: validated, saved and audited, with a ValidationError
    raised as a ServiceError (`create` with the object made by the caller)."""
    with validation_errors(type(obj)):
        obj.full_clean()
        obj.save()
    record_created(actor=actor, obj=obj)
    return obj


def update_checked(*, actor: Any, obj: M, **fields: Any) -> M:
    """`update`, with a ValidationError raised as a ServiceError."""
    with validation_errors(type(obj)):
        return update(actor=actor, obj=obj, **fields)


@transaction.atomic
def archive(*, actor: Any, obj: M, note: str = "") -> M:
    if getattr(obj, "archived_at", None) is not None:
        return obj
    by = actor if getattr(actor, "is_authenticated", False) else None
    return _set_archived(
        actor=actor, obj=obj, at=timezone.now(), by=by, action=AuditEvent.Action.ARCHIVE, note=note
    )


@transaction.atomic
def restore(*, actor: Any, obj: M, note: str = "") -> M:
    if getattr(obj, "archived_at", None) is None:
        return obj
    return _set_archived(
        actor=actor, obj=obj, at=None, by=None, action=AuditEvent.Action.RESTORE, note=note
    )


def _set_archived(
    *, actor: Any, obj: M, at: dt.datetime | None, by: Any, action: str, note: str
) -> M:
    before = getattr(obj, "archived_at", None)
    type(obj)._default_manager.filter(pk=obj.pk).update(archived_at=at, archived_by=by)
    obj.archived_at = at  # type: ignore[attr-defined]
    record_change(
        actor=actor, obj=obj, field="archived_at", before=before, after=at, note=note, action=action
    )
    return obj

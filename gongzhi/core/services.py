"""Generic audited writes for simple records (places, organisations, people …).

Domain services call these for plain create/update/archive so that every write is one
transaction, validated with `full_clean()` first, and written to the audit trail with the fields
before and after. Workflow objects (cases …) have their own services with explicit transitions.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def create(*, actor: Any, model: type[M], note: str = "", **fields: Any) -> M:
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    audit.record_created(actor=actor, obj=obj, note=note)
    return obj


@transaction.atomic
def update(*, actor: Any, obj: M, note: str = "", **fields: Any) -> M:
    """Set `fields` on `obj` (locked for the update), validate, save and audit the difference."""
    model = type(obj)
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked))
    if changes:
        audit.record(
            actor=actor, action=AuditEvent.Action.UPDATE, obj=locked, changes=changes, note=note
        )
    for name in fields:
        setattr(obj, name, getattr(locked, name))
    return locked


@transaction.atomic
def archive(*, actor: Any, obj: M, note: str = "") -> M:
    if getattr(obj, "archived_at", None) is not None:
        return obj
    now = timezone.now()
    type(obj)._default_manager.filter(pk=obj.pk).update(
        archived_at=now, archived_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    obj.archived_at = now  # type: ignore[attr-defined]
    audit.record(
        actor=actor,
        action=AuditEvent.Action.ARCHIVE,
        obj=obj,
        changes={"archived_at": {"before": None, "after": now}},
        note=note,
    )
    return obj


@transaction.atomic
def restore(*, actor: Any, obj: M, note: str = "") -> M:
    before = getattr(obj, "archived_at", None)
    if before is None:
        return obj
    type(obj)._default_manager.filter(pk=obj.pk).update(archived_at=None, archived_by=None)
    obj.archived_at = None  # type: ignore[attr-defined]
    audit.record(
        actor=actor,
        action=AuditEvent.Action.RESTORE,
        obj=obj,
        changes={"archived_at": {"before": before, "after": None}},
        note=note,
    )
    return obj

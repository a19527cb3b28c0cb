"""Reading the audit trail (auditors and administrators only; see core.permissions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""  # "app_label.model"
    object_id: str = ""
    text: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


# filter field → the lookup it narrows the events by
LOOKUPS = {
    "actor": "actor_label__icontains",
    "action": "action",
    "object_id": "object_id",
    "since": "at__date__gte",
    "until": "at__date__lte",
}


def audit_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    given = {lookup: getattr(f, name) for name, lookup in LOOKUPS.items() if getattr(f, name)}
    qs = AuditEvent.objects.select_related("content_type").filter(**given)
    if f.object_type and "." in f.object_type:
        app_label, model = f.object_type.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.text:
        qs = qs.filter(Q(object_repr__icontains=f.text) | Q(note__icontains=f.text))
    return qs.order_by("-at", "-id")

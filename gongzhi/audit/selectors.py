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


def audit_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("content_type")
    if f.actor:
        qs = qs.filter(actor_label__icontains=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type and "." in f.object_type:
        app_label, model = f.object_type.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.text:
        qs = qs.filter(Q(object_repr__icontains=f.text) | Q(note__icontains=f.text))
    if f.since:
        qs = qs.filter(at__date__gte=f.since)
    if f.until:
        qs = qs.filter(at__date__lte=f.until)
    return qs.order_by("-at", "-id")

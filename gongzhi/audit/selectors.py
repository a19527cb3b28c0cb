"""Reading the audit trail (auditors and administrators only; see core.permissions)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    qs = AuditEvent.objects.select_related("content_type", "actor__person").filter(**given)
    if f.object_type and "." in f.object_type:
        app_label, model = f.object_type.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.text:
        qs = qs.filter(Q(object_repr__icontains=f.text) | Q(note__icontains=f.text))
    return qs.order_by("-at", "-id")


# --- Reading a row as an auditor does ------------------------------------------------------------

EMPTY = "—"
# Who acted when no signed-in user did, as the services record it.
ACTOR_LABELS = {
    "system": gettext_lazy("the system (automatic)"),
    "reporter (web)": gettext_lazy("the reporter (web form)"),
}
# Entries of `changes` that are no field of the model (written by a workflow's step).
EXTRA_LABELS = {
    "extension_request": gettext_lazy("extension asked for"),
    "extension_decision": gettext_lazy("extension decision"),
}


@dataclass(frozen=True)
class ChangeRow:
    name: str
    label: str
    before: str
    after: str


def model_of(event: AuditEvent) -> type[Model] | None:
    ct = event.content_type
    return ct.model_class() if ct is not None else None


def actor_display(event: AuditEvent) -> str:
    """The person's name with their login; the system or the public by what they were."""
    user = event.actor
    if user is not None:
        person = getattr(user, "person", None)
        name = getattr(person, "name", "") if person is not None else ""
        return f"{name}（{user.get_username()}）" if name else user.get_username()
    label = event.actor_label
    return str(ACTOR_LABELS.get(label, label)) if label else str(ACTOR_LABELS["system"])


def object_display(event: AuditEvent) -> str:
    model = model_of(event)
    kind = str(model._meta.verbose_name) if model is not None else ""
    return " · ".join(part for part in (kind, event.object_repr) if part)


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return str(EXTRA_LABELS.get(name, name.replace("_", " ")))


def _moment(text: str) -> str | None:
    """An ISO date-time as the trail shows it: in the site's time zone (Asia/Shanghai), to the
    minute, whatever zone it was written in."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(value):
        return value.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _shown(field: Any, value: Any, names: dict[tuple[Any, Any], str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if field is not None and field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), f"#{value}")
    if isinstance(value, str):
        if isinstance(field, models.DateTimeField) or (field is None and "T" in value):
            return _moment(value) or value
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(event: AuditEvent) -> list[ChangeRow]:
    """The row's changes as an auditor reads them: the fields' labels in the reader's language,
    related objects by name, choices by their label, times in one zone, empty as "—"."""
    model = model_of(event)
    changes = event.changes if isinstance(event.changes, dict) else {}
    wanted: dict[type[Model], set[Any]] = {}
    for name, change in changes.items():
        field = _field(model, name)
        if field is not None and field.is_relation and field.related_model is not None:
            for side in ("before", "after"):
                value = (change or {}).get(side)
                if value not in (None, ""):
                    wanted.setdefault(field.related_model, set()).add(value)
    names: dict[tuple[Any, Any], str] = {}
    for related, ids in wanted.items():
        for obj in related._base_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)
            names[(related, str(obj.pk))] = str(obj)
    rows = []
    for name, change in changes.items():
        field = _field(model, name)
        change = change if isinstance(change, dict) else {"before": None, "after": change}
        rows.append(
            ChangeRow(
                name,
                field_label(model, name),
                _shown(field, change.get("before"), names),
                _shown(field, change.get("after"), names),
            )
        )
    return rows

"""How the audit pages name who acted, on what, and which fields (gongzhi.audit.selectors)."""

from __future__ import annotations

from django import template

from gongzhi.audit import selectors
from gongzhi.audit.models import AuditEvent

register = template.Library()


@register.filter
def who(event: AuditEvent) -> str:
    return selectors.actor_display(event)


@register.filter
def what(event: AuditEvent) -> str:
    return selectors.object_display(event)


@register.filter
def fields(event: AuditEvent) -> str:
    model = selectors.model_of(event)
    changes = event.changes if isinstance(event.changes, dict) else {}
    return "、".join(selectors.field_label(model, name) for name in changes)

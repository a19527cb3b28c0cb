from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import AuditEvent


@register(AuditEvent)
class AuditEventPolicy(Policy):
    """Auditors and administrators read the trail (of their subdistricts, and the rows of none);
    nobody changes it."""

    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.has(Role.AUDITOR, Role.ADMIN) else qs.none()

    def can_change(self, access: Access, obj: Any) -> bool:
        return False

    def can_archive(self, access: Access, obj: Any) -> bool:
        return False

    def can_create(self, access: Access, obj: Any) -> bool:
        return False

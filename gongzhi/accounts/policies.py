from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import User


@register(User)
class UserPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.has(Role.ADMIN, Role.AUDITOR):
            return qs
        return qs.filter(pk=access.user_id) if access.user_id else qs.none()

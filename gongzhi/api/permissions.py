"""Who sees API tokens: each user their own, administrators everyone's (of their subdistricts; the
back office)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.accounts.policies import users_of_subdistricts_q
from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import ApiToken


@register(ApiToken)
class ApiTokenPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.has(Role.ADMIN):
            return qs
        if access.user_id is None:
            return qs.none()
        return qs.filter(user_id=access.user_id)

    def subdistrict_q(self, access: Access) -> Q | None:
        """A token acts as its user: administrators of some subdistricts see their users'."""
        if access.subdistrict_ids is None:
            return None
        q = users_of_subdistricts_q(access.subdistrict_ids, prefix="user__")
        return q | Q(user_id=access.user_id) if access.user_id else q

    def _own_or_admin(self, access: Access, obj: Any) -> bool:
        if access.has(Role.ADMIN):
            return True
        owner = getattr(obj, "user_id", None)
        return access.user_id is not None and owner == access.user_id

    def can_create(self, access: Access, obj: Any) -> bool:
        """`obj` is an unsaved token naming its user: your own, or anyone's for administrators."""
        return self._own_or_admin(access, obj)

    def can_revoke(self, access: Access, obj: Any) -> bool:
        return self._own_or_admin(access, obj)

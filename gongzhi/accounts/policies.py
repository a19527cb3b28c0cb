from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import Policy, register
from gongzhi.core.roles import Access, Role

from .models import User


def users_of_subdistricts_q(subdistrict_ids: frozenset[int], prefix: str = "") -> Q:
    """The users of these subdistricts, for a query on a model whose `prefix` leads to a user:
    those with a position in an organisation of one of them or of the district (one that
    belongs to no subdistrict), those who live there, and accounts linked to no person
    (residents' own accounts, which belong to no subdistrict)."""
    sds = subdistrict_ids
    org = "person__positions__organisation__"
    linked = User.objects.filter(
        Q(**{f"{org}subdistrict_id__in": sds})
        | Q(**{f"{org}isnull": False, f"{org}subdistrict__isnull": True})
        | Q(person__home_area__subdistrict_id__in=sds)
    ).values("pk")
    return Q(**{f"{prefix}person__isnull": True}) | Q(**{f"{prefix}pk__in": linked})


@register(User)
class UserPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.has(Role.ADMIN, Role.AUDITOR):
            return qs
        return qs.filter(pk=access.user_id) if access.user_id else qs.none()

    def subdistrict_q(self, access: Access) -> Q | None:
        """Administrators and auditors of some subdistricts see those subdistricts' users."""
        if access.subdistrict_ids is None:
            return None
        q = users_of_subdistricts_q(access.subdistrict_ids)
        return q | Q(pk=access.user_id) if access.user_id else q

"""Who sees which cases: a department its own work orders, an inspector its station's, a
residential area its own; the centre and leaders everything; a reporter their own reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access, Role
from gongzhi.workflow import TablePolicy

from .models import Case, CaseEvent, CasePhoto, Category, ExtensionRequest, TimeLimit
from .workflow import CASES


def case_scope_q(access: Access, prefix: str = "") -> Q | None:
    """None means every case. The centre and leaders see every case of their subdistrict(s)
    (every case where the installation serves one subdistrict, or for the district level)."""
    p = prefix
    if access.whole_subdistrict:
        if access.subdistrict_ids is None:
            return None
        return Q(**{f"{p}subdistrict_id__in": access.subdistrict_ids})
    q = Q(**{f"{p}pk__in": []})
    if access.department_ids:
        q |= Q(**{f"{p}department_id__in": access.department_ids})
    if access.station_ids:
        q |= Q(**{f"{p}station_id__in": access.station_ids})
    if access.area_ids:
        q |= Q(**{f"{p}residential_area_id__in": access.area_ids})
    if access.user_id:
        q |= Q(**{f"{p}reporter_user_id": access.user_id})
    return q


class _CaseScopedPolicy(Policy):
    """Cases, and the rows of a case (`case_prefix` leads to it): visible with the case."""

    case_prefix = ""
    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None and not access.is_superuser:
            return qs.none()
        q = case_scope_q(access, self.case_prefix)
        return qs if q is None else qs.filter(q)


@register(Case)
class CasePolicy(TablePolicy, _CaseScopedPolicy):
    table = CASES

    def can_create(self, access: Access, obj: Any) -> bool:
        return access.user_id is not None

    def can_reveal(self, access: Access, obj: Case) -> bool:
        """The reporter's phone: for the centre (callbacks) and the department handling it."""
        if access.has(Role.OPERATOR, Role.DUTY_CHIEF, Role.ADMIN):
            return True
        return access.has(Role.DEPARTMENT) and obj.department_id in access.department_ids


@register(CaseEvent)
class CaseEventPolicy(_CaseScopedPolicy):
    case_prefix = "case__"
    subdistrict_path = "case__subdistrict"


@register(CasePhoto)
class CasePhotoPolicy(CaseEventPolicy):
    pass


@register(ExtensionRequest)
class ExtensionRequestPolicy(CaseEventPolicy):
    pass


@register(Category)
class CategoryPolicy(Policy):
    subdistrict_path = SHARED  # one catalogue for the installation

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs


@register(TimeLimit)
class TimeLimitPolicy(Policy):
    subdistrict_path = SHARED

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.is_staff_member else qs.none()

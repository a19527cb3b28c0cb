"""Who may see and change organisations and people, and who may reveal personal data."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.accounts.permissions import Policy, register
from gongzhi.accounts.roles import Access, Role, active_positions_q

from .models import DualRegistration, Organisation, OrgRelation, PartyMembership, Person, Position


@register(Organisation)
class OrganisationPolicy(Policy):
    """The organisation tree is internal but not personal: every signed-in user sees it."""

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.user_id is not None or access.is_superuser else qs.none()

    def can_change(self, access: Access, obj: Organisation) -> bool:
        return access.has(Role.ADMIN) or (access.has(Role.LIAISON) and obj.pk in access.unit_ids)


@register(OrgRelation)
class OrgRelationPolicy(OrganisationPolicy):
    def can_change(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)


def people_in_scope_q(access: Access, prefix: str = "") -> Q | None:
    """A Q over Person for the people this user may see, or None for everyone."""
    if access.whole_subdistrict:
        return None
    p = prefix
    pos = active_positions_q(prefix=f"{p}positions__")
    q = Q(**{f"{p}pk": access.person_id}) if access.person_id else Q(**{f"{p}pk__in": []})
    if access.area_ids:
        q |= pos & Q(**{f"{p}positions__organisation__residential_area_id__in": access.area_ids})
        q |= Q(**{f"{p}home_area_id__in": access.area_ids})
        q |= Q(**{f"{p}dual_registrations__residential_area_id__in": access.area_ids})
    if access.department_ids:
        q |= pos & Q(**{f"{p}positions__organisation_id__in": access.department_ids})
    if access.station_ids:
        q |= pos & Q(**{f"{p}positions__organisation__grid_station_id__in": access.station_ids})
    if access.unit_ids:
        q |= pos & Q(**{f"{p}positions__organisation_id__in": access.unit_ids})
    if access.service_org_ids:
        q |= pos & Q(**{f"{p}positions__organisation_id__in": access.service_org_ids})
    return q


@register(Person)
class PersonPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None and not access.is_superuser:
            return qs.none()
        q = people_in_scope_q(access)
        if q is None:
            return qs
        return qs.filter(pk__in=Person.objects.filter(q).values("pk"))

    def can_reveal(self, access: Access, obj: Person) -> bool:
        """Full mobile / ID numbers: for the people who must contact or identify this person."""
        if access.person_id is not None and obj.pk == access.person_id:
            return True
        if access.has(Role.ADMIN, Role.OPERATOR, Role.DUTY_CHIEF):
            return True
        if access.has(Role.AREA, Role.DEPARTMENT):
            limited = Access(
                user_id=access.user_id,
                roles=access.roles,
                area_ids=access.area_ids,
                department_ids=access.department_ids,
                person_id=access.person_id,
            )
            q = people_in_scope_q(limited)
            return q is not None and Person.objects.filter(q, pk=obj.pk).exists()
        return False

    def can_change(self, access: Access, obj: Person) -> bool:
        return access.has(Role.ADMIN)


class _ByPersonPolicy(Policy):
    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None and not access.is_superuser:
            return qs.none()
        q = people_in_scope_q(access)
        if q is None:
            return qs
        return qs.filter(person__in=Person.objects.filter(q).values("pk"))


for _model in (Position, PartyMembership, DualRegistration):
    register(_model)(type(f"{_model.__name__}Policy", (_ByPersonPolicy,), {}))

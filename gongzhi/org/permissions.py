"""Who may see and change organisations and people, and who may reveal personal data.

People are scoped by where they work or live (see `people_in_scope_q`); the rule in words:

| role | people they see |
| --- | --- |
| operator, duty chief, leader, auditor, administrator | everyone |
| residential-area secretary / member | the people holding a position in an organisation of their area, the area's residents and dual-registered Party members, and the people of the area's grid station |
| inspector | the people of their grid station and the position holders of the areas it serves |
| department handler | the people of their department |
| unit liaison | the people of their unit |
| service-centre staff | the people of their service centre / station |
| everyone signed in | themselves |

Full mobile and ID numbers (`reveal`) go only to those who must contact or identify someone:
the person themself, administrators, operators and duty chiefs for everyone, and area members
and department handlers for the people of their own area or department.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.permissions import SHARED, Policy, register
from gongzhi.core.roles import Access, Role
from gongzhi.org.access import active_positions_q

from .models import DualRegistration, Organisation, OrgRelation, PartyMembership, Person, Position


@register(Organisation)
class OrganisationPolicy(Policy):
    """The organisation tree is internal but not personal: every signed-in user sees it (their
    subdistricts' part, and the district's offices)."""

    subdistrict_path = "subdistrict"

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if access.user_id is not None or access.is_superuser else qs.none()

    def can_change(self, access: Access, obj: Organisation) -> bool:
        return access.has(Role.ADMIN) or (access.has(Role.LIAISON) and obj.pk in access.unit_ids)


@register(OrgRelation)
class OrgRelationPolicy(OrganisationPolicy):
    subdistrict_path = "source__subdistrict"

    def can_change(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)


def _stations_of_areas(area_ids: frozenset[int]) -> QuerySet[Any]:
    from gongzhi.places.models import ResidentialArea

    return ResidentialArea.objects.filter(pk__in=area_ids, grid_station__isnull=False).values(
        "grid_station_id"
    )


def _areas_of_stations(station_ids: frozenset[int]) -> QuerySet[Any]:
    from gongzhi.places.models import ResidentialArea

    return ResidentialArea.objects.filter(grid_station_id__in=station_ids).values("pk")


def people_in_scope_q(access: Access, prefix: str = "") -> Q | None:
    """A Q over Person for the people this user may see, or None for everyone.

    Every condition on a position also requires the position to be active (term running, not
    archived) in an organisation that is not archived; ended terms and archived registrations
    give no visibility. Use it through `Person.objects.filter(pk__in=...)` (as `scope` does):
    the OR over several relations would otherwise repeat rows.
    """
    if access.whole_subdistrict and access.subdistrict_ids is None:
        return None
    p = prefix
    org = f"{p}positions__organisation__"
    pos = active_positions_q(prefix=f"{p}positions__") & Q(**{f"{org}archived_at__isnull": True})
    q = Q(**{f"{p}pk": access.person_id}) if access.person_id else Q(**{f"{p}pk__in": []})
    if access.whole_subdistrict:
        # Everyone with a position in their subdistricts (or the district's offices), or living
        # there.
        sds = access.subdistrict_ids
        q |= pos & (
            Q(**{f"{org}subdistrict_id__in": sds}) | Q(**{f"{org}subdistrict__isnull": True})
        )
        q |= Q(**{f"{p}home_area__subdistrict_id__in": sds})
        return q
    if access.area_ids:
        q |= pos & Q(**{f"{org}residential_area_id__in": access.area_ids})
        q |= pos & Q(**{f"{org}grid_station_id__in": _stations_of_areas(access.area_ids)})
        q |= Q(**{f"{p}home_area_id__in": access.area_ids})
        q |= Q(
            **{
                f"{p}dual_registrations__residential_area_id__in": access.area_ids,
                f"{p}dual_registrations__archived_at__isnull": True,
            }
        )
    if access.department_ids:
        q |= pos & Q(**{f"{org}id__in": access.department_ids})
    if access.station_ids:
        q |= pos & Q(**{f"{org}grid_station_id__in": access.station_ids})
        q |= pos & Q(**{f"{org}residential_area_id__in": _areas_of_stations(access.station_ids)})
    if access.unit_ids:
        q |= pos & Q(**{f"{org}id__in": access.unit_ids})
    if access.service_org_ids:
        q |= pos & Q(**{f"{org}id__in": access.service_org_ids})
    return q


def visible_people_ids(access: Access) -> QuerySet[Any] | None:
    """The ids of the people in scope as a subquery, or None for everyone."""
    q = people_in_scope_q(access)
    return None if q is None else Person.objects.filter(q).values("pk")


class _ByPersonPolicy(Policy):
    """People, and their positions, Party memberships and dual registrations: visible with the
    person (`person_field` names them; `people_in_scope_q` narrows to the subdistricts)."""

    person_field = "person_id"
    subdistrict_path = SHARED

    def subdistrict_q(self, access: Access) -> Q | None:
        """People with a position in the user's subdistricts (or at a district office) or living
        there, and the user themself."""
        sds = access.subdistrict_ids
        if sds is None:
            return None
        org = "positions__organisation__"
        people = Person.objects.filter(
            Q(**{f"{org}subdistrict_id__in": sds}, positions__archived_at__isnull=True)
            | Q(**{f"{org}subdistrict__isnull": True}, positions__isnull=False)
            | Q(home_area__subdistrict_id__in=sds)
        ).values("pk")
        q = Q(**{f"{self.person_field}__in": people})
        if access.person_id:
            q |= Q(**{self.person_field: access.person_id})
        return q

    def scope(self, access: Access, qs: QuerySet[Any]) -> QuerySet[Any]:
        if access.user_id is None and not access.is_superuser:
            return qs.none()
        ids = visible_people_ids(access)
        return qs if ids is None else qs.filter(**{f"{self.person_field}__in": ids})


@register(Person)
class PersonPolicy(_ByPersonPolicy):
    person_field = "pk"

    def can_reveal(self, access: Access, obj: Person) -> bool:
        """Full mobile / ID numbers: for the people who must contact or identify this person."""
        if access.user_id is None and not access.is_superuser:
            return False
        if obj is None or isinstance(obj, type) or obj.pk is None:
            return False
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

    def can_change(self, access: Access, obj: Any) -> bool:
        return access.has(Role.ADMIN)


for _model in (Position, PartyMembership, DualRegistration):
    register(_model)(type(f"{_model.__name__}Policy", (_ByPersonPolicy,), {}))

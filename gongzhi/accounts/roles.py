"""Who a user is in the system: roles and scopes, derived from the positions of their person.

A role says what kind of work a user does; a scope says over which part of the subdistrict:
a department handler is scoped to its department, a residential-area secretary to its area, an
inspector to the grids of their grid station, a leader to the whole subdistrict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("grid-centre operator")
    DUTY_CHIEF = "duty_chief", _("duty chief")
    DEPARTMENT = "department", _("department handler")
    INSPECTOR = "inspector", _("inspector")
    AREA = "area", _("residential-area secretary or member")
    LIAISON = "liaison", _("alliance member unit liaison")
    SERVICE_STAFF = "service_staff", _("service-centre staff")
    RESIDENT = "resident", _("resident")
    LEADER = "leader", _("leader")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("administrator")


# Roles whose scope is the whole subdistrict.
SUBDISTRICT_WIDE = frozenset(
    {Role.OPERATOR, Role.DUTY_CHIEF, Role.LEADER, Role.AUDITOR, Role.ADMIN}
)
STAFF_ROLES = frozenset(set(Role) - {Role.RESIDENT})


@dataclass(frozen=True)
class Access:
    """What one user may reach. Built once per request by `access_for()`."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()
    area_ids: frozenset[int] = frozenset()  # residential areas (AREA role)
    department_ids: frozenset[int] = (
        frozenset()
    )  # organisations of kind department / property company
    station_ids: frozenset[int] = frozenset()  # grid stations (INSPECTOR role)
    unit_ids: frozenset[int] = frozenset()  # resident units (LIAISON role)
    service_org_ids: frozenset[int] = frozenset()  # service centre / stations (SERVICE_STAFF role)
    org_ids: frozenset[int] = frozenset()  # every organisation the user holds a position in
    person_id: int | None = None
    is_superuser: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, *roles: Role) -> bool:
        return self.is_superuser or any(r in self.roles for r in roles)

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or bool(self.roles & STAFF_ROLES)

    @property
    def whole_subdistrict(self) -> bool:
        return self.is_superuser or bool(self.roles & SUBDISTRICT_WIDE)

    @property
    def primary_role(self) -> Role:
        for role in (
            Role.ADMIN,
            Role.LEADER,
            Role.DUTY_CHIEF,
            Role.OPERATOR,
            Role.DEPARTMENT,
            Role.INSPECTOR,
            Role.AREA,
            Role.SERVICE_STAFF,
            Role.LIAISON,
            Role.AUDITOR,
        ):
            if role in self.roles:
                return role
        return Role.ADMIN if self.is_superuser else Role.RESIDENT


ANONYMOUS = Access(user_id=None)


def active_positions_q(today: dt.date | None = None, prefix: str = "") -> Q:
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}archived_at__isnull": True})
        & (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": today}))
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today}))
    )


def compute_access(user: Any, today: dt.date | None = None) -> Access:
    """Derive roles and scopes from the user's active positions (see the table in docs)."""
    from gongzhi.org.models import Organisation, Position

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    K, R = Organisation.Kind, Position.Role
    roles: set[Role] = {Role.RESIDENT}
    areas: set[int] = set()
    departments: set[int] = set()
    stations: set[int] = set()
    units: set[int] = set()
    service_orgs: set[int] = set()
    orgs: set[int] = set()
    if user.person_id:
        positions = (
            Position.objects.filter(active_positions_q(today), person_id=user.person_id)
            .select_related("organisation")
            .only(
                "role",
                "organisation__id",
                "organisation__kind",
                "organisation__residential_area_id",
                "organisation__grid_station_id",
                "organisation__archived_at",
            )
        )
        for pos in positions:
            org = pos.organisation
            if org.archived_at is not None:
                continue
            orgs.add(org.pk)
            role = pos.role
            if role == R.ADMINISTRATOR:
                roles.add(Role.ADMIN)
            elif role == R.AUDITOR:
                roles.add(Role.AUDITOR)
            elif role == R.DUTY_CHIEF:
                roles.update({Role.DUTY_CHIEF, Role.OPERATOR})
            elif role == R.OPERATOR:
                roles.add(Role.OPERATOR)
            elif org.kind in (K.DEPARTMENT, K.PROPERTY_COMPANY) and role != R.PART_TIME_MEMBER:
                roles.add(Role.DEPARTMENT)
                departments.add(org.pk)
            elif org.kind == K.GRID_STATION and org.grid_station_id:
                if role == R.INSPECTOR:
                    roles.add(Role.INSPECTOR)
                    stations.add(org.grid_station_id)
                elif role == R.RESPONSIBLE_LEADER:
                    roles.add(Role.INSPECTOR)
                    stations.add(org.grid_station_id)
            elif (
                org.kind in (K.GENERAL_BRANCH, K.RESIDENTS_COMMITTEE, K.PARTY_BRANCH)
                and org.residential_area_id
                and role
                in (
                    R.SECRETARY,
                    R.DEPUTY_SECRETARY,
                    R.COMMITTEE_MEMBER,
                    R.PART_TIME_MEMBER,
                    R.AREA_HEAD,
                    R.DIRECTOR,
                )
            ):
                roles.add(Role.AREA)
                areas.add(org.residential_area_id)
            elif org.kind in (K.SERVICE_CENTRE, K.SERVICE_STATION) or role == R.SERVICE_STAFF:
                roles.add(Role.SERVICE_STAFF)
                service_orgs.add(org.pk)
            elif role == R.UNIT_LIAISON:
                roles.add(Role.LIAISON)
                units.add(org.pk)
            elif org.kind in (
                K.PARTY_WORKING_COMMITTEE,
                K.ADMIN_PARTY_GROUP,
                K.OFFICE,
            ) and role in (R.SECRETARY, R.DEPUTY_SECRETARY, R.LEADER, R.DIRECTOR):
                roles.add(Role.LEADER)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return Access(
        user_id=user.pk,
        roles=frozenset(roles),
        area_ids=frozenset(areas),
        department_ids=frozenset(departments),
        station_ids=frozenset(stations),
        unit_ids=frozenset(units),
        service_org_ids=frozenset(service_orgs),
        org_ids=frozenset(orgs),
        person_id=user.person_id,
        is_superuser=bool(user.is_superuser),
    )


def access_for(user: Any) -> Access:
    """The user's Access, computed once and kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_gongzhi_access", None)
    if cached is None:
        cached = compute_access(user)
        user._gongzhi_access = cached
    return cached

"""Roles and scopes from positions: which positions make a user an operator, a department
handler, an inspector, an area secretary … (the table in docs/architecture.md). Registered as
the resolver of gongzhi.core.roles.access_for() when the app starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.roles import ANONYMOUS, Access, Role

from .models import Organisation, Position


def active_positions_q(today: dt.date | None = None, prefix: str = "") -> Q:
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}archived_at__isnull": True})
        & (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": today}))
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today}))
    )


def compute_access(user: Any, today: dt.date | None = None) -> Access:
    """Derive roles and scopes from the user's active positions (see the table in docs)."""
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

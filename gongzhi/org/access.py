"""Roles and scopes from positions: which positions make a user an operator, a department
handler, an inspector, an area secretary … (the table in docs/architecture.md). Registered as
the resolver of gongzhi.core.roles.access_for() when the app starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.core.cache import TableCache
from gongzhi.core.conf import product_setting
from gongzhi.core.roles import ANONYMOUS, Access, Role
from gongzhi.places.selectors import serves_one_subdistrict

from .models import Organisation, Position


def active_positions_q(today: dt.date | None = None, prefix: str = "") -> Q:
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}archived_at__isnull": True})
        & (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": today}))
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today}))
    )


# What the roles are derived from, per position: (role, organisation kind, its residential
# area, its grid station, the organisation's id, its subdistrict).
PositionRow = tuple[str, str, int | None, int | None, int, int | None]


def _load_positions() -> dict[int, list[tuple[PositionRow, dt.date | None, dt.date | None]]]:
    """Every position that is not archived, in an organisation that is not archived, by person,
    with its term (the day's filter is applied when reading)."""
    out: dict[int, list[tuple[PositionRow, dt.date | None, dt.date | None]]] = {}
    rows = Position.objects.filter(
        archived_at__isnull=True, organisation__archived_at__isnull=True
    ).values_list(
        "person_id",
        "role",
        "organisation__kind",
        "organisation__residential_area_id",
        "organisation__grid_station_id",
        "organisation_id",
        "organisation__subdistrict_id",
        "starts_on",
        "ends_on",
    )
    for person_id, role, kind, area_id, station_id, org_id, sd_id, starts_on, ends_on in rows:
        out.setdefault(person_id, []).append(
            ((role, kind, area_id, station_id, org_id, sd_id), starts_on, ends_on)
        )
    return out


# Positions change rarely and every request asks for them: each process keeps them, checking
# the tables' version at most every CACHE_CHECK_SECONDS, so a change of position or
# organisation reaches every worker within that window.
_positions = TableCache(_load_positions, Position, Organisation)


def invalidate() -> None:
    _positions.invalidate()


def _active_positions(person_id: int, today: dt.date | None) -> list[PositionRow]:
    today = today or timezone.localdate()
    if float(product_setting("CACHE_CHECK_SECONDS", 2.0)) <= 0:
        # Version checked on every read (tests): the person's own query is cheaper.
        return [
            (
                p.role,
                p.organisation.kind,
                p.organisation.residential_area_id,
                p.organisation.grid_station_id,
                p.organisation.pk,
                p.organisation.subdistrict_id,
            )
            for p in Position.objects.filter(active_positions_q(today), person_id=person_id)
            .select_related("organisation")
            .only(
                "role",
                "organisation__id",
                "organisation__kind",
                "organisation__residential_area_id",
                "organisation__grid_station_id",
                "organisation__subdistrict_id",
                "organisation__archived_at",
            )
            if p.organisation.archived_at is None
        ]
    return [
        row
        for row, starts_on, ends_on in _positions.get().get(person_id, ())
        if (starts_on is None or starts_on <= today) and (ends_on is None or ends_on >= today)
    ]


def _subdistrict_scope(subdistricts: set[int | None], superuser: bool) -> frozenset[int] | None:
    """The subdistricts a user's staff scopes are narrowed to (None: every one). Not narrowed:
    superusers, users without positions (residents: their scope is their own rows), a position
    in a district office (an organisation of no subdistrict), and every user of an installation
    that serves one subdistrict."""
    if superuser or not subdistricts or None in subdistricts or serves_one_subdistrict():
        return None
    return frozenset(s for s in subdistricts if s is not None)


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
    subdistricts: set[int | None] = set()
    positions = _active_positions(user.person_id, today) if user.person_id else []
    for role, kind, residential_area_id, grid_station_id, org_id, subdistrict_id in positions:
        orgs.add(org_id)
        subdistricts.add(subdistrict_id)
        if role == R.ADMINISTRATOR:
            roles.add(Role.ADMIN)
        elif role == R.AUDITOR:
            roles.add(Role.AUDITOR)
        elif role == R.DUTY_CHIEF:
            roles.update({Role.DUTY_CHIEF, Role.OPERATOR})
        elif role == R.OPERATOR:
            roles.add(Role.OPERATOR)
        elif kind in (K.DEPARTMENT, K.PROPERTY_COMPANY) and role != R.PART_TIME_MEMBER:
            roles.add(Role.DEPARTMENT)
            departments.add(org_id)
        elif kind == K.GRID_STATION and grid_station_id:
            if role == R.INSPECTOR:
                roles.add(Role.INSPECTOR)
                stations.add(grid_station_id)
            elif role == R.RESPONSIBLE_LEADER:
                roles.add(Role.INSPECTOR)
                stations.add(grid_station_id)
            elif role in (R.CADRE, R.DEPARTMENT_LIAISON):
                # 机关干部 and 联络员: they follow the station's cases (read, not patrol).
                roles.add(Role.STATION)
                stations.add(grid_station_id)
        elif (
            kind in (K.GENERAL_BRANCH, K.RESIDENTS_COMMITTEE, K.PARTY_BRANCH)
            and residential_area_id
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
            areas.add(residential_area_id)
        elif kind in (K.SERVICE_CENTRE, K.SERVICE_STATION) or role == R.SERVICE_STAFF:
            roles.add(Role.SERVICE_STAFF)
            service_orgs.add(org_id)
        elif role == R.UNIT_LIAISON:
            roles.add(Role.LIAISON)
            units.add(org_id)
        elif kind in (
            K.PARTY_WORKING_COMMITTEE,
            K.ADMIN_PARTY_GROUP,
            K.OFFICE,
            K.DISTRICT_OFFICE,
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
        subdistrict_ids=_subdistrict_scope(subdistricts, bool(user.is_superuser)),
        person_id=user.person_id,
        is_superuser=bool(user.is_superuser),
    )

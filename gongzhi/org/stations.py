"""Grid stations (网格工作站): which stations a user may open, and each station's page — its
residential areas and grids, its named people by position (责任领导, 机关干部, 居民区负责人,
联络员, 巡查员) and its figures.

The figures come through the registry of measures (gongzhi.core.measures), narrowed to the
station: `org` sits below the case domain and never imports it. Only sources that honour the
`station` filter are shown (the cases'); the others count by residential area.

Who opens a station's page: the whole-subdistrict roles every station; an inspector, cadre or
department liaison their own station(s); a residential-area secretary the station serving their
area. Anyone else gets a 404, as for an object that is not there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise

from gongzhi.core import measures as registry
from gongzhi.core import permissions as perms
from gongzhi.core.roles import Access, access_for
from gongzhi.places.models import Grid, GridStation, ResidentialArea

from .models import Organisation, Position
from .selectors import RESPONSIBLE_ROLES, Member, _active_positions, _members_by_org

R = Position.Role
# The registry's sources that narrow by grid station (see the module's docstring).
STATION_SOURCES = ("cases",)
# The station's headline figures, in this order (keys of the cases' readings).
HEADLINE = (
    "cases.open",
    "cases.overdue",
    "cases.received",
    "cases.filed",
    "cases.on_time_closure_rate",
    "cases.rework_rate",
    "cases.satisfaction_rate",
)


def station_ids_in_scope(access: Access) -> set[int] | None:
    """The stations this user may open, or None for every station."""
    if access.whole_subdistrict:
        return None
    ids = set(access.station_ids)
    if access.area_ids:
        ids |= set(
            ResidentialArea.objects.filter(
                pk__in=access.area_ids, grid_station__isnull=False
            ).values_list("grid_station_id", flat=True)
        )
    return ids


def has_stations(access: Access) -> bool:
    """Who has the stations in their menu: the staff with a station in scope."""
    return access.is_staff_member and (
        access.whole_subdistrict or bool(access.station_ids or access.area_ids)
    )


def stations_for_list(user: Any) -> QuerySet[Any]:
    """The stations this user may open, with their counts of areas and grids. One query."""
    qs = perms.visible(user, GridStation.objects.active())
    ids = station_ids_in_scope(access_for(user))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.annotate(
        areas_count=Count(
            "residential_areas",
            filter=Q(residential_areas__archived_at__isnull=True),
            distinct=True,
        ),
        grids_count=Count("grids", filter=Q(grids__archived_at__isnull=True), distinct=True),
    ).order_by("number")


def station_for(user: Any, pk: int) -> GridStation:
    """The station if this user may open it; else 404 (out of scope looks missing)."""
    ids = station_ids_in_scope(access_for(user))
    if ids is not None and pk not in ids:
        raise Http404
    station = perms.visible(user, GridStation.objects.active()).filter(pk=pk).first()
    if station is None:
        raise Http404
    return station


@dataclass
class PeopleGroup:
    role: str
    label: str | Promise
    members: list[Member]


@dataclass
class StationOverview:
    station: GridStation
    organisation: Organisation | None
    areas: list[ResidentialArea]
    grids: list[Grid]
    people: list[PeopleGroup]
    readings: list[registry.Reading] = field(default_factory=list)
    month: dt.date | None = None

    @property
    def persons(self) -> list[Any]:
        return [m.person for g in self.people for m in g.members]


def month_of(raw: str | None, today: dt.date | None = None) -> dt.date:
    """The first day of the month `YYYY-MM` (bad or missing input: this month)."""
    today = today or timezone.localdate()
    if raw:
        first: dt.date | None
        try:
            year, month = (int(part) for part in raw.strip().split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            first = None
        if first is not None and dt.date(2000, 1, 1) <= first <= today:
            return first
    return today.replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _cockpit_list(access: Access, station_id: int, first: dt.date, last: dt.date) -> Any:
    """The cockpit's list behind a figure, for those who open the cockpit across the
    subdistrict; others follow their cases from the queue."""
    if not access.whole_subdistrict:
        return None
    try:
        base = reverse("dashboards:cases")
    except NoReverseMatch:
        return None

    def url(figure: str, extra: Mapping[str, Any]) -> str:
        query: dict[str, Any] = {
            "figure": figure,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "station": station_id,
        }
        query.update(
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in extra.items()}
        )
        return f"{base}?{urlencode(query)}"

    return url


def station_figures(
    user: Any, station: GridStation, first: dt.date, as_of: dt.datetime | None = None
) -> list[registry.Reading]:
    """The station's figures for the month starting `first`, as this user may see them."""
    access = access_for(user)
    last = min(_month_end(first), timezone.localdate())
    scope = registry.Scope(
        user=user,
        access=access,
        date_from=first,
        date_to=last,
        as_of=as_of or timezone.now(),
        filters={"station": station.pk},
        case_list_url=_cockpit_list(access, station.pk, first, last),
    )
    readings: dict[str, registry.Reading] = {}
    for source in registry.sources_for(access):
        if source.key in STATION_SOURCES:
            readings.update({r.key: r for r in source.read(scope)})
    return [readings[k] for k in HEADLINE if k in readings]


def station_overview(
    user: Any, station: GridStation, *, month: dt.date | None = None, today: dt.date | None = None
) -> StationOverview:
    """Everything on a station's page. A fixed number of queries whatever its size."""
    org = Organisation.objects.active().filter(grid_station=station).first()
    areas = list(station.residential_areas.active().order_by("code"))
    grids = list(station.grids.active().select_related("residential_area").order_by("code"))
    positions = (
        list(
            _active_positions(today)
            .filter(organisation=org, role__in=RESPONSIBLE_ROLES)
            .select_related("person", "organisation")
            .prefetch_related("grids")
            .defer("person__id_number", "person__note", "person__home_address")
        )
        if org
        else []
    )
    members = _members_by_org(positions).get(org.pk, []) if org else []
    labels = dict(R.choices)
    groups = [
        PeopleGroup(
            role,
            labels[role],
            sorted((m for m in members if m.position.role == role), key=lambda m: m.person.name),
        )
        for role in RESPONSIBLE_ROLES
    ]
    first = month or month_of(None, today)
    return StationOverview(
        station=station,
        organisation=org,
        areas=areas,
        grids=grids,
        people=groups,
        readings=station_figures(user, station, first),
        month=first,
    )

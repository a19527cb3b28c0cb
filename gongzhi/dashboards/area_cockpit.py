"""The residential area's cockpit (居民区驾驶舱): for its secretary and part-time committee
members, the area's indicators next to the subdistrict's, and what the other domains count for
the area — its alliance projects, its events and volunteers — all read through the registry of
measures (gongzhi.core.measures), with links to the area's needs, projects, events, volunteers
and meetings.

Scope is decided here: an area's member opens their own area only (any other is a 404, as for
an area that is not there); the whole-subdistrict roles open any area. The subdistrict's
figures beside the area's are totals only (rates and counts, no list behind them), read as the
subdistrict sees them; the area's figures link to their lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.core import measures as registry
from gongzhi.core.home import area_panels_for
from gongzhi.core.roles import Access, Role, access_for
from gongzhi.places.models import ResidentialArea
from gongzhi.places.selectors import serves_one_subdistrict

from . import selectors
from .periods import Period

# The case indicators compared side by side (keys of the cases' readings), in this order.
COMPARED = (
    "cases.received",
    "cases.filed",
    "cases.open",
    "cases.overdue",
    "cases.on_time_closure_rate",
    "cases.closure_rate",
    "cases.rework_rate",
    "cases.satisfaction_rate",
    "cases.average_handling_time",
)


def may_view(access: Access) -> bool:
    return access.whole_subdistrict or (Role.AREA in access.roles and bool(access.area_ids))


def area_for(user: Any, pk: int) -> ResidentialArea:
    access = access_for(user)
    if not may_view(access) or (not access.whole_subdistrict and pk not in access.area_ids):
        raise Http404
    area = ResidentialArea.objects.active().select_related("grid_station").filter(pk=pk).first()
    if area is None or not access.in_subdistrict(area.subdistrict_id):
        raise Http404
    return area


def default_area(user: Any) -> ResidentialArea | None:
    """The area a member lands on: their first (by code)."""
    access = access_for(user)
    if not access.area_ids:
        return None
    return ResidentialArea.objects.active().filter(pk__in=access.area_ids).order_by("code").first()


class _SubdistrictViewer:
    """Whom the subdistrict's totals are read as: the area's whole subdistrict, no one in
    particular. Only ever handed to the cases' readings, never to a page."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None
    id = None
    person_id = None

    def __init__(self, subdistrict_id: int | None = None) -> None:
        mine = None
        if subdistrict_id is not None and not serves_one_subdistrict():
            mine = frozenset({subdistrict_id})
        self._gongzhi_access = Access(
            user_id=0, roles=frozenset({Role.LEADER}), subdistrict_ids=mine
        )


@dataclass
class Compared:
    key: str
    label: Any
    area: registry.Reading
    subdistrict: registry.Reading | None

    @property
    def better(self) -> bool | None:
        """Whether the area does better than the subdistrict on a rate (None: not comparable)."""
        a, s = self.area, self.subdistrict
        if s is None or a.unit != "rate" or a.value is None or s.value is None:
            return None
        if a.value == s.value:
            return None
        lower_is_better = self.key == "cases.rework_rate"
        return (a.value < s.value) if lower_is_better else (a.value > s.value)


@dataclass
class AreaCockpit:
    area: ResidentialArea
    period: Period
    compared: list[Compared]
    sections: list[tuple[registry.Source, list[registry.Reading]]]
    links: list[tuple[str, str]] = field(default_factory=list)
    panels: list[Any] = field(default_factory=list)
    areas: list[ResidentialArea] = field(default_factory=list)


def _subdistrict_readings(
    period: Period, as_of: dt.datetime, subdistrict_id: int | None = None
) -> dict[str, registry.Reading]:
    viewer = _SubdistrictViewer(subdistrict_id)
    access = viewer._gongzhi_access
    scope = registry.Scope(
        user=viewer,
        access=access,
        date_from=period.date_from,
        date_to=period.date_to,
        as_of=as_of,
        measure_table=selectors.measure_table,
    )
    out: dict[str, registry.Reading] = {}
    for source in registry.sources_for(access):
        if source.key == "cases":
            out.update({r.key: r for r in source.read(scope)})
    return out


def _links(area: ResidentialArea) -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    wanted = [
        (_("The area's needs"), "alliance:needs", {"area": area.pk}),
        (_("The area's projects"), "alliance:projects", {"area": area.pk}),
        (_("Events"), "servicecentre:events", {}),
        (_("Volunteers"), "servicecentre:volunteers", {}),
        (_("Meetings"), "meetings:index", {}),
        (_("The area's page"), "org:area_detail", None),
    ]
    out = []
    for label, name, query in wanted:
        try:
            url = reverse(name, args=[area.pk]) if query is None else reverse(name)
        except NoReverseMatch:
            continue
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        out.append((label, url))
    return out


def area_cockpit(
    user: Any, area: ResidentialArea, period: Period, as_of: dt.datetime | None = None
) -> AreaCockpit:
    as_of = as_of or timezone.now()
    access = access_for(user)
    scope = selectors.make_scope(user, period, {"residential_area": area.pk}, as_of)
    sections = registry.read_all(scope)
    mine = {r.key: r for _s, rs in sections for r in rs}
    theirs = _subdistrict_readings(period, as_of, area.subdistrict_id)
    compared = [
        Compared(key, mine[key].label, mine[key], theirs.get(key))
        for key in COMPARED
        if key in mine
    ]
    others = [(s, rs) for s, rs in sections if s.key != "cases"]
    areas_qs = ResidentialArea.objects.active().order_by("code")
    if access.subdistrict_ids is not None:
        areas_qs = areas_qs.filter(subdistrict_id__in=access.subdistrict_ids)
    if not access.whole_subdistrict:
        areas_qs = areas_qs.filter(pk__in=access.area_ids)
    areas = list(areas_qs)
    return AreaCockpit(
        area=area,
        period=period,
        compared=compared,
        sections=others,
        links=_links(area),
        panels=area_panels_for(user, access, area),
        areas=areas,
    )

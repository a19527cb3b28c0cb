"""What the cockpit shows, read through the domains: the figures every domain registers
(gongzhi.core.measures), and for the cases the measures' own tables (gongzhi.cases.measures):
the standard indicators with their trend, departments and grids ranked, hot spots, the map.

Scope is decided here, on the server: a leader (and the centre) sees the subdistrict; a
residential-area secretary only their area; a department only its own work. Nothing a viewer
may not see reaches the page, whatever the URL says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import BooleanField, Count, ExpressionWrapper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import measures as cm
from gongzhi.cases.models import Case
from gongzhi.core import measures as registry
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access, Role, access_for

from . import aggregates, periods
from .periods import Period

# The filters the cockpit takes from its URL (ids, or a channel code).
FILTER_NAMES = (
    "subdistrict",
    "station",
    "residential_area",
    "department",
    "grid",
    "category",
    "channel",
)
RANK_MEASURE = "on_time_closure_rate"
HOT_SPOTS = 8
MAP_POINTS = 2000


def may_view(access: Access) -> bool:
    """The cockpit is for leaders and the centre (the subdistrict), departments (their own
    work) and residential-area secretaries (their area)."""
    if access.has(Role.LEADER, Role.DUTY_CHIEF, Role.OPERATOR):
        return True
    if Role.DEPARTMENT in access.roles and access.department_ids:
        return True
    return Role.AREA in access.roles and bool(access.area_ids)


def scope_kind(access: Access) -> str:
    if access.whole_subdistrict:
        return "subdistrict"
    if Role.AREA in access.roles and access.area_ids:
        return "area"
    return "department"


def clean_filters(access: Access, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The URL's filters, checked: ids must be numbers, a channel must exist, and a viewer
    scoped to an area or a department may narrow only within it."""
    out: dict[str, Any] = {}
    for name in FILTER_NAMES:
        value = (raw.get(name) or "").strip() if isinstance(raw.get(name), str) else raw.get(name)
        if value in (None, ""):
            continue
        if name == "channel":
            if value not in Case.Channel.values:
                raise ServiceError(_("Unknown channel."))
            out[name] = value
            continue
        try:
            out[name] = int(value)
        except (TypeError, ValueError) as exc:
            raise ServiceError(_("Invalid filter value.")) from exc
    if not access.in_subdistrict(out.get("subdistrict")):
        raise ServiceError(_("You can see only your own subdistrict's figures."))
    if not access.whole_subdistrict:
        area = out.get("residential_area")
        if area is not None and area not in access.area_ids:
            raise ServiceError(_("You can see only your own area's figures."))
        dept = out.get("department")
        if dept is not None and dept not in access.department_ids and not access.area_ids:
            raise ServiceError(_("You can see only your own department's figures."))
    return out


def case_list_url(period: Period, filters: Mapping[str, Any], figure: str, **extra: Any) -> str:
    """The cockpit's list of the cases behind a figure, with the same period and filters."""
    query: dict[str, Any] = {"figure": figure, **period.params()}
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    for key, value in extra.items():
        if key in ("from", "to"):
            query.pop("period", None)
        query[key] = value.isoformat() if isinstance(value, dt.date) else value
    return f"{reverse('dashboards:cases')}?{urlencode(query)}"


def make_scope(
    user: Any,
    period: Period,
    filters: Mapping[str, Any],
    as_of: dt.datetime | None = None,
    known: Mapping[str, cm.Table] | None = None,
) -> registry.Scope:
    """The registry's scope. `known`: tables of this period, filters and moment already
    computed (by grouping), handed to the sources instead of computing them again."""
    access = access_for(user)
    as_of = as_of or timezone.now()
    known = dict(known or {})

    def table(**kw: Any) -> cm.Table:
        found = known.get(kw["group_by"])
        same = (
            kw["date_from"] == period.date_from
            and kw["date_to"] == period.date_to
            and dict(kw.get("filters") or {}) == dict(filters)
            and kw.get("as_of") == as_of
        )
        return found if found is not None and same else measure_table(**kw)

    def open_counts() -> Mapping[str, int]:
        return aggregates.open_now(user=user, filters=filters, as_of=as_of)[None]

    can_count = aggregates.can_answer("total", filters) and (
        access.whole_subdistrict or bool(access.department_ids or access.area_ids)
    )

    return registry.Scope(
        user=user,
        access=access,
        date_from=period.date_from,
        date_to=period.date_to,
        as_of=as_of,
        filters=dict(filters),
        case_list_url=lambda figure, extra: case_list_url(period, filters, figure, **extra),
        measure_table=table,
        open_counts=open_counts if can_count else None,
    )


@dataclass
class Ranked:
    key: Any
    label: str
    value: cm.Value
    filed: int
    url: str | None


@dataclass
class Comparison:
    measure: cm.Measure
    now: cm.Value
    previous: cm.Value
    year_before: cm.Value

    @staticmethod
    def _delta(a: cm.Value, b: cm.Value) -> float | None:
        if a.value is None or b.value is None:
            return None
        factor = 100 if a.measure.is_rate else 1
        return round((a.value - b.value) * factor, 1)

    @property
    def vs_previous(self) -> float | None:
        return self._delta(self.now, self.previous)

    @property
    def vs_year_before(self) -> float | None:
        return self._delta(self.now, self.year_before)


@dataclass
class Cockpit:
    period: Period
    scope: registry.Scope
    kind: str  # "subdistrict", "area", "department"
    sections: list[tuple[registry.Source, list[registry.Reading]]]
    readings: dict[str, registry.Reading]
    indicators: list[Comparison]
    trend: dict[str, Any]
    departments: list[Ranked]
    grids: list[Ranked]
    hot_spots: list[Ranked]
    intake_today: list[registry.Reading] = field(default_factory=list)

    @property
    def as_of(self) -> dt.datetime:
        return self.scope.as_of


def measure_table(**kw: Any) -> cm.Table:
    """The cases' measure table, from the pre-aggregates when they hold what is asked (every
    grouping and filter but grid and sub-categories), else straight from the cases. The two
    give the same numbers (tests/test_aggregates.py)."""
    if aggregates.can_answer(kw["group_by"], kw.get("filters") or {}):
        return aggregates.table(**kw)
    return cm.measure_table(**kw)


def measure_tables(
    user: Any, group_bys: list[str], p: Period, filters: Mapping[str, Any], as_of: Any
) -> dict[str, cm.Table]:
    """Several groupings of one period: from the pre-aggregates in two queries when they hold
    every grouping and filter, else one table at a time."""
    if all(aggregates.can_answer(g, filters) for g in group_bys):
        return aggregates.tables(
            user=user,
            group_bys=group_bys,
            date_from=p.date_from,
            date_to=p.date_to,
            filters=filters,
            as_of=as_of,
        )
    return {g: _table(user, g, p, filters, as_of) for g in group_bys}


def _table(user: Any, group_by: str, p: Period, filters: Mapping[str, Any], as_of: Any) -> Any:
    return measure_table(
        user=user,
        group_by=group_by,
        date_from=p.date_from,
        date_to=p.date_to,
        filters=filters,
        as_of=as_of,
    )


def _ranked(
    table: cm.Table, period: Period, filters: Mapping[str, Any], by: str, key: str
) -> list[Ranked]:
    rows = [
        Ranked(
            r.key,
            r.label,
            r.values[key],
            int(r.figures["filed"]),
            case_list_url(period, filters, "filed", **{by: r.key}) if r.key is not None else None,
        )
        for r in table.rows
    ]
    # Best first; rows without a denominator, then "(not set)" (cases not dispatched yet), last.
    rows.sort(
        key=lambda r: (
            r.key is None,
            r.value.value is None,
            -(r.value.value or 0),
            -r.filed,
            r.label,
        )
    )
    return rows


def trend_data(user: Any, period: Period, filters: Mapping[str, Any], as_of: Any) -> dict:
    """Month by month over the twelve months ending with the period: the standard rates (in
    percent, null where a month has no denominator) and the average handling time."""
    span = periods.trend_months(period)
    table = _table(user, "month", span, filters, as_of)
    labels = [r.label for r in table.rows]
    rates = [k for k in cm.STANDARD if cm.MEASURES[k].is_rate]
    return {
        "labels": labels,
        "series": [
            {
                "key": k,
                "name": str(cm.MEASURES[k].name),
                "data": [r.values[k].percent for r in table.rows],
            }
            for k in rates
        ],
        "hours": {
            "name": str(cm.MEASURES["average_handling_time"].name),
            "data": [r.values["average_handling_time"].percent for r in table.rows],
        },
        "filed": [int(r.figures["filed"]) for r in table.rows],
        "filed_name": str(cm.FIGURES["filed"].name),
    }


def cockpit(
    user: Any, period: Period, filters: Mapping[str, Any], as_of: dt.datetime | None = None
) -> Cockpit:
    as_of = as_of or timezone.now()
    now = measure_tables(
        user, ["total", "department", "grid", "category_group"], period, filters, as_of
    )
    scope = make_scope(user, period, filters, as_of, known=now)
    sections = registry.read_all(scope)
    readings = {r.key: r for _source, rs in sections for r in rs}
    total = now["total"].total
    spans = [(p.date_from, p.date_to) for p in (period.previous(), period.year_before())]
    if aggregates.can_answer("total", filters):
        before = aggregates.totals(user=user, spans=spans, filters=filters, as_of=as_of)
    else:
        before = [
            _table(user, "total", p, filters, as_of)
            for p in (period.previous(), period.year_before())
        ]
    previous, year_before = before[0].total, before[1].total
    indicators = [
        Comparison(cm.MEASURES[k], total.values[k], previous.values[k], year_before.values[k])
        for k in cm.STANDARD
    ]
    departments = _ranked(now["department"], period, filters, "department", RANK_MEASURE)
    grids = _ranked(now["grid"], period, filters, "grid", RANK_MEASURE)
    categories = now["category_group"]
    hot = sorted(
        (r for r in categories.rows if r.key is not None and r.figures["filed"]),
        key=lambda r: (-r.figures["filed"], r.label),
    )[:HOT_SPOTS]
    hot_spots = [
        Ranked(
            r.key,
            r.label,
            r.values[RANK_MEASURE],
            int(r.figures["filed"]),
            case_list_url(period, filters, "filed", category=r.key),
        )
        for r in hot
    ]
    intake = [
        readings[f"cases.intake_today.{c}"]
        for c in Case.Channel.values
        if f"cases.intake_today.{c}" in readings
    ]
    return Cockpit(
        period=period,
        scope=scope,
        kind=scope_kind(scope.access),
        sections=sections,
        readings=readings,
        indicators=indicators,
        trend=trend_data(user, period, filters, as_of),
        departments=departments,
        grids=grids,
        hot_spots=hot_spots,
        intake_today=intake,
    )


# --- The map ----------------------------------------------------------------------------------


def map_figures(
    user: Any, period: Period, filters: Mapping[str, Any], as_of: dt.datetime | None = None
) -> dict[str, Any]:
    """Per grid: the cases filed in the period, those overdue now, open now; and the open
    cases with a location as points (the newest `MAP_POINTS`). Only the viewer's cases."""
    as_of = as_of or timezone.now()
    table = _table(user, "grid", period, filters, as_of)
    now = cm.now_cases(user, filters)
    if aggregates.can_answer("grid", filters):
        current = aggregates.open_now(user=user, filters=filters, as_of=as_of, by="grid")
    else:
        current = {
            row["grid_id"]: {"open": row["open"], "overdue": row["overdue"]}
            for row in now.filter(cm.open_cases())
            .values("grid_id")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=cm.overdue(as_of)))
        }
    grids: dict[str, dict[str, Any]] = {}
    for r in table.rows:
        if r.key is None:
            continue
        grids[str(r.key)] = {
            "name": r.label,
            "filed": int(r.figures["filed"]),
            "rate": r.values[RANK_MEASURE].display,
            "url": case_list_url(period, filters, "filed", grid=r.key),
        }
    for grid_id, row in current.items():
        if grid_id is None:
            continue
        g = grids.setdefault(
            str(grid_id),
            {
                "name": "",
                "filed": 0,
                "rate": "—",
                "url": case_list_url(period, filters, "filed", grid=grid_id),
            },
        )
        g["open"] = row["open"]
        g["overdue"] = row["overdue"]
        g["overdue_url"] = case_list_url(period, filters, "overdue", grid=grid_id)
    for g in grids.values():
        g.setdefault("open", 0)
        g.setdefault("overdue", 0)
        g.setdefault("overdue_url", "")
    late = ExpressionWrapper(cm.overdue(as_of), output_field=BooleanField())
    points = [
        {
            "id": c["pk"],
            "number": c["number"],
            "title": c["title"],
            "lat": c["lat"],
            "lng": c["lng"],
            "late": bool(c["late"]),
            "url": reverse("cases:detail", args=[c["pk"]]),
        }
        for c in now.filter(cm.open_cases(), lat__isnull=False, lng__isnull=False)
        .annotate(late=late)
        .order_by("-received_at")
        .values("pk", "number", "title", "lat", "lng", "late")[:MAP_POINTS]
    ]
    return {"grids": grids, "points": points}


def figure_list(
    user: Any,
    figure: str,
    period: Period,
    filters: Mapping[str, Any],
    as_of: dt.datetime | None = None,
) -> Any:
    """The cases behind a figure (gongzhi.cases.measures.figure_cases), newest first."""
    return (
        cm.figure_cases(
            user=user,
            figure=figure,
            date_from=period.date_from,
            date_to=period.date_to,
            filters=filters,
            as_of=as_of,
        )
        .select_related("category", "grid", "department", "residential_area")
        .order_by("-received_at", "-pk")
    )


def figure_label(figure: str) -> str:
    if figure == "received":
        return _("cases received")
    if figure == "open":
        return _("open cases")
    if figure == "overdue":
        return _("overdue cases")
    f = cm.FIGURES.get(figure)
    return str(f.name) if f else figure

"""Keeping the pre-aggregates (models.CaseDay) equal to the cases, and reading from them.

- `apply_case(case_id)`: the case events call it after the change commits (`on_case_event`,
  by the worker: the event's task is written in the change's transaction, so none is lost, and
  a filing does not wait for the figures). It compares what the case contributed (its stored
  `CaseFact`) with what it contributes now and adds the difference to the daily rows: a few
  small writes, however busy the day; run late, twice or out of order it gives the same rows. `refresh_day(day)` rebuilds one
  day from its cases.
- `refresh_all()` rebuilds everything (the nightly task, `manage.py cockpit refresh`, the demo).
- `verify()` recomputes every stored figure from the cases and counts the differences
  (`manage.py cockpit verify`).
- `table()` gives a cases.measures.Table from the aggregates plus the live part of the "due"
  figures: the same numbers as measures.measure_table, without scanning the period's cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import measures as cm
from gongzhi.cases.models import Case, Category
from gongzhi.core import events
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access, Role, access_for

from .models import COUNTS, DIMENSIONS, CaseDay, CaseDayStamp, CaseFact

BATCH = 5000


def _dimensions() -> dict[str, Any]:
    return {
        "department_id": F("department_id"),
        "station_id": F("station_id"),
        "residential_area_id": F("residential_area_id"),
        "category_group_id": Coalesce("category__group_id", "category_id"),
        "channel": F("channel"),
    }


def _counts() -> dict[str, Any]:
    stable = cm.stable_conditions()
    out: dict[str, Any] = {"received": Count("pk")}
    out.update({f"n_{k}": Count("pk", filter=stable[k]) for k in COUNTS})
    out["n_handling"] = Sum(cm.HANDLING_DURATION, filter=stable["timed"])
    return out


def _seconds(value: Any) -> float:
    return cm._hours(value) * 3600


def _grouped(qs: QuerySet[Case], *, by_day: bool) -> Any:
    dims = _dimensions()
    names = list(dims)
    if by_day:
        dims["day"] = TruncDate("received_at", tzinfo=timezone.get_current_timezone())
        names.append("day")
    return (
        qs.order_by()
        .annotate(**{f"d_{k}": v for k, v in dims.items()})
        .values(*(f"d_{k}" for k in names))
        .annotate(**_counts())
    )


def _row(raw: Mapping[str, Any], day: dt.date) -> CaseDay:
    values = {k: raw[f"d_{k}"] for k in DIMENSIONS}
    values.update({k: raw[f"n_{k}"] for k in COUNTS})
    return CaseDay(
        day=day, received=raw["received"], handling_seconds=_seconds(raw["n_handling"]), **values
    )


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return cm.period_bounds(day, day)


def refresh_day(day: dt.date) -> int:
    """Rebuild one day's rows from its cases; the number of rows written."""
    start, end = _day_bounds(day)
    with transaction.atomic():
        CaseDayStamp.objects.get_or_create(day=day, defaults={"refreshed_at": timezone.now()})
        CaseDayStamp.objects.select_for_update().filter(day=day).update(refreshed_at=timezone.now())
        CaseDay.objects.filter(day=day).delete()
        rows = [
            _row(raw, day)
            for raw in _grouped(
                Case.objects.filter(received_at__gte=start, received_at__lt=end), by_day=False
            )
        ]
        CaseDay.objects.bulk_create(rows)
    return len(rows)


def _refresh_facts() -> None:
    """Every case's stored contribution, from the cases (with refresh_all)."""
    CaseFact.objects.all().delete()
    stable = cm.stable_conditions()
    dims = _dimensions()
    dims["day"] = TruncDate("received_at", tzinfo=timezone.get_current_timezone())
    flags = {f"n_{k}": Count("pk", filter=stable[k]) for k in COUNTS}
    qs = (
        Case.objects.order_by()
        .annotate(**{f"d_{k}": v for k, v in dims.items()})
        .values("pk", *(f"d_{k}" for k in dims))
        .annotate(**flags, n_handling=Sum(cm.HANDLING_DURATION, filter=stable["timed"]))
    )
    batch: list[CaseFact] = []
    for raw in qs.iterator(chunk_size=BATCH):
        counts: dict[str, float] = {k: int(raw[f"n_{k}"]) for k in COUNTS}
        counts["received"] = 1
        counts["handling_seconds"] = _seconds(raw["n_handling"])
        batch.append(
            CaseFact(
                case_id=raw["pk"],
                day=raw["d_day"],
                counts=counts,
                **{k: raw[f"d_{k}"] for k in DIMENSIONS},
            )
        )
        if len(batch) >= BATCH:
            CaseFact.objects.bulk_create(batch)
            batch = []
    CaseFact.objects.bulk_create(batch)


def refresh_all() -> int:
    """Rebuild every day (one GROUP BY over all cases); the number of rows written."""
    with transaction.atomic():
        CaseDay.objects.all().delete()
        rows: list[CaseDay] = []
        written = 0
        days: set[dt.date] = set()
        for raw in _grouped(Case.objects.all(), by_day=True).iterator(chunk_size=BATCH):
            rows.append(_row(raw, raw["d_day"]))
            days.add(raw["d_day"])
            if len(rows) >= BATCH:
                CaseDay.objects.bulk_create(rows)
                written += len(rows)
                rows = []
        CaseDay.objects.bulk_create(rows)
        written += len(rows)
        _refresh_facts()
        now = timezone.now()
        CaseDayStamp.objects.all().delete()
        CaseDayStamp.objects.bulk_create(
            [CaseDayStamp(day=d, refreshed_at=now) for d in sorted(days)], batch_size=BATCH
        )
    return written


def seed_stage(ctx: Any) -> None:
    """Seed stage "cockpit": the demo's history is written in bulk, without events."""
    rows = refresh_all()
    counts = getattr(ctx, "counts", None)
    if counts is not None:
        counts["dashboards.CaseDay"] = counts.get("dashboards.CaseDay", 0) + rows


def _received_day(case_id: int) -> dt.date | None:
    at = Case.objects.filter(pk=case_id).values_list("received_at", flat=True).first()
    return timezone.localtime(at).date() if at else None


def _fact(case_id: int) -> dict[str, Any] | None:
    """The case's contribution now: its row's key and its counts (one query)."""
    found = list(_grouped(Case.objects.filter(pk=case_id), by_day=True))
    if not found:
        return None
    raw = found[0]
    key = {k: raw[f"d_{k}"] for k in DIMENSIONS}
    key["day"] = raw["d_day"]
    counts: dict[str, float] = {k: int(raw[f"n_{k}"]) for k in COUNTS}
    counts["received"] = 1
    counts["handling_seconds"] = _seconds(raw["n_handling"])
    return {"key": key, "counts": counts}


def _add(key: Mapping[str, Any], counts: Mapping[str, float], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) a case's counts to or from its daily row, under the
    lock of the day's stamp (so two changes never create the same row twice)."""
    day = key["day"]
    CaseDayStamp.objects.get_or_create(day=day, defaults={"refreshed_at": timezone.now()})
    CaseDayStamp.objects.select_for_update().filter(day=day).update(refreshed_at=timezone.now())
    lookup = {
        k if key[k] is not None else f"{k}__isnull": key[k] if key[k] is not None else True
        for k in DIMENSIONS
    }
    changed = {k: v for k, v in counts.items() if v}
    pk = CaseDay.objects.filter(day=day, **lookup).values_list("pk", flat=True).first()
    if pk is None:
        if sign < 0:  # nothing to take away from: the table is behind; the nightly rebuild mends
            return
        CaseDay.objects.create(day=day, **{k: key[k] for k in DIMENSIONS}, **changed)
        return
    if changed:
        CaseDay.objects.filter(pk=pk).update(**{k: F(k) + sign * v for k, v in changed.items()})


def apply_case(case_id: int) -> bool:
    """Bring the daily figures up to date with one case: take away what it contributed before,
    add what it contributes now. False when nothing changed."""
    with transaction.atomic():
        # The case's row lock: two workers applying events of one case take turns (a new
        # case has no CaseFact row yet to lock).
        Case.objects.select_for_update().filter(pk=case_id).values_list("pk").first()
        stored = CaseFact.objects.select_for_update().filter(case_id=case_id).first()
        old = (
            {
                "key": {"day": stored.day, **{k: getattr(stored, k) for k in DIMENSIONS}},
                "counts": stored.counts,
            }
            if stored is not None
            else None
        )
        new = _fact(case_id)
        if old == new:
            return False
        if old is not None:
            _add(old["key"], old["counts"], -1)
        if new is None:
            CaseFact.objects.filter(case_id=case_id).delete()
            return True
        _add(new["key"], new["counts"], 1)
        CaseFact.objects.update_or_create(
            case_id=case_id, defaults={**new["key"], "counts": new["counts"]}
        )
    return True


@events.subscribe(
    "case.*", after_commit=True, when=lambda e: "case_id" in e.data, key="dashboards.case_day"
)
def on_case_event(event: events.Event) -> None:
    """A case changed (received, filed, dispatched, handled, merged …): its contribution to the
    daily figures is updated by the worker once the change has committed."""
    apply_case(int(event["case_id"]))


# --- Verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    checked: int
    differ: int
    examples: list[str]


def _key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ("day", *DIMENSIONS))


def verify() -> Verification:
    """Every stored figure against the same figure computed from the cases."""
    fields = ("received", *COUNTS, "handling_seconds")
    stored = {_key(r): r for r in CaseDay.objects.values("day", *DIMENSIONS, *fields).iterator()}
    direct: dict[tuple[Any, ...], dict[str, Any]] = {}
    for raw in _grouped(Case.objects.all(), by_day=True).iterator(chunk_size=BATCH):
        row = _row(raw, raw["d_day"])
        values = {"day": row.day, **{k: getattr(row, k) for k in (*DIMENSIONS, *fields)}}
        direct[_key(values)] = values
    checked = differ = 0
    examples: list[str] = []
    for key in stored.keys() | direct.keys():
        a, b = stored.get(key, {}), direct.get(key, {})
        for f in fields:
            checked += 1
            x, y = a.get(f, 0), b.get(f, 0)
            same = abs(x - y) < 1e-3 if f == "handling_seconds" else x == y
            if not same:
                differ += 1
                if len(examples) < 10:
                    examples.append(f"{key}: {f} stored {x}, from the cases {y}")
    return Verification(checked, differ, examples)


# --- Reading ----------------------------------------------------------------------------------

# Groupings the aggregates can answer, and the column (or expression) they group by.
GROUPS: dict[str, Any] = {
    "total": None,
    "department": F("department_id"),
    "station": F("station_id"),
    "residential_area": F("residential_area_id"),
    "category_group": F("category_group_id"),
    "channel": F("channel"),
    "month": TruncMonth("day"),
}


def can_answer(group_by: str, filters: Mapping[str, Any]) -> bool:
    """The aggregates hold no grid and no category below the group: a grid grouping or filter,
    or a category filter that is not a group, is read from the cases."""
    if group_by not in GROUPS or "grid" in filters or "assignee" in filters:
        return False
    category = filters.get("category")
    if category not in (None, ""):
        return Category.objects.filter(pk=category, parent__isnull=True).exists()
    return True


def _scope_q(access: Access) -> Q:
    if access.whole_subdistrict:
        return Q()
    own = Q(department_id__in=access.department_ids)
    if access.has(Role.AREA) and access.area_ids:
        own |= Q(residential_area_id__in=access.area_ids)
    return own


def _filters_q(filters: Mapping[str, Any]) -> Q:
    q = Q()
    names = {
        "department": "department_id",
        "station": "station_id",
        "residential_area": "residential_area_id",
        "category": "category_group_id",
        "channel": "channel",
    }
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name not in names:
            raise ServiceError(_("Unknown filter: %(name)s.") % {"name": name})
        q &= Q(**{names[name]: value})
    return q


def _labels(group_by: str, keys: Iterable[Any]) -> dict[Any, str]:
    from gongzhi.org.models import Organisation
    from gongzhi.places.models import GridStation, ResidentialArea

    model = {
        "department": Organisation,
        "station": GridStation,
        "residential_area": ResidentialArea,
        "category_group": Category,
    }.get(group_by)
    ids = [k for k in keys if k is not None]
    if model is None or not ids:
        return {}
    rows = model._default_manager.filter(pk__in=ids).values_list("pk", "name")  # type: ignore[misc]
    return dict(rows)


def table(
    *,
    user: Any,
    group_by: str,
    date_from: dt.date,
    date_to: dt.date,
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> cm.Table:
    """measures.measure_table's numbers, from the aggregates (stable part) and the open cases
    past a deadline (live part)."""
    filters = dict(filters or {})
    as_of = as_of or timezone.now()
    cm._filter_q(filters)  # the same checks and messages as the direct computation
    if group_by not in GROUPS:
        raise ServiceError(_("Unknown grouping."))
    access = access_for(user)
    if not access.whole_subdistrict and not (access.department_ids or access.area_ids):
        return cm.table_from(
            grouping=group_by, date_from=date_from, date_to=date_to, as_of=as_of, groups=[]
        )
    # Stable counts, from the aggregates.
    expr = GROUPS[group_by]
    qs = CaseDay.objects.filter(
        _scope_q(access), _filters_q(filters), day__gte=date_from, day__lte=date_to
    ).order_by()
    sums = {k: Sum(k) for k in (*COUNTS, "handling_seconds")}
    stable: dict[Any, dict[str, float]] = {}
    if expr is None:
        stable[None] = qs.aggregate(**sums)
    else:
        for raw in qs.annotate(g=expr).values("g").annotate(**sums):
            row: dict[str, Any] = dict(raw)
            stable[_norm(group_by, row.pop("g"))] = row
    # Live counts: the open cases past a deadline, received in the period.
    live: dict[Any, dict[str, int]] = {}
    start, end = cm.period_bounds(date_from, date_to)
    cases = (
        cm.scoped_cases(user)
        .filter(cm._filter_q(filters))
        .filter(received_at__gte=start, received_at__lt=end, state__in=cm.LIVE_STATES)
        .order_by()
    )
    counts = {k: Count("pk", filter=q) for k, q in cm.live_conditions(as_of).items()}
    grouping = cm.GROUPINGS[group_by]
    if grouping.expression is None:
        live[None] = cases.aggregate(**counts)
    else:
        for raw in cases.annotate(g=grouping.expression).values("g").annotate(**counts):
            found: dict[str, Any] = dict(raw)
            live[_norm(group_by, found.pop("g"))] = found
    keys = set(stable) | {k for k, v in live.items() if any(v.values())}
    labels = _labels(group_by, keys)
    groups = []
    for key in keys:
        s = {k: (v or 0) for k, v in stable.get(key, {}).items()}
        s["handling_hours"] = s.pop("handling_seconds", 0) / 3600
        figures = cm.figures_from(s, live.get(key, {}))
        if not any(figures.values()) and key not in stable:
            continue
        groups.append((key, labels.get(key), figures))
    return cm.table_from(
        grouping=group_by, date_from=date_from, date_to=date_to, as_of=as_of, groups=groups
    )


def _norm(group_by: str, key: Any) -> Any:
    """Month keys as the direct computation gives them (the first instant of the month, local
    time), so the two tables compare equal."""
    if group_by == "month" and key is not None:
        if isinstance(key, dt.datetime):
            key = key.date()
        return dt.datetime.combine(key, dt.time.min, tzinfo=timezone.get_current_timezone())
    return key

"""Keeping the pre-aggregates (models.CaseDay, CaseFact, CaseOpen) equal to the cases, and
reading from them.

- `apply_case(case_id)`: the case events call it after the change commits (`on_case_event`,
  by the worker: the event's task is written in the change's transaction — the task table is
  the outbox — so none is lost, and a filing does not wait for the figures). It compares what
  the case contributed (its stored `CaseFact`) with what it contributes now and adds the
  difference to the daily rows: a few small writes, however busy the day; run late, twice or
  out of order it leaves the same rows. It also keeps the case's row of the "open now" snapshot
  (`CaseOpen`: the deadlines of its running clocks), or removes it once the case is finished.
  A bulk import's events reach its batch form (`aggregates_batch.apply_cases`) in one task.
- `refresh_all()` rebuilds everything with one `INSERT … SELECT … GROUP BY` per table (the
  nightly task, `manage.py cockpit refresh`, the demo); `refresh_day(day)` one day.
- `verify()` recomputes every stored figure from the cases and counts the differences
  (`manage.py cockpit verify`).
- `table()` / `tables()` give cases.measures.Table from the aggregates plus the live part of
  the "due" figures from the snapshot: the same numbers as measures.measure_table, without
  reading the cases table; `open_now()` the open and overdue cases now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as Switch
from django.db.models import (
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import measures as cm
from gongzhi.cases.models import Case, Category
from gongzhi.core import events
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access, Role, access_for

from .models import COUNTS, DIMENSIONS, CaseDay, CaseDayStamp, CaseFact, CaseOpen

# The snapshot's deadline column of each running clock (cases.measures.running_clocks).
CLOCKS = {"handle": "handle_due_at", "close": "close_due_at", "response": "response_due_at"}


class Seconds(Func):
    """A duration (or a sum of durations) in seconds, as a float, on both engines."""

    output_field = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        inner, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"EXTRACT(EPOCH FROM {inner})::double precision", params
        return f"(({inner}) / 1000000.0)", params  # SQLite: microseconds


def _dimensions() -> dict[str, Any]:
    return {
        "subdistrict_id": F("subdistrict_id"),
        "department_id": F("department_id"),
        "grid_id": F("grid_id"),
        "station_id": F("station_id"),
        "residential_area_id": F("residential_area_id"),
        "category_id": F("category_id"),
        "category_group_id": Coalesce("category__group_id", "category_id"),
        "channel": F("channel"),
    }


def _keyed(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their row's key (d_day, d_<dimension>) annotated."""
    keys = {f"d_{k}": v for k, v in _dimensions().items()}
    keys["d_day"] = TruncDate("received_at", tzinfo=timezone.get_current_timezone())
    return qs.order_by().annotate(**keys)


KEY_ALIASES = ("d_day", *(f"d_{k}" for k in DIMENSIONS))


def _grouped(qs: QuerySet[Case]) -> Any:
    """The daily rows, computed from the cases: one GROUP BY (n_<count>, n_handling_seconds)."""
    stable = cm.stable_conditions()
    counts: dict[str, Any] = {"n_received": Count("pk")}
    counts.update({f"n_{k}": Count("pk", filter=stable[k]) for k in COUNTS})
    counts["n_handling_seconds"] = Coalesce(
        Seconds(Sum(cm.HANDLING_DURATION, filter=stable["timed"])), Value(0.0)
    )
    return _keyed(qs).values(*KEY_ALIASES).annotate(**counts)


def _one(q: Q) -> Any:
    return Switch(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _per_case(qs: QuerySet[Case]) -> Any:
    """Each case's contribution (its key, its counts as JSON) and its snapshot columns
    (o_open, o_<clock>_due_at): no grouping."""
    stable = cm.stable_conditions()
    counts: dict[str, Any] = {"received": Value(1)}
    counts.update({k: _one(stable[k]) for k in COUNTS})
    counts["handling_seconds"] = Switch(
        When(stable["timed"], then=Seconds(cm.HANDLING_DURATION)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    snapshot: dict[str, Any] = {"o_open": _one(cm.open_cases())}
    for clock, (runs, deadline) in cm.running_clocks().items():
        snapshot[f"o_{CLOCKS[clock]}"] = Switch(
            When(runs, then=F(deadline)), default=None, output_field=DateTimeField()
        )
    return (
        _keyed(qs)
        .annotate(d_case_id=F("pk"), f_counts=JSONObject(**counts), **snapshot)
        .values("d_case_id", *KEY_ALIASES, "f_counts", *snapshot)
    )


def _insert_select(model: type[Model], columns: Mapping[str, str], qs: Any) -> int:
    """INSERT INTO model (columns) SELECT their aliases FROM (the query): one statement."""
    sql, params = qs.query.sql_with_params()
    quote = connection.ops.quote_name
    meta = model._meta
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    target = ", ".join(quote(column[f]) for f in columns)
    source = ", ".join(quote(a) for a in columns.values())
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {quote(meta.db_table)} ({target}) "  # noqa: S608 (names from the models)
            f"SELECT {source} FROM ({sql}) src",
            params,
        )
        return int(cur.rowcount)


KEY_COLUMNS = {"day": "d_day", **{k: f"d_{k}" for k in DIMENSIONS}}
DAY_COLUMNS = {
    **KEY_COLUMNS,
    "received": "n_received",
    **{k: f"n_{k}" for k in COUNTS},
    "handling_seconds": "n_handling_seconds",
}
FACT_COLUMNS = {"case_id": "d_case_id", **KEY_COLUMNS, "counts": "f_counts"}
OPEN_COLUMNS = {"case_id": "d_case_id", **KEY_COLUMNS, **{c: f"o_{c}" for c in CLOCKS.values()}}


def _write(cases: QuerySet[Case]) -> int:
    """The daily rows, facts and snapshot rows of these cases (none stored yet); the number of
    daily rows written."""
    rows = _insert_select(CaseDay, DAY_COLUMNS, _grouped(cases))
    per_case = _per_case(cases)
    _insert_select(CaseFact, FACT_COLUMNS, per_case)
    _insert_select(CaseOpen, OPEN_COLUMNS, per_case.filter(cm.open_cases()))
    return rows


def refresh_day(day: dt.date) -> int:
    """Rebuild one day's rows (and its cases' facts and snapshot rows) from its cases; the
    number of daily rows written."""
    start, end = cm.period_bounds(day, day)
    with transaction.atomic():
        CaseDayStamp.objects.get_or_create(day=day, defaults={"refreshed_at": timezone.now()})
        CaseDayStamp.objects.select_for_update().filter(day=day).update(refreshed_at=timezone.now())
        for model in (CaseDay, CaseFact, CaseOpen):
            model._default_manager.filter(day=day).delete()
        return _write(Case.objects.filter(received_at__gte=start, received_at__lt=end))


def refresh_all() -> int:
    """Rebuild everything from the cases, set-based (one INSERT … SELECT per table, on both
    engines); the number of daily rows written."""
    now = timezone.now()
    with transaction.atomic():
        for model in (CaseDay, CaseFact, CaseOpen, CaseDayStamp):
            model._default_manager.all().delete()
        written = _write(Case.objects.all())
        days = (
            CaseDay.objects.order_by()
            .annotate(d_day=F("day"), d_at=Value(now, output_field=DateTimeField()))
            .values("d_day", "d_at")
            .distinct()
        )
        _insert_select(CaseDayStamp, {"day": "d_day", "refreshed_at": "d_at"}, days)
    for model in (CaseDay, CaseFact, CaseOpen):
        _analyze(model)
    return written


def _analyze(model: type[Model]) -> None:
    """Fresh planner statistics after a rebuild (PostgreSQL would otherwise guess)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def seed_stage(ctx: Any) -> None:
    """Seed stage "cockpit": the demo's history is written in bulk, without events."""
    rows = refresh_all()
    counts = getattr(ctx, "counts", None)
    if counts is not None:
        counts["dashboards.CaseDay"] = counts.get("dashboards.CaseDay", 0) + rows


def _key_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: raw[a] for k, a in KEY_COLUMNS.items()}


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


def _keep_open(case_id: int, now: Mapping[str, Any] | None) -> None:
    """The case's row of the "open now" snapshot, as the case stands."""
    if now is None or not now["o_open"]:
        CaseOpen.objects.filter(case_id=case_id).delete()
        return
    values = {**_key_of(now), **{c: now[f"o_{c}"] for c in CLOCKS.values()}}
    if not CaseOpen.objects.filter(case_id=case_id).update(**values):
        CaseOpen.objects.create(case_id=case_id, **values)


def apply_case(case_id: int) -> bool:
    """Bring the daily figures and the snapshot up to date with one case: take away what it
    contributed before, add what it contributes now. False when its figures did not change."""
    with transaction.atomic():
        # The case's row lock: two workers applying events of one case take turns (a new case
        # has no stored contribution yet to lock).
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
        now = _per_case(Case.objects.filter(pk=case_id)).first()
        new = {"key": _key_of(now), "counts": now["f_counts"]} if now is not None else None
        _keep_open(case_id, now)
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
    daily figures and its row of the snapshot are brought up to date by the worker, once the
    change has committed."""
    apply_case(int(event["case_id"]))


# --- Verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    checked: int
    differ: int
    examples: list[str]


def _compare(
    stored: Mapping[Any, Mapping[str, Any]],
    direct: Mapping[Any, Mapping[str, Any]],
    fields: Iterable[str],
    result: Verification,
    what: str,
) -> None:
    for key in stored.keys() | direct.keys():
        a, b = stored.get(key, {}), direct.get(key, {})
        for f in fields:
            result.checked += 1
            x, y = a.get(f), b.get(f)
            if isinstance(x, float) or isinstance(y, float):
                same = abs((x or 0) - (y or 0)) < 1e-3
            elif f in DAY_COLUMNS and f not in KEY_COLUMNS:
                same = (x or 0) == (y or 0)
            else:
                same = x == y
            if not same:
                result.differ += 1
                if len(result.examples) < 10:
                    result.examples.append(f"{what} {key}: {f} stored {x}, from the cases {y}")


def verify() -> Verification:
    """Every stored figure against the same figure computed from the cases: each count of each
    daily row, and each open case's row of the snapshot (its key and the deadlines of its
    running clocks)."""
    result = Verification(0, 0, [])
    counts = [c for c in DAY_COLUMNS if c not in KEY_COLUMNS]
    key_of = lambda r: tuple(r[k] for k in KEY_COLUMNS)  # noqa: E731
    stored = {key_of(r): r for r in CaseDay.objects.values(*DAY_COLUMNS).iterator()}
    direct = {}
    for raw in _grouped(Case.objects.all()).iterator():
        row = {c: raw[a] for c, a in DAY_COLUMNS.items()}
        direct[key_of(row)] = row
    _compare(stored, direct, counts, result, "day")
    snapshot = [c for c in OPEN_COLUMNS if c != "case_id"]
    stored = {r["case_id"]: r for r in CaseOpen.objects.values(*OPEN_COLUMNS).iterator()}
    direct = {
        raw["d_case_id"]: {c: raw[a] for c, a in OPEN_COLUMNS.items()}
        for raw in _per_case(Case.objects.filter(cm.open_cases())).iterator()
    }
    _compare(stored, direct, snapshot, result, "open case")
    return result


# --- Reading ----------------------------------------------------------------------------------

# Groupings the aggregates can answer, and the column (or expression) they group by.
GROUPS: dict[str, Any] = {
    "total": None,
    "subdistrict": F("subdistrict_id"),
    "department": F("department_id"),
    "grid": F("grid_id"),
    "station": F("station_id"),
    "residential_area": F("residential_area_id"),
    "category_group": F("category_group_id"),
    "category": F("category_id"),
    "channel": F("channel"),
    "month": TruncMonth("day"),
    "week": TruncWeek("day"),
}
# The filters the aggregates can apply, and the column each narrows.
FILTER_COLUMNS = {
    "subdistrict": "subdistrict_id",
    "department": "department_id",
    "grid": "grid_id",
    "station": "station_id",
    "residential_area": "residential_area_id",
    "channel": "channel",
}


def can_answer(group_by: str, filters: Mapping[str, Any]) -> bool:
    """Every grouping and filter of the measures but the responsible person (not kept)."""
    return group_by in GROUPS and all(
        name in FILTER_COLUMNS or name == "category" or value in (None, "")
        for name, value in filters.items()
    )


def _scope_q(access: Access) -> Q:
    """The rows of the cases this viewer's figures are made of (measures.scoped_cases): their
    subdistrict(s)' for the centre and leaders, else their department's or area's."""
    mine = Q()
    if access.subdistrict_ids is not None:
        mine = Q(subdistrict_id__in=access.subdistrict_ids)
    if access.whole_subdistrict:
        return mine
    own = Q(department_id__in=access.department_ids)
    if access.has(Role.AREA) and access.area_ids:
        own |= Q(residential_area_id__in=access.area_ids)
    return mine & own


def _filters_q(filters: Mapping[str, Any]) -> Q:
    """measures.FILTERS on the stored columns (a category: itself, its group or its children)."""
    q = Q()
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name == "category":
            children = Category.objects.filter(parent_id=value).values("pk")
            q &= Q(category_id=value) | Q(category_group_id=value) | Q(category_id__in=children)
        elif name in FILTER_COLUMNS:
            q &= Q(**{FILTER_COLUMNS[name]: value})
        else:
            raise ServiceError(_("Unknown filter: %(name)s.") % {"name": name})
    return q


def _labels(group_by: str, keys: Iterable[Any]) -> dict[Any, str]:
    from gongzhi.org.models import Organisation
    from gongzhi.places.models import Grid, GridStation, ResidentialArea, Subdistrict

    model = {
        "subdistrict": Subdistrict,
        "department": Organisation,
        "grid": Grid,
        "station": GridStation,
        "residential_area": ResidentialArea,
        "category_group": Category,
        "category": Category,
    }.get(group_by)
    ids = [k for k in keys if k is not None]
    if model is None or not ids:
        return {}
    rows = model._default_manager.filter(pk__in=ids).values_list("pk", "name")  # type: ignore[misc]
    return dict(rows)


def _live_conditions(as_of: dt.datetime) -> dict[str, Q]:
    """measures.live_conditions on the snapshot: a running clock's deadline before `as_of`."""
    late = {clock: Q(**{f"{column}__lt": as_of}) for clock, column in CLOCKS.items()}
    hotline = Q(channel=Case.Channel.HOTLINE)
    return {
        "due_handle": late["handle"],
        "due_close": late["close"],
        "hotline_due_response": hotline & late["response"],
        "hotline_due_close": hotline & late["close"],
    }


def overdue_now(as_of: dt.datetime) -> Q:
    """measures.overdue on the snapshot."""
    late = _live_conditions(as_of)
    return late["due_handle"] | late["due_close"]


def _narrowed(model: type[Model], user: Any, filters: Mapping[str, Any]) -> QuerySet[Any] | None:
    """The model's rows the user may see, narrowed by the filters; None when they may see none."""
    access = access_for(user)
    if not access.whole_subdistrict and not (access.department_ids or access.area_ids):
        return None
    return model._default_manager.filter(_scope_q(access), _filters_q(filters)).order_by()


def _checked(filters: Mapping[str, Any] | None, group_bys: Iterable[str]) -> dict[str, Any]:
    filters = dict(filters or {})
    cm._filter_q(filters)  # the same checks and messages as the direct computation
    for group_by in group_bys:
        if group_by not in GROUPS:
            raise ServiceError(_("Unknown grouping."))
    return filters


def tables(
    *,
    user: Any,
    group_bys: Iterable[str],
    date_from: dt.date,
    date_to: dt.date,
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[str, cm.Table]:
    """measures.measure_table's numbers for several groupings of one period, from the daily
    rows (stable part) and the snapshot (live part): two queries, grouped by every grouping's
    column at once, then added up per grouping here (a few hundred groups at most)."""
    group_bys = list(dict.fromkeys(group_bys))
    filters = _checked(filters, group_bys)
    as_of = as_of or timezone.now()
    days = _narrowed(CaseDay, user, filters)
    snapshot = _narrowed(CaseOpen, user, filters)
    if days is None or snapshot is None:
        return {
            g: cm.table_from(
                grouping=g, date_from=date_from, date_to=date_to, as_of=as_of, groups=[]
            )
            for g in group_bys
        }
    exprs = {f"g_{g}": GROUPS[g] for g in group_bys if GROUPS[g] is not None}
    period = {"day__gte": date_from, "day__lte": date_to}
    sums = {k: Sum(k) for k in ("received", *COUNTS, "handling_seconds")}
    counts = {k: Count("pk", filter=q) for k, q in _live_conditions(as_of).items()}
    days = days.filter(**period)
    late = snapshot.filter(**period).filter(overdue_now(as_of) | Q(response_due_at__lt=as_of))
    if exprs:
        stable = list(days.annotate(**exprs).values(*exprs).annotate(**sums))
        live = list(late.annotate(**exprs).values(*exprs).annotate(**counts))
    else:
        stable, live = [days.aggregate(**sums)], [late.aggregate(**counts)]
    return {
        g: _table(g, stable, live, date_from=date_from, date_to=date_to, as_of=as_of)
        for g in group_bys
    }


def _table(
    group_by: str,
    stable_rows: list[dict[str, Any]],
    live_rows: list[dict[str, Any]],
    *,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
) -> cm.Table:
    column = f"g_{group_by}"
    stable: dict[Any, dict[str, float]] = {}
    live: dict[Any, dict[str, float]] = {}
    for rows, into in ((stable_rows, stable), (live_rows, live)):
        for raw in rows:
            key = _norm(group_by, raw.get(column))
            acc = into.setdefault(key, {})
            for name, value in raw.items():
                if not name.startswith("g_"):
                    acc[name] = acc.get(name, 0) + (value or 0)
    if group_by == "total":
        stable.setdefault(None, {})  # one row, as the direct computation gives
    received = int(sum(s.pop("received", 0) for s in stable.values()))
    keys = set(stable) | {k for k, v in live.items() if any(v.values())}
    labels = _labels(group_by, keys)
    groups = []
    for key in keys:
        s = dict(stable.get(key, {}))
        s["handling_hours"] = s.pop("handling_seconds", 0) / 3600
        figures = cm.figures_from(s, live.get(key, {}))
        if not any(figures.values()) and key not in stable:
            continue
        groups.append((key, labels.get(key), figures))
    return cm.table_from(
        grouping=group_by,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        groups=groups,
        received=received,
    )


def table(
    *,
    user: Any,
    group_by: str,
    date_from: dt.date,
    date_to: dt.date,
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> cm.Table:
    """measures.measure_table's numbers, from the aggregates (stable part) and the snapshot of
    the open cases (live part)."""
    return tables(
        user=user,
        group_bys=[group_by],
        date_from=date_from,
        date_to=date_to,
        filters=filters,
        as_of=as_of,
    )[group_by]


def totals(
    *,
    user: Any,
    spans: list[tuple[dt.date, dt.date]],
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> list[cm.Table]:
    """The "total" table of each period (date_from, date_to) in `spans` (the cockpit's previous
    period and the same period a year before): two queries for all of them when they do not
    overlap, else one table at a time."""
    ordered = sorted(set(spans))
    if any(a[1] >= b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        return [
            table(user=user, group_by="total", date_from=a, date_to=b, filters=filters, as_of=as_of)
            for a, b in spans
        ]
    filters = _checked(filters, [])
    as_of = as_of or timezone.now()
    days = _narrowed(CaseDay, user, filters)
    snapshot = _narrowed(CaseOpen, user, filters)
    if days is None or snapshot is None:
        return [
            cm.table_from(grouping="total", date_from=a, date_to=b, as_of=as_of, groups=[])
            for a, b in spans
        ]
    which = Switch(
        *(When(day__gte=a, day__lte=b, then=Value(i)) for i, (a, b) in enumerate(ordered)),
        output_field=IntegerField(),
    )
    within = Q(pk__in=[])
    for a, b in ordered:
        within |= Q(day__gte=a, day__lte=b)
    sums = {k: Sum(k) for k in ("received", *COUNTS, "handling_seconds")}
    counts = {k: Count("pk", filter=q) for k, q in _live_conditions(as_of).items()}
    late = snapshot.filter(within).filter(overdue_now(as_of) | Q(response_due_at__lt=as_of))
    stable = list(days.filter(within).annotate(g_span=which).values("g_span").annotate(**sums))
    live = list(late.annotate(g_span=which).values("g_span").annotate(**counts))
    out = []
    for a, b in spans:
        i = ordered.index((a, b))
        mine = [r for r in stable if r["g_span"] == i], [r for r in live if r["g_span"] == i]
        out.append(_table("total", *mine, date_from=a, date_to=b, as_of=as_of))
    return out


def open_now(
    *, user: Any, filters: Mapping[str, Any] | None = None, as_of: dt.datetime, by: str = ""
) -> dict[Any, dict[str, int]]:
    """The open cases now and those overdue (measures.open_cases, measures.overdue), from the
    snapshot: {None: counts}, or per value of `by` (a GROUPS column such as "grid")."""
    filters = _checked(filters, [by] if by else [])
    snapshot = _narrowed(CaseOpen, user, filters)
    if snapshot is None:
        return {}
    counts = {"open": Count("pk"), "overdue": Count("pk", filter=overdue_now(as_of))}
    if not by:
        return {None: snapshot.aggregate(**counts)}
    return {
        r["g"]: {"open": r["open"], "overdue": r["overdue"]}
        for r in snapshot.annotate(g=GROUPS[by]).values("g").annotate(**counts)
    }


def _norm(group_by: str, key: Any) -> Any:
    """Month and week keys as the direct computation gives them (the first instant of the month
    or week, local time), so the two tables compare equal."""
    if group_by in ("month", "week") and key is not None:
        if isinstance(key, dt.datetime):
            key = key.date()
        return dt.datetime.combine(key, dt.time.min, tzinfo=timezone.get_current_timezone())
    return key

"""Measures: the indicators the standards name, each defined once, here.

Digital urban management (GB/T 30428.4 绩效评价, after CJ/T 292) and 12345 practice judge a
subdistrict's case handling by a few rates: on-time closure rate (按期结案率), closure rate
(结案率), handling rate (处置率), on-time handling rate (按期处置率), rework rate (返工率),
satisfaction rate (满意率), the average handling time, and for 12345 work orders the response,
resolution and satisfaction rates (响应率, 解决率, 满意率). docs/measures.md gives each one's
formula, population, edge cases, source and a worked example; this module is their only
definition.

How it is built:

- `FIGURES` are the counted (or summed) quantities — 应结案数, 按期结案数 … — each a condition
  (a `Q`) on the cases received in the period. Conditions that ask "is it overdue?" compare
  with `as_of` (now, unless a test says otherwise).
- `MEASURES` are ratios of two figures: numerator ÷ denominator, `None` when the denominator is
  0 (never a division error).
- `measure_table()` groups the cases of a period (by department, grid, station, residential
  area, category or its group, channel, responsible person, month or week) and computes every
  figure of every group in ONE aggregate query (`COUNT(…) FILTER (WHERE …)`, and a `SUM` of
  handling durations); the total row is the sum of the group rows (each case is in one group).

The population of every figure is the cases **received** (`received_at`) in the period, seen
by the user (gongzhi.core.permissions.visible; a department only its own cases). Most
figures then keep only cases that were filed (立案) and not later merged into another case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Role, access_for

from .models import Case

S = Case.State
SATISFIED = (Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY)
# Roles that may read the measures: the centre and leaders everything, a department its own.
READER_ROLES = (Role.LEADER, Role.DUTY_CHIEF, Role.OPERATOR, Role.DEPARTMENT)

# Handling time: from the (last) dispatch to the handling report that stands, wall-clock.
HANDLING_DURATION = ExpressionWrapper(
    F("handled_at") - F("dispatched_at"), output_field=DurationField()
)


# --- Figures: what is counted ---------------------------------------------------------------


# A case that counts as filed (立案): the one definition the statistics and the queue's
# drill-down share.
FILED = Q(filed_at__isnull=False) & ~Q(state__in=[S.MERGED, S.NOT_ACCEPTED])


# The states in which the handling clock and the closure clock run (see docs/measures.md).
HANDLING_CLOCK = (S.DISPATCHED, S.ACCEPTED)
CLOSURE_CLOCK = (S.DISPATCHED, S.ACCEPTED, S.HANDLED)


def running_clocks() -> dict[str, tuple[Q, str]]:
    """The clocks the "overdue" figures judge: for each, the condition under which it runs and
    the deadline field it runs against. A case is late on a clock when the condition holds and
    the deadline is before the moment of judging (pre-aggregates keep the deadline of each
    running clock and compare at reading time)."""
    return {
        "handle": (FILED & Q(state__in=HANDLING_CLOCK, handled_at__isnull=True), "handle_due_at"),
        "close": (FILED & Q(state__in=CLOSURE_CLOCK, closed_at__isnull=True), "close_due_at"),
        "response": (Q(state=S.RECEIVED), "due_at"),
    }


def _late(clock: str, as_of: dt.datetime) -> Q:
    runs, deadline = running_clocks()[clock]
    return runs & Q(**{f"{deadline}__lt": as_of})


def overdue_unhandled(as_of: dt.datetime) -> Q:
    """超期未处置: at a department, past the handling deadline, no handling report."""
    return _late("handle", as_of)


def overdue_unclosed(as_of: dt.datetime) -> Q:
    """超期未结案: dispatched and not closed, past the closure deadline."""
    return _late("close", as_of)


def overdue(as_of: dt.datetime) -> Q:
    """THE overdue case (超期案件) of every figure that says "overdue": the cockpit, the
    statistics, `summary`'s cases.overdue and the monthly report. A filed case whose handling
    or closure deadline has passed while its clock runs — exactly the open part of the "due"
    figures (应处置数, 应结案数). A case waiting at the centre (received, filed, returned), or
    suspended or escalated, is not overdue here: its clock does not run."""
    return overdue_unhandled(as_of) | overdue_unclosed(as_of)


def open_cases() -> Q:
    """Cases not finished: every state before closure, including those suspended or
    escalated (what "open cases" counts everywhere)."""
    from .workflow import OPEN_STATES

    return Q(state__in=OPEN_STATES)


def conditions(as_of: dt.datetime) -> dict[str, Q]:
    """The condition of each figure, on a case received in the period. `as_of` is the moment
    at which "overdue" is judged (deadline < as_of)."""
    filed = FILED
    # A handling report that stands: handle() sets handled_at and handled_on_time; a failed
    # verification (rework) clears handled_at, a new dispatch (after reopening) clears
    # handled_on_time, so both are set only while the last report is the current one.
    handled = filed & Q(handled_at__isnull=False, handled_on_time__isnull=False)
    # The department's clock runs while the case is dispatched or being handled; it stops
    # while the case is returned, suspended (挂账) or escalated to the district.
    late_unhandled = overdue_unhandled(as_of)
    closed = filed & Q(closed_at__isnull=False)
    # The closure clock runs from dispatch to closure; it stops in the same states, and for a
    # reopened case until it is dispatched again (dispatch sets a new closure deadline).
    late_unclosed = overdue_unclosed(as_of)
    reworked = filed & Q(rework_count__gt=0)
    evaluated = filed & ~Q(satisfaction="")
    hotline = Q(channel=Case.Channel.HOTLINE)
    responded = hotline & ~Q(state=S.RECEIVED)
    return {
        "filed": filed,
        "due_handle": handled | late_unhandled,
        "handled": handled,
        "handled_on_time": handled & Q(handled_on_time=True),
        "due_close": closed | late_unclosed,
        "closed": closed,
        "closed_on_time": closed & Q(closed_on_time=True),
        "reported": handled | reworked,
        "reworked": reworked,
        "timed": handled & Q(dispatched_at__isnull=False, handled_at__gte=F("dispatched_at")),
        "evaluated": evaluated,
        "satisfied": filed & Q(satisfaction__in=SATISFIED),
        "hotline_due_response": responded | (hotline & _late("response", as_of)),
        "hotline_responded": responded,
        "hotline_due_close": hotline & (closed | late_unclosed),
        "hotline_resolved": hotline & closed & ~Q(satisfaction=Case.Satisfaction.DISSATISFIED),
        "hotline_evaluated": hotline & evaluated,
        "hotline_satisfied": hotline & filed & Q(satisfaction__in=SATISFIED),
    }


# --- What can be counted ahead, and what must be judged at the moment ------------------------
# Pre-aggregated tables (the cockpit's) keep the counts that change only when a case changes;
# the "due" figures add, at the moment of judging, the open cases past their deadline. For each
# such figure: figure = STABLE count of LIVE_PARTS[figure] + count of live_conditions(as_of).
LIVE_PARTS = {
    "due_handle": "handled",
    "due_close": "closed",
    "hotline_due_response": "hotline_responded",
    "hotline_due_close": "hotline_closed",
}
# The states a live condition can hold in (an index on state finds these few cases).
LIVE_STATES = (S.RECEIVED, *CLOSURE_CLOCK)


def stable_conditions() -> dict[str, Q]:
    """The conditions that do not depend on when they are judged (every figure but the four
    "due" ones, plus 12345 orders closed)."""
    c = conditions(timezone.now())  # the kept conditions do not read as_of
    out = {k: q for k, q in c.items() if k not in LIVE_PARTS}
    out["hotline_closed"] = Q(channel=Case.Channel.HOTLINE) & c["closed"]
    return out


def live_conditions(as_of: dt.datetime) -> dict[str, Q]:
    """The part of each "due" figure that depends on `as_of`: open cases past a deadline. Each
    is disjoint from its stable part (a case past a deadline is not handled / closed / answered
    yet)."""
    hotline = Q(channel=Case.Channel.HOTLINE)
    return {
        "due_handle": overdue_unhandled(as_of),
        "due_close": overdue_unclosed(as_of),
        "hotline_due_response": hotline & _late("response", as_of),
        "hotline_due_close": hotline & overdue_unclosed(as_of),
    }


def figures_from(stable: Mapping[str, float], live: Mapping[str, float]) -> dict[str, float]:
    """Every figure, from the stable counts (keys of stable_conditions, and handling_hours) and
    the live ones."""
    out = {k: stable.get(k, 0) for k in FIGURES}
    for key, base in LIVE_PARTS.items():
        out[key] = stable.get(base, 0) + live.get(key, 0)
    return out


def table_from(
    *,
    grouping: str,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
    groups: list[tuple[Any, Any, dict[str, float]]],
    received: int | None = None,
) -> Table:
    """A `Table` from figures computed elsewhere (pre-aggregates): (key, label, figures) per
    group, labelled and sorted as measure_table does."""
    g = GROUPINGS[grouping]
    rows = [_row(key, _label(g, key, label), figures) for key, label, figures in groups]
    if g.expression is not None:
        rows.sort(key=lambda r: _sort_key(g, r))
    totals = {key: sum(r.figures[key] for r in rows) for key in FIGURES}
    total = _row(None, _("Total"), totals)
    return Table(g, date_from, date_to, as_of, rows, total, received=received)


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


KeyedT = TypeVar("KeyedT", bound=_Keyed)


def _by_key(items: list[KeyedT]) -> dict[str, KeyedT]:
    """A table of figures, measures or groupings, by their keys."""
    return {item.key: item for item in items}


@dataclass(frozen=True)
class Figure:
    key: str
    term: str  # the standards' own Chinese term
    name: Promise  # English msgid
    definition: Promise
    summed: bool = False  # a sum of hours, not a count of cases


FIGURES: dict[str, Figure] = _by_key(
    [
        Figure(
            "filed",
            "立案数",
            gettext_lazy("cases filed"),
            gettext_lazy("Cases received in the period and filed, not merged into another."),
        ),
        Figure(
            "due_handle",
            "应处置数",
            gettext_lazy("cases due for handling"),
            gettext_lazy(
                "Filed cases handled, plus those still at a department past their handling "
                "deadline."
            ),
        ),
        Figure(
            "handled",
            "处置数",
            gettext_lazy("cases handled"),
            gettext_lazy("Filed cases whose handling report stands (not sent back for rework)."),
        ),
        Figure(
            "handled_on_time",
            "按期处置数",
            gettext_lazy("cases handled on time"),
            gettext_lazy("Handled cases reported by their handling deadline."),
        ),
        Figure(
            "due_close",
            "应结案数",
            gettext_lazy("cases due for closure"),
            gettext_lazy(
                "Filed cases closed, plus dispatched ones still open past their closure deadline."
            ),
        ),
        Figure(
            "closed",
            "结案数",
            gettext_lazy("cases closed"),
            gettext_lazy("Filed cases verified and closed (and not reopened since)."),
        ),
        Figure(
            "closed_on_time",
            "按期结案数",
            gettext_lazy("cases closed on time"),
            gettext_lazy("Closed cases closed by their closure deadline."),
        ),
        Figure(
            "reported",
            "处置反馈数",
            gettext_lazy("cases with a handling report"),
            gettext_lazy("Filed cases handled, or sent back for rework at least once."),
        ),
        Figure(
            "reworked",
            "返工数",
            gettext_lazy("cases reworked"),
            gettext_lazy("Filed cases sent back for rework at least once after verification."),
        ),
        Figure(
            "timed",
            "计时案件数",
            gettext_lazy("cases with a handling time"),
            gettext_lazy("Handled cases that were dispatched to a department."),
        ),
        Figure(
            "handling_hours",
            "处置总时长",
            gettext_lazy("total handling time (hours)"),
            gettext_lazy("Sum of dispatch-to-handling-report times, in wall-clock hours."),
            summed=True,
        ),
        Figure(
            "evaluated",
            "评价数",
            gettext_lazy("cases rated"),
            gettext_lazy("Filed cases whose reporter's satisfaction was recorded."),
        ),
        Figure(
            "satisfied",
            "满意数",
            gettext_lazy("cases rated satisfied"),
            gettext_lazy("Rated cases: satisfied or basically satisfied."),
        ),
        Figure(
            "hotline_due_response",
            "应响应工单数",
            gettext_lazy("work orders due for a response"),
            gettext_lazy(
                "12345 work orders responded to, plus those still unanswered past their filing "
                "deadline."
            ),
        ),
        Figure(
            "hotline_responded",
            "响应工单数",
            gettext_lazy("work orders responded to"),
            gettext_lazy("12345 work orders filed, not accepted with a reason, or merged."),
        ),
        Figure(
            "hotline_due_close",
            "应办结工单数",
            gettext_lazy("work orders due for closure"),
            gettext_lazy("12345 work orders among the cases due for closure."),
        ),
        Figure(
            "hotline_resolved",
            "解决工单数",
            gettext_lazy("work orders resolved"),
            gettext_lazy("12345 work orders closed and not rated dissatisfied."),
        ),
        Figure(
            "hotline_evaluated",
            "回访评价工单数",
            gettext_lazy("work orders rated at callback"),
            gettext_lazy("12345 work orders whose requester's satisfaction was recorded."),
        ),
        Figure(
            "hotline_satisfied",
            "满意工单数",
            gettext_lazy("work orders rated satisfied"),
            gettext_lazy("Rated 12345 work orders: satisfied or basically satisfied."),
        ),
    ]
)


ALIAS = "m_"  # aggregate aliases, apart from field names (handled_on_time is both)


def aggregates(as_of: dt.datetime) -> dict[str, Any]:
    """One aggregate expression per figure, for `annotate()` / `aggregate()`, keyed by
    ALIAS + the figure's key."""
    c = conditions(as_of)
    out: dict[str, Any] = {
        ALIAS + key: Count("pk", filter=q) for key, q in c.items() if key in FIGURES
    }
    out[ALIAS + "handling_hours"] = Sum(HANDLING_DURATION, filter=c["timed"])
    return out


# --- Measures: ratios of figures ------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    term: str  # the standards' own Chinese term, e.g. 按期结案率
    name: Promise  # English msgid; the Chinese UI shows the catalogue's translation
    numerator: str  # a key of FIGURES
    denominator: str
    formula: Promise
    source: str
    unit: str = "rate"  # "rate" (0..1, shown as a percentage) or "hours"

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"


MEASURES: dict[str, Measure] = _by_key(
    [
        Measure(
            "on_time_closure_rate",
            "按期结案率",
            gettext_lazy("on-time closure rate"),
            "closed_on_time",
            "due_close",
            gettext_lazy("cases closed on time ÷ cases due for closure"),
            "GB/T 30428.4 (CJ/T 292): 按期结案率 = 按期结案数 / 应结案数",
        ),
        Measure(
            "closure_rate",
            "结案率",
            gettext_lazy("closure rate"),
            "closed",
            "due_close",
            gettext_lazy("cases closed ÷ cases due for closure"),
            "GB/T 30428.4 (CJ/T 292): 结案率 = 结案数 / 应结案数",
        ),
        Measure(
            "handling_rate",
            "处置率",
            gettext_lazy("handling rate"),
            "handled",
            "due_handle",
            gettext_lazy("cases handled ÷ cases due for handling"),
            "GB/T 30428.4 (CJ/T 292), department: 处置率 = 处置数 / 应处置数",
        ),
        Measure(
            "on_time_handling_rate",
            "按期处置率",
            gettext_lazy("on-time handling rate"),
            "handled_on_time",
            "due_handle",
            gettext_lazy("cases handled on time ÷ cases due for handling"),
            "GB/T 30428.4 (CJ/T 292), department: 按期处置率 = 按期处置数 / 应处置数",
        ),
        Measure(
            "rework_rate",
            "返工率",
            gettext_lazy("rework rate"),
            "reworked",
            "reported",
            gettext_lazy("cases reworked ÷ cases with a handling report"),
            "GB/T 30428.4 (CJ/T 292), department: 返工率 (denominator chosen here)",
        ),
        Measure(
            "satisfaction_rate",
            "满意率",
            gettext_lazy("satisfaction rate"),
            "satisfied",
            "evaluated",
            gettext_lazy("cases rated satisfied or basically satisfied ÷ cases rated"),
            "CJJ/T 106 综合评价 stage; 12345 回访 practice",
        ),
        Measure(
            "average_handling_time",
            "平均处置时长",
            gettext_lazy("average handling time"),
            "handling_hours",
            "timed",
            gettext_lazy("hours from dispatch to handling report ÷ cases with a handling time"),
            "GB/T 30428.4 / eGova 平均处置时长 (avgHandleTime)",
            unit="hours",
        ),
        Measure(
            "hotline_response_rate",
            "响应率",
            gettext_lazy("12345 response rate"),
            "hotline_responded",
            "hotline_due_response",
            gettext_lazy("work orders responded to ÷ work orders due for a response"),
            "12345 三率 (Beijing 接诉即办): 响应率; formula chosen here",
        ),
        Measure(
            "hotline_resolution_rate",
            "解决率",
            gettext_lazy("12345 resolution rate"),
            "hotline_resolved",
            "hotline_due_close",
            gettext_lazy("work orders resolved ÷ work orders due for closure"),
            "12345 三率 (Beijing 接诉即办): 解决率; formula chosen here",
        ),
        Measure(
            "hotline_satisfaction_rate",
            "满意率（12345）",
            gettext_lazy("12345 satisfaction rate"),
            "hotline_satisfied",
            "hotline_evaluated",
            gettext_lazy("work orders rated satisfied ÷ work orders rated at callback"),
            "12345 三率 (Beijing 接诉即办): 满意率",
        ),
    ]
)


@dataclass(frozen=True)
class Value:
    measure: Measure
    numerator: float  # a count, or hours for the average handling time
    denominator: int
    value: float | None  # a rate in 0..1, or hours; None when the denominator is 0

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.measure.is_rate:
            return f"{self.value * 100:.1f}%"
        return f"{self.value:.1f}"

    @property
    def percent(self) -> float | None:
        """The rate in percent (rounded to 2 places), or hours; None without a denominator."""
        if self.value is None:
            return None
        return round(self.value * 100 if self.measure.is_rate else self.value, 2)


def evaluate(measure: Measure, figures: Mapping[str, float]) -> Value:
    num = figures.get(measure.numerator) or 0
    den = int(figures.get(measure.denominator) or 0)
    return Value(measure, num, den, (num / den) if den else None)


# --- Groupings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    key: str
    name: Promise
    expression: Any = None  # the group's key; None: one row for everything
    label: Any = None  # a label from the same query (a related name), or None
    is_period: bool = False


GROUPINGS: dict[str, Grouping] = _by_key(
    [
        Grouping(
            "subdistrict",
            gettext_lazy("subdistrict"),
            F("subdistrict_id"),
            F("subdistrict__name"),
        ),
        Grouping(
            "department", gettext_lazy("department"), F("department_id"), F("department__name")
        ),
        Grouping("grid", gettext_lazy("grid"), F("grid_id"), F("grid__name")),
        Grouping("station", gettext_lazy("grid station"), F("station_id"), F("station__name")),
        Grouping(
            "residential_area",
            gettext_lazy("residential area"),
            F("residential_area_id"),
            F("residential_area__name"),
        ),
        Grouping(
            "category_group",
            gettext_lazy("category group"),
            Coalesce("category__group_id", "category_id"),
            Coalesce("category__group__name", "category__name"),
        ),
        Grouping("category", gettext_lazy("category"), F("category_id"), F("category__name")),
        Grouping("channel", gettext_lazy("channel"), F("channel")),
        Grouping(
            "assignee", gettext_lazy("responsible person"), F("assignee_id"), F("assignee__name")
        ),
        Grouping("month", gettext_lazy("month"), TruncMonth("received_at"), is_period=True),
        Grouping("week", gettext_lazy("week"), TruncWeek("received_at"), is_period=True),
        Grouping("total", gettext_lazy("whole subdistrict")),
    ]
)

# filter name → how it narrows the cases
FILTERS: dict[str, Callable[[Any], Q]] = {
    "subdistrict": lambda v: Q(subdistrict_id=v),
    "department": lambda v: Q(department_id=v),
    "grid": lambda v: Q(grid_id=v),
    "station": lambda v: Q(station_id=v),
    "residential_area": lambda v: Q(residential_area_id=v),
    "category": lambda v: Q(category_id=v) | Q(category__group_id=v) | Q(category__parent_id=v),
    "channel": lambda v: Q(channel=v),
    "assignee": lambda v: Q(assignee_id=v),
}


# --- The table ------------------------------------------------------------------------------


@dataclass
class Row:
    key: Any
    label: str
    figures: dict[str, float]
    values: dict[str, Value] = field(default_factory=dict)

    def value(self, key: str) -> Value:
        return self.values[key]

    @property
    def cells(self) -> list[Value]:
        """The values in the order of MEASURES (for templates)."""
        return [self.values[m.key] for m in MEASURES.values()]


@dataclass
class Table:
    grouping: Grouping
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    rows: list[Row]
    total: Row
    measures: list[Measure] = field(default_factory=lambda: list(MEASURES.values()))
    # The cases received in the period (filed or not), when the table's source counted them.
    received: int | None = None


def may_read(user: Any) -> bool:
    """The statistics are for the centre, leaders and departments (their own numbers)."""
    return access_for(user).has(*READER_ROLES)


def scoped_cases(user: Any) -> QuerySet[Case]:
    """The cases whose numbers this user may see: every case for subdistrict-wide roles; for
    anyone else only cases of their own department(s), and for a residential-area secretary
    those of their area — not, say, cases they reported themselves, which `visible()` would
    also let them open."""
    qs = perms.visible(user, Case.objects.all())
    access = access_for(user)
    if not access.whole_subdistrict:
        own = Q(department_id__in=access.department_ids)
        if access.has(Role.AREA) and access.area_ids:
            # A residential-area secretary's numbers are their area's cases (the cockpit).
            own |= Q(residential_area_id__in=access.area_ids)
        if access.has(Role.INSPECTOR, Role.STATION) and access.station_ids:
            # A grid station's people: their station's cases (the station's page).
            own |= Q(station_id__in=access.station_ids)
        qs = qs.filter(own)
    return qs


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of date_from, start of the day after date_to) in the local time zone."""
    if date_from > date_to:
        raise ServiceError(_("The start date must not be after the end date."))
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _filter_q(filters: Mapping[str, Any] | None) -> Q:
    q = Q()
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        make = FILTERS.get(name)
        if make is None:
            raise ServiceError(_("Unknown filter: %(name)s.") % {"name": name})
        if name == "channel":
            if value not in Case.Channel.values:
                raise ServiceError(_("Unknown channel."))
        else:
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise ServiceError(_("Invalid filter value.")) from exc
        q &= make(value)
    return q


def _hours(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # microseconds, should a backend return a number


def _figures(raw: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, figure in FIGURES.items():
        value = raw.get(ALIAS + key)
        out[key] = _hours(value) if figure.summed else int(value or 0)
    return out


def _label(grouping: Grouping, key: Any, label: Any) -> str:
    if grouping.key == "total":
        return str(grouping.name)
    if key is None:
        return _("(not set)")
    if grouping.key == "channel":
        try:
            return str(Case.Channel(key).label)
        except ValueError:
            return str(key)
    if grouping.key == "month":
        return (
            timezone.localtime(key).strftime("%Y-%m") if isinstance(key, dt.datetime) else str(key)
        )
    if grouping.key == "week":
        if isinstance(key, dt.datetime):
            year, week, _day = timezone.localtime(key).isocalendar()
            return f"{year}-W{week:02d}"
        return str(key)
    return str(label) if label not in (None, "") else f"#{key}"


def _row(key: Any, label: str, figures: dict[str, float]) -> Row:
    row = Row(key, label, figures)
    row.values = {m.key: evaluate(m, figures) for m in MEASURES.values()}
    return row


def _sort_key(grouping: Grouping, row: Row) -> tuple[Any, ...]:
    if grouping.is_period:
        return (row.key is None, row.key or dt.datetime.min.replace(tzinfo=dt.UTC))
    return (row.key is None, row.label, str(row.key))


def measure_table(
    *,
    user: Any,
    group_by: str,
    date_from: dt.date,
    date_to: dt.date,
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> Table:
    """Every figure and measure, per group, for the cases received from `date_from` to
    `date_to` (inclusive, local dates) that `user` may see. One database query."""
    grouping = GROUPINGS.get(group_by)
    if grouping is None:
        raise ServiceError(_("Unknown grouping."))
    start, end = period_bounds(date_from, date_to)
    as_of = as_of or timezone.now()
    qs = (
        scoped_cases(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .filter(_filter_q(filters))
        .order_by()
    )
    aggs = {**aggregates(as_of), ALIAS + "received": Count("pk")}
    groups: list[tuple[Any, Any, dict[str, float]]] = []
    received = 0
    if grouping.expression is None:
        raw = qs.aggregate(**aggs)
        received = raw[ALIAS + "received"]
        groups.append((None, None, _figures(raw)))
    else:
        annotations = {"group_key": grouping.expression}
        names = ["group_key"]
        if grouping.label is not None:
            annotations["group_label"] = grouping.label
            names.append("group_label")
        for raw in qs.annotate(**annotations).values(*names).annotate(**aggs).order_by():
            received += raw[ALIAS + "received"]
            groups.append((raw["group_key"], raw.get("group_label"), _figures(raw)))
    return table_from(
        grouping=group_by,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        groups=groups,
        received=received,
    )


# --- The leaders' figures (gongzhi.core.measures) --------------------------------------------

# The standard indicators every cockpit shows, in this order.
STANDARD = (
    "on_time_closure_rate",
    "closure_rate",
    "rework_rate",
    "satisfaction_rate",
    "average_handling_time",
)


def now_cases(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """The cases this user's numbers are made of, narrowed by the filters (not by a period)."""
    return scoped_cases(user).filter(_filter_q(filters)).order_by()


# Figures of the cases as they stand now, whatever the period: their lists ignore the period.
NOW_FIGURES = ("open", "overdue")
LIST_FIGURES = ("received", *NOW_FIGURES, *(k for k in FIGURES if k != "handling_hours"))


def figure_cases(
    *,
    user: Any,
    figure: str,
    date_from: dt.date,
    date_to: dt.date,
    filters: Mapping[str, Any] | None = None,
    as_of: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases a figure counts — the list behind it, by the same definition: `received`
    (every case received in the period), `open` and `overdue` (now, whatever the period), or
    any key of FIGURES (the cases received in the period that meet its condition)."""
    as_of = as_of or timezone.now()
    qs = now_cases(user, filters)
    if figure == "open":
        return qs.filter(open_cases())
    if figure == "overdue":
        return qs.filter(overdue(as_of))
    start, end = period_bounds(date_from, date_to)
    qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if figure == "received":
        return qs
    c = conditions(as_of)
    if figure not in c or figure == "handling_hours":
        raise ServiceError(_("Unknown figure."))
    return qs.filter(c[figure])


def read_figures(scope: Any) -> list[Any]:
    """The case figures of the cockpit: today's intake (by channel), open and overdue cases now,
    the cases received and filed in the period, and every measure. Each links to the list of
    its cases (`scope.cases_url`)."""
    from gongzhi.core.measures import Reading

    filters = dict(scope.filters)
    now = scope.as_of
    today = timezone.localtime(now).date()
    start, end = period_bounds(today, today)
    # Two queries on indexed columns (state; received_at), never a scan of every case.
    counts: dict[str, Any] = dict(
        scope.open_counts()
        if getattr(scope, "open_counts", None) is not None
        else now_cases(scope.user, filters)
        .filter(open_cases())
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue(now)))
    )
    counts |= (
        now_cases(scope.user, filters)
        .filter(received_at__gte=start, received_at__lt=end)
        .aggregate(
            today=Count("pk"),
            **{f"today_{c}": Count("pk", filter=Q(channel=c)) for c in Case.Channel.values},
        )
    )
    out = [
        Reading(
            "cases.intake_today",
            _("received today"),
            counts["today"],
            url=scope.cases_url("received", **{"from": today, "to": today}),
        ),
    ]
    for channel in Case.Channel:
        out.append(
            Reading(
                f"cases.intake_today.{channel.value}",
                str(channel.label),
                counts[f"today_{channel.value}"],
                url=scope.cases_url(
                    "received", channel=channel.value, **{"from": today, "to": today}
                ),
            )
        )
    out += [
        Reading("cases.open", _("open cases"), counts["open"], url=scope.cases_url("open")),
        Reading(
            "cases.overdue",
            _("overdue cases"),
            counts["overdue"],
            url=scope.cases_url("overdue"),
            alarm=counts["overdue"] > 0,
        ),
    ]
    table = (scope.measure_table or measure_table)(
        user=scope.user,
        group_by="total",
        date_from=scope.date_from,
        date_to=scope.date_to,
        filters=filters,
        as_of=now,
    )
    figures = table.total.figures
    received = table.received
    if received is None:
        received = figure_cases(
            user=scope.user,
            figure="received",
            date_from=scope.date_from,
            date_to=scope.date_to,
            filters=filters,
            as_of=now,
        ).count()
    out += [
        Reading("cases.received", _("cases received"), received, url=scope.cases_url("received")),
        Reading("cases.filed", _("cases filed"), figures["filed"], url=scope.cases_url("filed")),
    ]
    for key, m in MEASURES.items():
        v = table.total.values[key]
        out.append(
            Reading(
                f"cases.{key}",
                m.name,
                v.value,
                unit="rate" if m.is_rate else "hours",
                url=scope.cases_url(m.denominator),
                numerator=v.numerator,
                denominator=v.denominator,
            )
        )
    return out


def may_read_figures(access: Any) -> bool:
    return access.has(*READER_ROLES, Role.AREA, Role.INSPECTOR, Role.STATION)


def register_source() -> None:
    from gongzhi.core.measures import Source, register

    register(
        Source(
            "cases",
            gettext_lazy("Grid management centre"),
            read_figures,
            show=may_read_figures,
            position=10,
        )
    )

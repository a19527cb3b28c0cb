"""A subdistrict's worth of cases for the cockpit's tests: 240 cases from January to April 2026
over the world's four grids (two residential areas), two departments and every channel, in
every state the measures distinguish, with their milestones set as the workflow sets them.
Random but seeded, so every run is the same; the tests compare the cockpit with the measures'
definitions computed in Python over these rows (see `direct`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.places.selectors import default_subdistrict_id

SH = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 5, 1, 10, 0, tzinfo=SH)
S = Case.State
STATES = [
    S.RECEIVED,
    S.FILED,
    S.DISPATCHED,
    S.ACCEPTED,
    S.HANDLED,
    S.CLOSED,
    S.EVALUATED,
    S.EVALUATED,
    S.EVALUATED,
    S.SUSPENDED,
    S.MERGED,
    S.RETURNED,
]


@dataclass
class Town:
    world: Any
    centre: Any
    cases: list[Case]


def _case(rng: random.Random, n: int, world: Any, centre: Any) -> Case:
    grid = rng.choice(list(world.grids.values()))
    received = dt.datetime(2026, 1, 1, 8, tzinfo=SH) + dt.timedelta(
        minutes=rng.randrange(0, 120 * 24 * 60)
    )
    state = rng.choice(STATES)
    category = rng.choice([centre.garbage, centre.manhole])
    dept = world.orgs["chengguan"] if category == centre.garbage else world.orgs["fangguan"]
    f: dict[str, Any] = {
        "number": f"CY2026-7{n:05d}",
        "tracking_code": f"TOWN{n:06d}",
        "channel": rng.choice(Case.Channel.values),
        "type": Case.Type.EVENT,
        "category": category,
        "description": "测试案件",
        "received_at": received,
        "state": state,
        "grid": grid,
        "residential_area": grid.residential_area,
        "station": grid.station,
    }
    if state not in (S.RECEIVED,):
        f["filed_at"] = received + dt.timedelta(minutes=20)
    if state == S.RECEIVED:
        f["due_at"] = received + dt.timedelta(hours=2)
    dispatched = state in (S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.CLOSED, S.EVALUATED, S.SUSPENDED)
    if dispatched:
        f["department"] = dept
        f["dispatched_at"] = received + dt.timedelta(hours=1)
        f["handle_due_at"] = f["dispatched_at"] + dt.timedelta(days=rng.randint(1, 8))
        f["close_due_at"] = f["handle_due_at"] + dt.timedelta(days=1)
        f["due_at"] = f["handle_due_at"]
    if state in (S.HANDLED, S.CLOSED, S.EVALUATED):
        f["handled_at"] = f["dispatched_at"] + dt.timedelta(hours=rng.randint(2, 240))
        f["handled_on_time"] = f["handled_at"] <= f["handle_due_at"]
        f["rework_count"] = 1 if rng.random() < 0.1 else 0
    if state in (S.CLOSED, S.EVALUATED):
        f["closed_at"] = f["handled_at"] + dt.timedelta(hours=rng.randint(1, 40))
        f["closed_on_time"] = f["closed_at"] <= f["close_due_at"]
    if state == S.EVALUATED:
        f["satisfaction"] = rng.choice(Case.Satisfaction.values)
    if state == S.ACCEPTED and rng.random() < 0.3:
        f["rework_count"] = 1  # in rework: its report was sent back
    # Cases at the very end of the period may still be within their deadlines.
    f.setdefault("subdistrict_id", default_subdistrict_id())
    return Case.objects.create(**f)


@pytest.fixture
def town(world) -> Town:
    centre = make_centre(world)
    rng = random.Random(13)
    cases = [_case(rng, n, world, centre) for n in range(240)]
    # Written without events, as the demo's history is: the figures are rebuilt after.
    from gongzhi.dashboards.aggregates import refresh_all

    refresh_all()
    return Town(world, centre, cases)


# --- The definitions of docs/measures.md, in plain Python, over the rows ------------------------

SATISFIED = ("satisfied", "basically")


def direct(cases: list[Case], date_from: dt.date, date_to: dt.date, as_of: dt.datetime) -> dict:
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=SH)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=SH)
    period = [c for c in cases if start <= c.received_at < end]
    filed = [c for c in period if c.filed_at and c.state not in (S.MERGED, S.NOT_ACCEPTED)]

    def late_unhandled(c: Case) -> bool:
        return (
            c.state in (S.DISPATCHED, S.ACCEPTED)
            and c.handle_due_at is not None
            and c.handle_due_at < as_of
            and c.handled_at is None
        )

    def late_unclosed(c: Case) -> bool:
        return (
            c.state in (S.DISPATCHED, S.ACCEPTED, S.HANDLED)
            and c.close_due_at is not None
            and c.close_due_at < as_of
            and c.closed_at is None
        )

    handled = [c for c in filed if c.handled_at and c.handled_on_time is not None]
    closed = [c for c in filed if c.closed_at]
    due_close = [c for c in filed if c.closed_at or late_unclosed(c)]
    reworked = [c for c in filed if c.rework_count > 0]
    reported = {c.pk for c in handled} | {c.pk for c in reworked}
    evaluated = [c for c in filed if c.satisfaction]
    satisfied = [c for c in filed if c.satisfaction in SATISFIED]
    timed = [c for c in handled if c.dispatched_at and c.handled_at >= c.dispatched_at]
    hours = sum((c.handled_at - c.dispatched_at).total_seconds() / 3600 for c in timed)

    def rate(a: float, b: float) -> float | None:
        return a / b if b else None

    every_filed = [c for c in cases if c.filed_at and c.state not in (S.MERGED, S.NOT_ACCEPTED)]
    return {
        "received": len(period),
        "filed": len(filed),
        "on_time_closure_rate": rate(sum(1 for c in closed if c.closed_on_time), len(due_close)),
        "closure_rate": rate(len(closed), len(due_close)),
        "rework_rate": rate(len(reworked), len(reported)),
        "satisfaction_rate": rate(len(satisfied), len(evaluated)),
        "average_handling_time": rate(hours, len(timed)),
        "overdue": sum(1 for c in every_filed if late_unhandled(c) or late_unclosed(c)),
        "open": sum(
            1
            for c in cases
            if c.state
            in (S.RECEIVED, S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.HANDLED, S.SUSPENDED)
        ),
    }


@pytest.fixture
def centre(world) -> Any:
    return make_centre(world)

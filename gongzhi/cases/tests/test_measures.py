"""The measures (gongzhi.cases.measures) against numbers worked out by hand, and the
statistics page and its CSV export.

Two fixtures:

- `ledger` sets the cases' milestones and flags directly (Case.objects.create), because the
  point is to pin every population rule to one hand-computed number; it is the clearer way to
  get, say, a case reopened after closure with a stale handling time.
- `test_flags_set_by_the_services_feed_the_measures` drives real cases through the services
  with time_machine instead, to show the flags the measures read are the ones the workflow
  writes (extension, rework, suspension, reopening).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import measures, services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import access_for
from gongzhi.places.selectors import default_subdistrict_id

SH = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 4, 1, 8, 40, tzinfo=SH)
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
_seq = itertools.count(1)


def T(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def make(centre: Any, **fields: Any) -> Case:
    n = next(_seq)
    values: dict[str, Any] = {
        "number": f"CY2026-9{n:05d}",
        "tracking_code": f"MEASURE{n:05d}",
        "channel": Case.Channel.INSPECTOR,
        "type": Case.Type.EVENT,
        "category": centre.garbage,
        "description": "测试案件",
        "received_at": T(2),
        "state": Case.State.FILED,
    }
    values.update(fields)
    if "filed_at" not in values and values["state"] not in (
        Case.State.RECEIVED,
        Case.State.NOT_ACCEPTED,
    ):
        values["filed_at"] = values["received_at"] + dt.timedelta(minutes=10)
    values.setdefault("subdistrict_id", default_subdistrict_id())
    return Case.objects.create(**values)


@dataclass
class Ledger:
    cases: dict[str, Case]


@pytest.fixture
def ledger(world, centre) -> Ledger:
    """Cases received in March 2026 (plus one in February and one in April), judged at
    1 April 2026 08:40. Department 城管中队 (CG), 房管办 (FG), none.

    CG  c1 hotline, received 1 Mar 00:30 (local: March, though 28 Feb in UTC); dispatched
           2 Mar 10:00, handled 3 Mar 10:00 on time (24 h), closed on time; satisfied.
        c2 hotline; dispatched 4 Mar 09:00, handled 9 Mar 09:00 late (120 h), reworked once,
           closed late; dissatisfied.
        c3 accepted, handling deadline 12 Mar and closure deadline 13 Mar passed: overdue
           for handling and for closure.
        c4 dispatched 30 Mar, deadlines 3 Apr: not yet due (in no rate's denominator).
        c5 handled 16 Mar 13:00 on time (4 h after dispatch), closure deadline 16 Mar 17:00
           passed, not verified yet: handled, overdue for closure.
        c6 suspended (挂账) with passed deadlines: off the clock.
        c7 hotline, merged into another case after filing: not in any filed figure, but
           responded to.
        c8 in rework (handled_at cleared, stale handled_on_time=False), rework deadline
           20 Mar and closure deadline 21 Mar passed: overdue for both, reworked.
    FG  f1 hotline; handled 12 Mar on time after an approved extension (240 h), closed on
           time; basically satisfied.
        f2 handled on time (24 h), closed late, not rated; reported by the CG handler as a
           resident (the CG handler must still not see it).
        f3 hotline, reopened after closure: back in "filed", stale handled_at and old
           closure deadline, flags cleared: filed, nothing else.
    --  n1 hotline, received 31 Mar 09:00, still "received", filing deadline 09:30 passed.
        n2 hotline, received 31 Mar 17:20, filing deadline 1 Apr 08:50 not yet passed.
        n3 hotline, not accepted.  n4 hotline, escalated to the district after filing.
    Outside March: feb1 (CG, 10 Feb, handled in 2 h, closed on time, satisfied),
    apr1 (CG, 1 Apr 08:00, closed).

    By department, March:
                     CG              FG              none      total
    filed            7 (c1-6,c8)     3               1 (n4)    11
    due_handle       5 = 3 + 2       2 = 2 + 0       0         7
    handled          3 (c1,c2,c5)    2 (f1,f2)       0         5
    handled_on_time  2 (c1,c5)       2               0         4
    due_close        5 = 2 + 3       2 = 2 + 0       0         7
       (overdue unclosed CG: c3, c5, c8)
    closed           2 (c1,c2)       2               0         4
    closed_on_time   1 (c1)          1 (f1)          0         2
    reported         4 (c1,c2,c5,c8) 2               0         6
    reworked         2 (c2,c8)       0               0         2
    timed / hours    3 / 148         2 / 264         0 / 0     5 / 412
    evaluated        2               1               0         3
    satisfied        1 (c1)          1 (f1)          0         2
    hl due response  3 (c1,c2,c7)    2 (f1,f3)       3 (n1,n3,n4)  8
    hl responded     3               2               2 (n3,n4)     7
    hl due close     2 (c1,c2)       1 (f1)          0         3
    hl resolved      1 (c1)          1 (f1)          0         2
    hl evaluated     2               1               0         3
    hl satisfied     1               1               0         2
    """
    S = Case.State
    cg, fg = world.orgs["chengguan"], world.orgs["fangguan"]
    hot = Case.Channel.HOTLINE
    c: dict[str, Case] = {}
    c["c1"] = make(
        centre,
        channel=hot,
        type=Case.Type.COMPLAINT,
        received_at=T(1, 0, 30),
        state=S.EVALUATED,
        department=cg,
        dispatched_at=T(2, 10),
        handle_due_at=T(4, 17, 30),
        close_due_at=T(5, 12),
        handled_at=T(3, 10),
        handled_on_time=True,
        closed_at=T(3, 15),
        closed_on_time=True,
        satisfaction=Case.Satisfaction.SATISFIED,
        evaluated_at=T(4, 10),
    )
    c["c2"] = make(
        centre,
        channel=hot,
        type=Case.Type.COMPLAINT,
        received_at=T(4, 8),
        state=S.EVALUATED,
        department=cg,
        dispatched_at=T(4, 9),
        handle_due_at=T(6, 17, 30),
        close_due_at=T(7, 12),
        handled_at=T(9, 9),
        handled_on_time=False,
        rework_count=1,
        closed_at=T(10, 9),
        closed_on_time=False,
        satisfaction=Case.Satisfaction.DISSATISFIED,
        evaluated_at=T(11, 9),
    )
    c["c3"] = make(
        centre,
        received_at=T(10, 8),
        state=S.ACCEPTED,
        department=cg,
        dispatched_at=T(10, 9),
        handle_due_at=T(12, 17, 30),
        close_due_at=T(13, 12),
    )
    c["c4"] = make(
        centre,
        received_at=T(30, 8),
        state=S.DISPATCHED,
        department=cg,
        dispatched_at=T(30, 9),
        handle_due_at=dt.datetime(2026, 4, 3, 17, 30, tzinfo=SH),
        close_due_at=dt.datetime(2026, 4, 7, 12, tzinfo=SH),
    )
    c["c5"] = make(
        centre,
        received_at=T(16, 8),
        state=S.HANDLED,
        department=cg,
        dispatched_at=T(16, 9),
        handle_due_at=T(18, 17, 30),
        close_due_at=T(16, 17),
        handled_at=T(16, 13),
        handled_on_time=True,
    )
    c["c6"] = make(
        centre,
        received_at=T(5, 8),
        state=S.SUSPENDED,
        suspended_from=S.ACCEPTED,
        department=cg,
        dispatched_at=T(5, 9),
        handle_due_at=T(6, 10),
        close_due_at=T(6, 15),
        paused_at=T(5, 15),
    )
    c["c7"] = make(centre, channel=hot, received_at=T(6, 8), state=S.MERGED, department=cg)
    c["c8"] = make(
        centre,
        received_at=T(17, 8),
        state=S.ACCEPTED,
        department=cg,
        dispatched_at=T(17, 9),
        handle_due_at=T(20, 17, 30),
        close_due_at=T(21, 12),
        handled_at=None,
        handled_on_time=False,
        rework_count=1,
    )
    c["f1"] = make(
        centre,
        channel=hot,
        type=Case.Type.HELP,
        category=centre.manhole,
        received_at=T(2, 8),
        state=S.EVALUATED,
        department=fg,
        dispatched_at=T(2, 9),
        handle_due_at=T(13, 17, 30),
        close_due_at=T(16, 12),
        extension_count=1,
        handled_at=T(12, 9),
        handled_on_time=True,
        closed_at=T(12, 14),
        closed_on_time=True,
        satisfaction=Case.Satisfaction.BASICALLY,
        evaluated_at=T(13, 9),
    )
    c["f2"] = make(
        centre,
        category=centre.manhole,
        received_at=T(3, 8),
        state=S.CLOSED,
        department=fg,
        reporter_user=world.handler,
        dispatched_at=T(3, 9),
        handle_due_at=T(5, 17, 30),
        close_due_at=T(5, 22),
        handled_at=T(4, 9),
        handled_on_time=True,
        closed_at=T(6, 9),
        closed_on_time=False,
    )
    c["f3"] = make(
        centre,
        channel=hot,
        type=Case.Type.HELP,
        category=centre.manhole,
        received_at=T(3, 8),
        filed_at=T(8, 9),
        state=S.FILED,
        department=fg,
        reopen_count=1,
        dispatched_at=T(3, 9),
        handle_due_at=T(5, 17, 30),
        close_due_at=T(6, 10),
        handled_at=T(5, 9),
        handled_on_time=None,
    )
    c["n1"] = make(
        centre,
        channel=hot,
        type=Case.Type.CONSULT,
        category=centre.consult,
        received_at=T(31, 9),
        state=S.RECEIVED,
        due_at=T(31, 9, 30),
    )
    c["n2"] = make(
        centre,
        channel=hot,
        type=Case.Type.CONSULT,
        category=centre.consult,
        received_at=T(31, 17, 20),
        state=S.RECEIVED,
        due_at=dt.datetime(2026, 4, 1, 8, 50, tzinfo=SH),
    )
    c["n3"] = make(
        centre,
        channel=hot,
        type=Case.Type.CONSULT,
        category=centre.consult,
        received_at=T(20, 9),
        state=S.NOT_ACCEPTED,
    )
    c["n4"] = make(
        centre,
        channel=hot,
        type=Case.Type.COMPLAINT,
        category=centre.consult,
        received_at=T(21, 9),
        state=S.ESCALATED,
    )
    c["feb1"] = make(
        centre,
        received_at=T(10, 8, month=2),
        state=S.EVALUATED,
        department=cg,
        dispatched_at=T(10, 10, month=2),
        handle_due_at=T(12, 17, 30, month=2),
        close_due_at=T(13, 12, month=2),
        handled_at=T(10, 12, month=2),
        handled_on_time=True,
        closed_at=T(10, 15, month=2),
        closed_on_time=True,
        satisfaction=Case.Satisfaction.SATISFIED,
    )
    c["apr1"] = make(
        centre,
        received_at=dt.datetime(2026, 4, 1, 8, tzinfo=SH),
        state=S.CLOSED,
        department=cg,
        dispatched_at=dt.datetime(2026, 4, 1, 8, 10, tzinfo=SH),
        handled_at=dt.datetime(2026, 4, 1, 8, 20, tzinfo=SH),
        handled_on_time=True,
        closed_at=dt.datetime(2026, 4, 1, 8, 30, tzinfo=SH),
        closed_on_time=True,
    )
    return Ledger(c)


FIGURE_KEYS = [
    "filed",
    "due_handle",
    "handled",
    "handled_on_time",
    "due_close",
    "closed",
    "closed_on_time",
    "reported",
    "reworked",
    "timed",
    "handling_hours",
    "evaluated",
    "satisfied",
    "hotline_due_response",
    "hotline_responded",
    "hotline_due_close",
    "hotline_resolved",
    "hotline_evaluated",
    "hotline_satisfied",
]
# The columns of the ledger's docstring, in FIGURE_KEYS order.
CG = [7, 5, 3, 2, 5, 2, 1, 4, 2, 3, 148, 2, 1, 3, 3, 2, 1, 2, 1]
FG = [3, 2, 2, 2, 2, 2, 1, 2, 0, 2, 264, 1, 1, 2, 2, 1, 1, 1, 1]
NONE = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0]
MARCH_TOTAL = [11, 7, 5, 4, 7, 4, 2, 6, 2, 5, 412, 3, 2, 8, 7, 3, 2, 3, 2]
FEB = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0]

# measure → (numerator, denominator) by hand, per row; None rates where the denominator is 0.
CG_RATES = {
    "on_time_closure_rate": (1, 5, 0.2),
    "closure_rate": (2, 5, 0.4),
    "handling_rate": (3, 5, 0.6),
    "on_time_handling_rate": (2, 5, 0.4),
    "rework_rate": (2, 4, 0.5),
    "satisfaction_rate": (1, 2, 0.5),
    "average_handling_time": (148, 3, 148 / 3),
    "hotline_response_rate": (3, 3, 1.0),
    "hotline_resolution_rate": (1, 2, 0.5),
    "hotline_satisfaction_rate": (1, 2, 0.5),
}
FG_RATES = {
    "on_time_closure_rate": (1, 2, 0.5),
    "closure_rate": (2, 2, 1.0),
    "handling_rate": (2, 2, 1.0),
    "on_time_handling_rate": (2, 2, 1.0),
    "rework_rate": (0, 2, 0.0),
    "satisfaction_rate": (1, 1, 1.0),
    "average_handling_time": (264, 2, 132.0),
    "hotline_response_rate": (2, 2, 1.0),
    "hotline_resolution_rate": (1, 1, 1.0),
    "hotline_satisfaction_rate": (1, 1, 1.0),
}
NONE_RATES = {
    "on_time_closure_rate": (0, 0, None),
    "closure_rate": (0, 0, None),
    "handling_rate": (0, 0, None),
    "on_time_handling_rate": (0, 0, None),
    "rework_rate": (0, 0, None),
    "satisfaction_rate": (0, 0, None),
    "average_handling_time": (0, 0, None),
    "hotline_response_rate": (2, 3, 2 / 3),
    "hotline_resolution_rate": (0, 0, None),
    "hotline_satisfaction_rate": (0, 0, None),
}
TOTAL_RATES = {
    "on_time_closure_rate": (2, 7, 2 / 7),
    "closure_rate": (4, 7, 4 / 7),
    "handling_rate": (5, 7, 5 / 7),
    "on_time_handling_rate": (4, 7, 4 / 7),
    "rework_rate": (2, 6, 1 / 3),
    "satisfaction_rate": (2, 3, 2 / 3),
    "average_handling_time": (412, 5, 82.4),
    "hotline_response_rate": (7, 8, 7 / 8),
    "hotline_resolution_rate": (2, 3, 2 / 3),
    "hotline_satisfaction_rate": (2, 3, 2 / 3),
}


def figures_of(row: measures.Row) -> list[float]:
    return [row.figures[k] for k in FIGURE_KEYS]


def assert_rates(row: measures.Row, expected: dict[str, tuple[float, int, float | None]]) -> None:
    assert set(expected) == set(measures.MEASURES)
    for key, (num, den, rate) in expected.items():
        v = row.values[key]
        assert (v.numerator, v.denominator) == pytest.approx((num, den)), key
        if rate is None:
            assert v.value is None, key
            assert v.display == "—"
        else:
            assert v.value == pytest.approx(rate), key


def test_every_indicator_by_department_matches_the_hand_count(world, ledger):
    table = measures.measure_table(user=world.leader, group_by="department", as_of=AS_OF, **MARCH)
    rows = {r.key: r for r in table.rows}
    assert set(rows) == {world.orgs["chengguan"].pk, world.orgs["fangguan"].pk, None}
    cg, fg, none = rows[world.orgs["chengguan"].pk], rows[world.orgs["fangguan"].pk], rows[None]
    assert (cg.label, fg.label) == ("城管中队", "房管办")
    assert figures_of(cg) == pytest.approx(CG)
    assert figures_of(fg) == pytest.approx(FG)
    assert figures_of(none) == pytest.approx(NONE)
    assert figures_of(table.total) == pytest.approx(MARCH_TOTAL)
    assert_rates(cg, CG_RATES)
    assert_rates(fg, FG_RATES)
    assert_rates(none, NONE_RATES)
    assert_rates(table.total, TOTAL_RATES)
    assert cg.values["on_time_closure_rate"].display == "20.0%"
    assert cg.values["average_handling_time"].display == "49.3"


def test_by_month_splits_the_periods_in_local_time(world, ledger):
    """c1 was received at 00:30 on 1 March in Shanghai (16:30 on 28 February UTC): March."""
    table = measures.measure_table(
        user=world.leader,
        group_by="month",
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 3, 31),
        as_of=AS_OF,
    )
    assert [r.label for r in table.rows] == ["2026-02", "2026-03"]
    feb, mar = table.rows
    assert figures_of(feb) == pytest.approx(FEB)
    assert figures_of(mar) == pytest.approx(MARCH_TOTAL)
    assert_rates(mar, TOTAL_RATES)
    assert feb.values["on_time_closure_rate"].value == 1.0
    assert feb.values["average_handling_time"].value == pytest.approx(2.0)
    assert feb.values["hotline_response_rate"].value is None
    assert table.total.figures["filed"] == 12


def test_other_groupings_and_filters(world, ledger, centre):
    by_channel = measures.measure_table(user=world.leader, group_by="channel", as_of=AS_OF, **MARCH)
    rows = {r.key: r for r in by_channel.rows}
    assert rows["hotline"].figures["filed"] == 5  # c1, c2, f1, f3, n4
    assert rows["inspector"].figures["filed"] == 6  # c3-c6, c8, f2
    assert rows["hotline"].label == str(Case.Channel.HOTLINE.label)
    by_group = measures.measure_table(
        user=world.leader, group_by="category_group", as_of=AS_OF, **MARCH
    )
    labels = {r.label: r.figures["filed"] for r in by_group.rows}
    assert labels == {"市容环境（事件）": 7, "公用设施（部件）": 3, "城乡建设": 1}
    only_fg = measures.measure_table(
        user=world.leader,
        group_by="total",
        as_of=AS_OF,
        filters={"category": centre.manhole.group_id},
        **MARCH,
    )
    assert figures_of(only_fg.rows[0]) == pytest.approx(FG)
    hotline = measures.measure_table(
        user=world.leader, group_by="total", as_of=AS_OF, filters={"channel": "hotline"}, **MARCH
    )
    assert hotline.rows[0].values["hotline_response_rate"].value == pytest.approx(7 / 8)
    for grouping in measures.GROUPINGS:
        measures.measure_table(user=world.leader, group_by=grouping, as_of=AS_OF, **MARCH)


def test_zero_denominators_give_no_rate(world, ledger):
    table = measures.measure_table(
        user=world.leader,
        group_by="department",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 1, 31),
        as_of=AS_OF,
    )
    assert table.rows == []
    assert all(v.value is None and v.denominator == 0 for v in table.total.values.values())
    alone = measures.measure_table(
        user=world.leader,
        group_by="total",
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 1, 31),
    )
    assert all(v.value is None for v in alone.rows[0].values.values())


def test_a_department_sees_only_its_own_numbers(world, ledger):
    """f2 (房管办) was reported by the 城管中队 handler as a resident: `visible()` would let
    them open it, but it is not their department's work, so it is not in their numbers."""
    table = measures.measure_table(user=world.handler, group_by="department", as_of=AS_OF, **MARCH)
    assert [r.key for r in table.rows] == [world.orgs["chengguan"].pk]
    assert figures_of(table.rows[0]) == pytest.approx(CG)
    assert figures_of(table.total) == pytest.approx(CG)
    other = measures.measure_table(
        user=world.handler,
        group_by="total",
        as_of=AS_OF,
        filters={"department": world.orgs["fangguan"].pk},
        **MARCH,
    )
    assert other.rows[0].figures["filed"] == 0
    # An inspector is not a reader of the statistics; and its scope gives it no department.
    assert not measures.may_read(world.inspector)
    assert (
        measures.measure_table(
            user=world.inspector, group_by="total", as_of=AS_OF, **MARCH
        ).total.figures["filed"]
        == 0
    )


@pytest.mark.parametrize("group_by", ["department", "month", "category_group", "total"])
def test_one_query_per_table(world, ledger, django_assert_num_queries, group_by):
    access_for(world.leader)  # roles are computed once per request, before the table
    with django_assert_num_queries(1):
        measures.measure_table(user=world.leader, group_by=group_by, as_of=AS_OF, **MARCH)


def test_bad_arguments_are_refused_with_a_message(world):
    with pytest.raises(ServiceError):
        measures.measure_table(user=world.leader, group_by="colour", **MARCH)
    with pytest.raises(ServiceError):
        measures.measure_table(
            user=world.leader,
            group_by="department",
            date_from=dt.date(2026, 3, 2),
            date_to=dt.date(2026, 3, 1),
        )
    with pytest.raises(ServiceError):
        measures.measure_table(
            user=world.leader, group_by="department", filters={"colour": 1}, **MARCH
        )
    with pytest.raises(ServiceError):
        measures.measure_table(
            user=world.leader, group_by="department", filters={"department": "x"}, **MARCH
        )


def test_flags_set_by_the_services_feed_the_measures(world, centre):
    """Through the services, time moved with time_machine (March 2026 has no holidays;
    garbage: handle 2 working days, verify 4 working hours; working day 08:30–17:30).

    CG (城管中队, garbage):
      A  dispatched Mon 2 Mar 09:00 (handling due Wed 4 Mar 17:30), handled Tue 3 Mar 10:00,
         verified 14:00: on time both; rated satisfied.
      B  extension of 3 working days approved on 3 Mar (due Mon 9 Mar 17:30), handled Fri
         6 Mar 10:00 — after the original deadline, before the extended one: on time.
      C  handled Thu 5 Mar 10:00: late; verification fails 11:00 (rework, 3 working days:
         due Tue 10 Mar 17:30); handled again Fri 6 Mar 10:00: on time against the rework
         deadline; verified: closed on time. Reworked once.
      D  suspended Tue 3 Mar 09:00, resumed Tue 10 Mar 09:00: the deadline moves by the
         5 working days paused (to Wed 11 Mar 17:30); handled Wed 11 Mar 10:00: on time.
    FG (房管办, manhole):
      E  closed on 3 Mar, rated dissatisfied, reopened on 4 Mar: back to "filed", not
         handled, not closed, not rated.

    Judged at Fri 20 Mar:  CG filed 4, handled 4 / due 4, on time 4, closed 4 / due 4, on time
    4, reworked 1 / reported 4 (25%), rated 1, satisfied 1.  FG filed 1, every rate none.
    """
    w = world

    def at(day: int, hour: int, minute: int = 0) -> Any:
        return time_machine.travel(T(day, hour, minute), tick=False)

    with at(2, 8, 30):
        a, b, c, d = (centre.intake(grid="a1") for _ in range(4))
        e = centre.intake(grid="a1", category=centre.manhole, type=Case.Type.COMPONENT)
    with at(2, 9):
        for case in (a, b, c, d):
            advance(case, "accepted", centre)
        advance(e, "dispatched", centre)
        services.case_accept(actor=w.other_handler, case=e)
    a.refresh_from_db()
    assert a.handle_due_at == T(4, 17, 30)
    with at(3, 9):
        services.case_suspend(actor=w.duty_chief, case=d, reason="季节性问题")
    with at(3, 10):
        services.case_handle(actor=w.handler, case=a, result="已清运")
        req = services.extension_request(
            actor=w.handler, case=b, amount=3, unit="working_days", reason="需协调"
        )
        services.case_handle(actor=w.other_handler, case=e, result="已更换井盖")
    with at(3, 11):
        services.extension_decide(actor=w.duty_chief, request=req, approve=True)
    with at(3, 14):
        services.case_verify(actor=w.inspector, case=a, passed=True)
        services.case_verify(actor=w.inspector, case=e, passed=True)
        services.case_evaluate(actor=w.operator, case=a, satisfaction="satisfied")
        services.case_evaluate(actor=w.operator, case=e, satisfaction="dissatisfied")
    with at(4, 9):
        services.case_reopen(actor=w.operator, case=e, reason="居民不满意")
    with at(5, 10):
        services.case_handle(actor=w.handler, case=c, result="已清运")
    c.refresh_from_db()
    assert c.handled_on_time is False
    with at(5, 11):
        services.case_verify(actor=w.inspector, case=c, passed=False, note="仍有垃圾")
    with at(6, 10):
        services.case_handle(actor=w.handler, case=b, result="已清运")
        services.case_handle(actor=w.handler, case=c, result="已彻底清运")
    with at(6, 11):
        services.case_verify(actor=w.inspector, case=b, passed=True)
        services.case_verify(actor=w.inspector, case=c, passed=True)
    with at(10, 9):
        services.case_resume(actor=w.duty_chief, case=d)
    d.refresh_from_db()
    assert d.handle_due_at == T(11, 17, 30)
    with at(11, 10):
        services.case_handle(actor=w.handler, case=d, result="已清运")
    with at(11, 11):
        services.case_verify(actor=w.inspector, case=d, passed=True)
    for case in (a, b, c, d, e):
        case.refresh_from_db()
    assert b.extension_count == 1 and b.handle_due_at == T(9, 17, 30)
    assert [x.handled_on_time for x in (a, b, c, d)] == [True] * 4
    assert [x.closed_on_time for x in (a, b, c, d)] == [True] * 4
    assert (c.rework_count, e.state, e.reopen_count) == (1, "filed", 1)

    table = measures.measure_table(user=w.leader, group_by="department", as_of=T(20, 12), **MARCH)
    rows = {r.key: r for r in table.rows}
    cg, fg = rows[w.orgs["chengguan"].pk], rows[w.orgs["fangguan"].pk]
    f = cg.figures
    assert (f["filed"], f["due_handle"], f["handled"], f["handled_on_time"]) == (4, 4, 4, 4)
    assert (f["due_close"], f["closed"], f["closed_on_time"]) == (4, 4, 4)
    assert (f["reworked"], f["reported"], f["evaluated"], f["satisfied"]) == (1, 4, 1, 1)
    assert cg.values["rework_rate"].value == 0.25
    assert cg.values["on_time_closure_rate"].value == 1.0
    assert fg.figures["filed"] == 1
    assert all(v.value is None for v in fg.values.values())


# --- The page and the export ----------------------------------------------------------------


def stats_url(**params: Any) -> str:
    from urllib.parse import urlencode

    return reverse("cases_stats:index") + ("?" + urlencode(params) if params else "")


MARCH_GET = {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "department"}


@pytest.fixture
def judged_at_as_of():
    """The page judges deadlines "now": make now the ledger's moment."""
    with time_machine.travel(AS_OF, tick=False):
        yield


@pytest.mark.parametrize("persona", ["leader", "duty_chief", "operator"])
def test_the_centre_and_leaders_see_every_department(
    client, world, ledger, judged_at_as_of, persona
):
    client.force_login(getattr(world, persona))
    r = client.get(reverse("cases_stats:index"), MARCH_GET)
    assert r.status_code == 200
    html = r.content.decode()
    assert "城管中队" in html and "房管办" in html
    assert "20.0%" in html  # 城管中队's on-time closure rate, 1/5
    assert "1/5" in html
    assert 'id="stats-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert r.context["table"].total.figures["filed"] == 11


def test_the_default_page_shows_the_last_twelve_months(client, world, ledger):
    client.force_login(world.leader)
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, tzinfo=SH), tick=False):
        r = client.get(reverse("cases_stats:index"))
    assert r.status_code == 200
    table = r.context["table"]
    assert (table.date_from, table.date_to) == (dt.date(2025, 5, 1), dt.date(2026, 4, 15))
    assert table.grouping.key == "department"
    assert table.total.figures["filed"] == 13  # March's 11, February's and April's


def test_a_department_gets_only_its_own_numbers_on_the_page(client, world, ledger, judged_at_as_of):
    client.force_login(world.handler)
    r = client.get(reverse("cases_stats:index"), MARCH_GET)
    assert r.status_code == 200
    html = r.content.decode()
    assert "城管中队" in html
    assert "房管办" not in html
    assert [row.label for row in r.context["table"].rows] == ["城管中队"]
    r = client.get(reverse("cases_stats:export"), MARCH_GET)
    body = r.content.decode("utf-8-sig")
    assert "城管中队" in body and "房管办" not in body


@pytest.mark.parametrize(
    "persona", ["inspector", "secretary", "liaison", "service_staff", "resident", "auditor"]
)
def test_others_are_refused(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("cases_stats:index")).status_code == 403
    assert client.get(reverse("cases_stats:export")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_anonymous_users_are_sent_to_log_in(client, world):
    r = client.get(reverse("cases_stats:index"))
    assert r.status_code == 302
    assert reverse("accounts:login") in r["Location"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-04-01", "date_to": "2026-03-01"},
        {"date_from": "not a date"},
        {"group_by": "colour"},
        {"department": "999999"},
        {"department": "abc"},
        {"channel": "fax"},
        {"date_from": "2000-01-01", "date_to": "2026-01-01"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(client, world, ledger, params):
    client.force_login(world.leader)
    r = client.get(reverse("cases_stats:index"), params)
    assert r.status_code == 200
    assert r.context["table"] is None
    assert 'data-testid="stats-error"' in r.content.decode()
    r = client.get(reverse("cases_stats:export"), params)
    assert r.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_department_cannot_pick_another_department(client, world, ledger):
    client.force_login(world.handler)
    r = client.get(
        reverse("cases_stats:index"), {**MARCH_GET, "department": world.orgs["fangguan"].pk}
    )
    assert r.status_code == 200
    assert r.context["table"] is None  # not one of the choices: a message, no numbers


def test_htmx_gets_the_results_only(client, world, ledger):
    client.force_login(world.leader)
    r = client.get(reverse("cases_stats:index"), MARCH_GET, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="stats-table"' in html
    assert "<html" not in html


def test_the_csv_export_is_the_table_and_is_audited(client, world, ledger, judged_at_as_of):
    client.force_login(world.leader)
    r = client.get(reverse("cases_stats:export"), MARCH_GET)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 4  # two departments, no department, total
    names = [m.key for m in measures.MEASURES.values()]
    col = 2 + 3 * names.index("on_time_closure_rate")
    by_label = {line[0]: line for line in body}
    cg = by_label["城管中队"]
    assert cg[1] == "7"
    assert cg[col : col + 3] == ["20", "1", "5"]
    hours = 2 + 3 * names.index("average_handling_time")
    assert cg[hours : hours + 3] == ["49.33", "148", "3"]
    none = by_label[
        next(k for k in by_label if k not in ("城管中队", "房管办") and k != body[-1][0])
    ]
    assert none[col : col + 3] == ["", "0", "0"]
    assert len(header) == len(cg) == 2 + 3 * len(names)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.leader
    assert "group_by=department" in event.note and "2026-03-01" in event.note


def test_csv_cells_cannot_smuggle_formulas(client, world, centre):
    dep = world.orgs["chengguan"]
    dep.name = "=HYPERLINK(1)"
    dep.save()
    make(centre, department=dep, received_at=T(2))
    client.force_login(world.leader)
    r = client.get(reverse("cases_stats:export"), MARCH_GET)
    body = r.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


@pytest.mark.browser
@pytest.mark.slow
def test_charts_draw_and_filters_update_in_the_browser(
    transactional_db, live_server, client, page, world, ledger
):
    from django.conf import settings

    client.force_login(world.leader)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(live_server.url + stats_url(**{**MARCH_GET, "date_from": "2026-02-01"}))
    page.locator("#stats-chart-trend canvas").wait_for()
    page.locator("#stats-chart-groups canvas").wait_for()
    assert "城管中队" in page.get_by_test_id("stats-table").inner_text()
    page.select_option("#id_group_by", "channel")
    page.get_by_test_id("stats-filters").locator("button[type=submit]").click()
    page.wait_for_url("**group_by=channel**")
    page.locator("#stats-chart-groups canvas").wait_for()
    table = page.get_by_test_id("stats-table").inner_text()
    assert "城管中队" not in table
    assert str(Case.Channel.HOTLINE.label) in table


def test_every_row_leads_to_the_cases_it_counts(client, world, ledger, judged_at_as_of):
    """The row's name and its count link to the queue with the same period and the row's
    group; the queue lists exactly the cases the row counts."""
    import re

    client.force_login(world.leader)
    r = client.get(reverse("cases_stats:index"), MARCH_GET)
    table = r.context["table"]
    for row in table.rows:
        if row.drill is None:
            continue
        listed = client.get(row.drill.replace("&amp;", "&")).content.decode()
        numbers = set(re.findall(r'data-testid="queue-row" data-case="([^"]+)"', listed))
        assert len(numbers) == row.figures["filed"], (row.label, row.drill)
    total = client.get(table.total.drill).content.decode()
    assert len(re.findall(r'data-testid="queue-row"', total)) == table.total.figures["filed"]
    html = r.content.decode()
    assert 'data-testid="drill"' in html and 'data-testid="partial-month-note"' in html


def test_the_current_month_is_marked_as_so_far(client, world, ledger):
    client.force_login(world.leader)
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, tzinfo=SH), tick=False):
        r = client.get(reverse("cases_stats:index"), {**MARCH_GET, "group_by": "month"})
    labels = r.context["chart_data"]["trend"]["labels"]
    assert labels and ("so far" in labels[-1] or "截至目前" in labels[-1])


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_the_table_reads_at_1366_px_and_on_a_phone(
    transactional_db, browser, live_server, ledger, width
):
    from gongzhi.accounts.tests.factories import PASSWORD
    from gongzhi.testing.browser import login

    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.base_url = live_server.url
        login(page, "leader", PASSWORD)
        page.goto(live_server.url + stats_url(**MARCH_GET))
        page.wait_for_selector("[data-testid=stats-table]")
        # The page itself never scrolls sideways; the table does, inside its box.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        first = page.locator("[data-testid=stats-table] tbody th").first
        box = first.bounding_box()
        assert box and box["width"] >= 100  # a department's name is readable, not 2 characters
        # The group's name stays in view when the figures are scrolled.
        page.locator(".table-responsive").first.evaluate("el => el.scrollLeft = 400")
        after = first.bounding_box()
        assert after and after["x"] >= 0 and abs(after["x"] - box["x"]) < 2
    finally:
        context.close()

"""The pre-aggregates (gongzhi.dashboards.aggregates) stay equal to the cases through every
workflow transition, merge and import, and give the same tables as the direct computation
(gongzhi.cases.measures.measure_table); `manage.py cockpit verify` finds any difference."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import measures as cm
from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.dashboards import aggregates
from gongzhi.dashboards.models import CaseDay, CaseOpen

from .conftest import AS_OF


def _same(a: cm.Table, b: cm.Table) -> None:
    assert [(r.key, r.label) for r in a.rows] == [(r.key, r.label) for r in b.rows]
    for x, y in zip([*a.rows, a.total], [*b.rows, b.total], strict=True):
        for key in cm.FIGURES:
            assert x.figures[key] == pytest.approx(y.figures[key]), (x.label, key)


def _clean() -> None:
    result = aggregates.verify()
    assert result.differ == 0, result.examples
    assert result.checked > 0


PERIODS = [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 2, 10), dt.date(2026, 4, 20)),
]


@pytest.mark.parametrize("persona", ["leader", "secretary", "handler"])
@pytest.mark.parametrize("group_by", list(aggregates.GROUPS))
def test_the_aggregates_give_the_direct_tables(town, persona, group_by):
    aggregates.refresh_all()
    _clean()
    user = getattr(town.world, persona)
    for date_from, date_to in PERIODS:
        args = {"user": user, "group_by": group_by, "date_from": date_from, "date_to": date_to}
        _same(aggregates.table(**args, as_of=AS_OF), cm.measure_table(**args, as_of=AS_OF))
        for filters in (
            {"station": town.world.station_a.pk},
            {"channel": "hotline", "category": town.centre.garbage.group_id},
            {"residential_area": town.world.area_b.pk},
            {"grid": town.world.grids["a1"].pk},
            {"category": town.centre.manhole.pk},  # a sub-category, not a group
            {"category": town.centre.manhole.parent_id},
        ):
            _same(
                aggregates.table(**args, filters=filters, as_of=AS_OF),
                cm.measure_table(**args, filters=filters, as_of=AS_OF),
            )


def test_the_aggregates_follow_every_transition_merge_and_import(
    world, centre, django_capture_on_commit_callbacks
):
    w = world

    def committed(change, *args, **kw):
        """The change, then the worker's after-commit work (the figures), then the check."""
        with django_capture_on_commit_callbacks(execute=True):
            out = change(*args, **kw)
        _clean()
        return out

    assert not CaseDay.objects.exists()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=AS_OF.tzinfo), tick=True):
        cases = {}
        for state in (
            "filed",
            "dispatched",
            "accepted",
            "returned",
            "handled",
            "closed",
            "evaluated",
            "suspended",
            "escalated",
            "not_accepted",
            "received",
        ):
            with django_capture_on_commit_callbacks(execute=True):
                case = centre.intake(grid="a1" if len(cases) % 2 else "a2")
                # Not in the filing's transaction: the worker applies it after the commit.
                assert not CaseOpen.objects.filter(case_id=case.pk).exists()
                cases[state] = advance(case, state, centre)
            _clean()
        # Rework: verification fails, the department handles again.
        c = cases["handled"]
        committed(services.case_verify, actor=w.inspector, case=c, passed=False, note="未清理干净")
        c.refresh_from_db()
        committed(services.case_handle, actor=w.handler, case=c, result="再次清运")
        # Resume a suspended case; reopen a closed one; the district replies to an escalation.
        committed(services.case_resume, actor=w.duty_chief, case=cases["suspended"])
        committed(
            services.case_reopen, actor=w.duty_chief, case=cases["evaluated"], reason="居民不满意"
        )
        committed(
            services.case_district_reply,
            actor=w.duty_chief,
            case=cases["escalated"],
            result="区级已处理",
        )
        # A merge: the second report of the same problem goes into the first.
        master = cases["filed"]
        child = committed(centre.intake, grid="a1", description="同一处暴露垃圾")
        committed(
            services.case_merge, actor=w.operator, case=child, master=master.number, note="同一问题"
        )
        # An import of 12345 work orders: each delivered once, the repeat answered with the same.
        for ref in ("12345-0001", "12345-0002", "12345-0001"):
            committed(
                centre.intake,
                channel=Case.Channel.HOTLINE,
                type=Case.Type.COMPLAINT,
                category=centre.consult,
                external_ref=ref,
                description="热线工单",
            )
        # The worker runs an event late, or twice: the same rows.
        for case in cases.values():
            aggregates.apply_case(case.pk)
        _clean()
    assert CaseDay.objects.filter(filed__gt=0).exists()
    # And the tables agree with the direct ones.
    for group_by in ("total", "department", "channel", "month"):
        args = {
            "user": w.leader,
            "group_by": group_by,
            "date_from": dt.date(2026, 3, 1),
            "date_to": dt.date(2026, 3, 31),
        }
        _same(aggregates.table(**args, as_of=AS_OF), cm.measure_table(**args, as_of=AS_OF))


def test_verify_says_what_it_checked_and_fails_on_a_difference(town):
    out = StringIO()
    call_command("cockpit", "refresh", stdout=out)
    assert "Rebuilt" in out.getvalue()
    out = StringIO()
    call_command("cockpit", "verify", stdout=out)
    assert ": 0 differ" in out.getvalue()
    # A change that reached the database without an event (no workflow, no intake).
    Case.objects.filter(pk=town.cases[0].pk).update(
        channel="deputy" if town.cases[0].channel != "deputy" else "hotline"
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("cockpit", "verify", stdout=out)
    assert exit_.value.code == 1
    assert "differ" in out.getvalue() and ": 0 differ" not in out.getvalue()
    call_command("cockpit", "refresh", stdout=StringIO())
    _clean()


@pytest.mark.parametrize("persona", ["leader", "secretary", "handler"])
def test_several_groupings_at_once_read_only_the_pre_aggregates(town, persona):
    """aggregates.tables: the cockpit's four tables of a period in two queries on the
    pre-aggregates (none on the case table), each the same as the direct computation."""
    user = getattr(town.world, persona)
    groupings = ["total", "department", "grid", "category_group"]
    args = {"user": user, "date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 3, 31)}
    with CaptureQueriesContext(connection) as queries:
        tables = aggregates.tables(**args, group_bys=groupings, as_of=AS_OF)
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if "cases_case" in sql], read
    assert sum("dashboards_caseday" in sql or "dashboards_caseopen" in sql for sql in read) == 2
    for group_by in groupings:
        _same(tables[group_by], cm.measure_table(**args, group_by=group_by, as_of=AS_OF))
        assert (
            tables[group_by].received
            == cm.measure_table(**args, group_by=group_by, as_of=AS_OF).received
        )


@pytest.mark.parametrize("persona", ["leader", "secretary", "handler"])
def test_the_open_snapshot_counts_open_and_overdue_as_the_measures_do(town, persona):
    user = getattr(town.world, persona)
    filters = {"station": town.world.station_a.pk}
    for as_of in (AS_OF, dt.datetime(2026, 2, 1, tzinfo=AS_OF.tzinfo)):
        for f in ({}, filters):
            cases = cm.now_cases(user, f)
            got = aggregates.open_now(user=user, filters=f, as_of=as_of)
            assert got[None] == {
                "open": cases.filter(cm.open_cases()).count(),
                "overdue": cases.filter(cm.overdue(as_of)).count(),
            }
            by_grid = aggregates.open_now(user=user, filters=f, as_of=as_of, by="grid")
            for grid_id, counts in by_grid.items():
                in_grid = cases.filter(grid_id=grid_id)
                assert counts["overdue"] == in_grid.filter(cm.overdue(as_of)).count()
                assert counts["open"] == in_grid.filter(cm.open_cases()).count()
    # Only the open cases are in the snapshot: a few rows, not the table.
    assert CaseOpen.objects.count() == Case.objects.filter(cm.open_cases()).count()


def test_the_rebuild_is_set_based_on_both_engines(town):
    """refresh_all writes each table with one INSERT … SELECT (no row comes to Python), and
    gives what the case events give one case at a time."""
    with CaptureQueriesContext(connection) as queries:
        aggregates.refresh_all()
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 4, inserts  # daily rows, facts, snapshot, day stamps
    assert all("SELECT" in sql for sql in inserts)
    _clean()
    rebuilt = {r.case_id: r.counts for r in aggregates.CaseFact.objects.all()}
    # Each case's stored contribution is what the event listener computes for it now.
    for case in town.cases[:40]:
        assert aggregates.apply_case(case.pk) is False
    assert {r.case_id: r.counts for r in aggregates.CaseFact.objects.all()} == rebuilt
    _clean()


def test_previous_periods_in_one_query_equal_the_direct_totals(town):
    user = town.world.leader
    spans = [
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),  # nothing then: one row of zeros
        (dt.date(2026, 1, 10), dt.date(2026, 4, 30)),  # overlaps: computed one at a time
    ]
    for chosen in (spans[:2], spans, [spans[0], spans[0]]):
        got = aggregates.totals(user=user, spans=chosen, as_of=AS_OF)
        for (date_from, date_to), table in zip(chosen, got, strict=True):
            direct = cm.measure_table(
                user=user, group_by="total", date_from=date_from, date_to=date_to, as_of=AS_OF
            )
            _same(table, direct)
            assert (table.date_from, table.date_to) == (date_from, date_to)


@pytest.mark.parametrize("persona", ["leader", "secretary", "handler"])
def test_the_cockpit_reads_the_case_table_only_for_todays_intake(town, persona):
    from gongzhi.dashboards import periods, selectors

    user = getattr(town.world, persona)
    period = periods.month(dt.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        c = selectors.cockpit(user, period, {}, as_of=AS_OF)
    on_cases = [q["sql"] for q in queries.captured_queries if '"cases_case"' in q["sql"]]
    assert len(on_cases) == 1 and "today" in on_cases[0], on_cases
    # And the open and overdue counts it shows are the measures' own.
    cases = cm.now_cases(user, {})
    assert c.readings["cases.open"].value == cases.filter(cm.open_cases()).count()
    assert c.readings["cases.overdue"].value == cases.filter(cm.overdue(AS_OF)).count()
    received = cm.figure_cases(
        user=user,
        figure="received",
        date_from=period.date_from,
        date_to=period.date_to,
        as_of=AS_OF,
    ).count()
    assert c.readings["cases.received"].value == received

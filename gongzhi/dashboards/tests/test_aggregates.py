"""The pre-aggregates (gongzhi.dashboards.aggregates) stay equal to the cases through every
workflow transition, merge and import, and give the same tables as the direct computation
(gongzhi.cases.measures.measure_table); `manage.py cockpit verify` finds any difference."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.cases import measures as cm
from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.dashboards import aggregates
from gongzhi.dashboards.models import CaseDay

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
        ):
            _same(
                aggregates.table(**args, filters=filters, as_of=AS_OF),
                cm.measure_table(**args, filters=filters, as_of=AS_OF),
            )


# Committed for real: the listener runs after each change commits, as the worker would.
@pytest.mark.django_db(transaction=True)
def test_the_aggregates_follow_every_transition_merge_and_import(world, centre):
    w = world
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
            cases[state] = advance(
                centre.intake(grid="a1" if len(cases) % 2 else "a2"), state, centre
            )
            _clean()
        # Rework: verification fails, the department handles again.
        c = cases["handled"]
        services.case_verify(actor=w.inspector, case=c, passed=False, note="未清理干净")
        _clean()
        c.refresh_from_db()
        services.case_handle(actor=w.handler, case=c, result="再次清运")
        _clean()
        # Resume a suspended case; reopen a closed one; the district replies to an escalation.
        services.case_resume(actor=w.duty_chief, case=cases["suspended"])
        _clean()
        services.case_reopen(actor=w.duty_chief, case=cases["evaluated"], reason="居民不满意")
        _clean()
        services.case_district_reply(
            actor=w.duty_chief, case=cases["escalated"], result="区级已处理"
        )
        _clean()
        # A merge: the second report of the same problem goes into the first.
        master = cases["filed"]
        child = centre.intake(grid="a1", description="同一处暴露垃圾")
        _clean()
        services.case_merge(actor=w.operator, case=child, master=master.number, note="同一问题")
        _clean()
        # An import of 12345 work orders: each delivered once, the repeat answered with the same.
        for ref in ("12345-0001", "12345-0002", "12345-0001"):
            centre.intake(
                channel=Case.Channel.HOTLINE,
                type=Case.Type.COMPLAINT,
                category=centre.consult,
                external_ref=ref,
                description="热线工单",
            )
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

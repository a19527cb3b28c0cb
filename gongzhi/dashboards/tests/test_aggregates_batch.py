"""The pre-aggregates' batch form (gongzhi.dashboards.aggregates_batch) leaves the daily rows
and stored facts that the one-case listener leaves, for new cases from a bulk intake and for
cases that changed; a bulk intake leaves the worker one task for the batch, and once it has run
`manage.py cockpit verify` finds no difference."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gongzhi.cases import bulk, intake
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.dashboards import aggregates, aggregates_batch
from gongzhi.dashboards.models import CaseDay, CaseFact, CaseOpen

NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
TZ = timezone.get_default_timezone()


class Rollback(Exception):
    pass


def figures() -> tuple[Any, Any, Any]:
    days = sorted(
        (
            tuple(r.values())
            for r in CaseDay.objects.values("day", *aggregates.DIMENSIONS, *aggregates_batch.FIELDS)
        ),
        key=repr,
    )
    facts = sorted(
        (f.case_id, f.day, f.category_group_id, f.channel, sorted(f.counts.items()))
        for f in CaseFact.objects.all()
    )  # by case id
    open_now = sorted(
        tuple(r.values())
        for r in CaseOpen.objects.order_by("case_id").values(
            "case_id", "day", *aggregates.DIMENSIONS, *aggregates.CLOCKS.values()
        )
    )
    return days, facts, open_now


def reports(centre: Any) -> list[intake.Checked]:
    out = []
    for i in range(24):
        lat, lng = centre.point_in(["a1", "a2", "b1", "b2"][i % 4])
        out.append(
            intake.check(
                actor=centre.world.operator,
                channel=[Case.Channel.HOTLINE, Case.Channel.INSPECTOR][i % 2],
                type=Case.Type.EVENT,
                category=[centre.garbage, centre.manhole, centre.consult][i % 3],
                description=f"第{i}号：暴露垃圾",
                lat=lat,
                lng=lng,
                external_ref=f"D-{i}" if i % 2 == 0 else "",
                received_at=dt.datetime(2026, 3, 1 + i % 5, 8 + i % 12, tzinfo=TZ),
            )
        )
    return out


@time_machine.travel(NOW, tick=False)
def test_a_bulk_intake_leaves_the_figures_case_intake_leaves(
    world, centre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # a day with a row already
        centre.intake(received_at=dt.datetime(2026, 3, 2, 9, tzinfo=TZ))
    rows = reports(centre)
    try:
        with transaction.atomic():
            for c in rows:
                from gongzhi.cases.services import case_intake

                case_intake(actor=world.operator, checked=c, find_duplicates=False)
                aggregates.apply_case(Case.objects.latest("pk").pk)  # as the worker would
            one = figures()
            raise Rollback
    except Rollback:
        pass
    before = figures()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        bulk.case_intake_many(actor=world.operator, checked=rows)
        assert figures() == before  # nothing in the import's transaction: the worker's
    assert len(queued) == 1  # one task for the batch, not one per case
    days, facts, open_now = figures()
    assert days == one[0]
    assert [o[1:] for o in open_now] == [o[1:] for o in one[2]] and open_now
    assert [f[1:] for f in facts] == [f[1:] for f in one[1]]
    assert len(facts) == 25 and len(days) > 5
    out = StringIO()
    call_command("cockpit", "verify", stdout=out)
    assert aggregates.verify().differ == 0, out.getvalue()


def test_changed_cases_move_between_rows_as_apply_case_moves_them(
    world, centre, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), tick=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cases = [advance(centre.intake(grid="a1"), s, centre) for s in ("received", "closed")]
        cases += [centre.intake(grid="b2") for _ in range(3)]
    ids = [c.pk for c in cases]
    # Changed behind the listener's back (as a bulk update would): category, day, channel,
    # department.
    Case.objects.filter(pk=ids[0]).update(category=centre.manhole)
    Case.objects.filter(pk=ids[1]).update(received_at=dt.datetime(2026, 2, 27, 9, tzinfo=TZ))
    Case.objects.filter(pk=ids[2]).update(channel=Case.Channel.HOTLINE)
    Case.objects.filter(pk=ids[3]).update(department=world.orgs["fangguan"])
    assert aggregates.verify().differ > 0
    try:
        with transaction.atomic():
            for pk in ids:
                aggregates.apply_case(pk)
            one = figures()
            raise Rollback
    except Rollback:
        pass
    assert aggregates_batch.apply_cases(ids) == 4  # the fifth did not change
    assert figures() == one
    assert aggregates.verify().differ == 0

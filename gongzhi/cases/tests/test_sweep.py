from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.cases import services, sweep
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.models import Task


def overdue_case(centre, **kw):
    case = advance(centre.intake(**kw), "accepted", centre)
    Case.objects.filter(pk=case.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1),
        handle_due_at=timezone.now() - dt.timedelta(hours=1),
    )
    return case


def test_an_overdue_case_is_flagged_supervised_and_notified_once(centre):
    case = overdue_case(centre)
    first = sweep.sweep()
    second = sweep.sweep()
    assert first.overdue == [case.pk] and second.overdue == []
    case.refresh_from_db()
    assert case.supervision_level == 1 and case.overdue_for_due == case.due_at
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1
    assert Task.objects.filter(name="cases.notify_sweep").count() <= 1


def test_a_new_deadline_can_be_flagged_again(centre):
    case = overdue_case(centre)
    sweep.sweep()
    req = services.extension_request(
        actor=centre.world.handler, case=case, amount=1, unit="working_days", reason="等待材料"
    )
    services.extension_decide(actor=centre.world.duty_chief, request=req, approve=True)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep.sweep().overdue == [case.pk]
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 2


def test_cases_about_to_be_overdue_are_warned(centre):
    case = advance(centre.intake(), "accepted", centre)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() + dt.timedelta(hours=1))
    result = sweep.sweep()
    assert result.warned == [case.pk] and result.overdue == []
    assert sweep.sweep().warned == []


def test_suspended_and_finished_cases_are_left_alone(centre):
    suspended = advance(centre.intake(), "suspended", centre)
    evaluated = advance(centre.intake(description="二"), "evaluated", centre)
    Case.objects.filter(pk__in=[suspended.pk, evaluated.pk]).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    assert sweep.sweep().overdue == []


def test_an_unacknowledged_emergency_is_escalated_once(centre):
    case = centre.intake(urgency=Case.Urgency.URGENT)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(minutes=10))
    assert sweep.sweep().emergencies == [case.pk]
    assert sweep.sweep().emergencies == []
    acknowledged = centre.intake(urgency=Case.Urgency.URGENT, description="二")
    services.case_acknowledge(actor=centre.world.duty_chief, case=acknowledged)
    Case.objects.filter(pk=acknowledged.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert sweep.sweep().emergencies == []


def test_the_sweep_command_prints_what_it_did(centre):
    from io import StringIO

    from django.core.management import call_command

    overdue_case(centre)
    out = StringIO()
    call_command("sweep_cases", stdout=out)
    assert "overdue: 1" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_flag_each_case_once(centre):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between concurrent sweeps are checked on PostgreSQL")
    ids = [overdue_case(centre, description=f"问题{i}").pk for i in range(30)]
    results: list[list[int]] = []
    barrier = threading.Barrier(3)

    def run():
        try:
            barrier.wait()
            results.append(sweep.sweep().overdue)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flagged = sorted(pk for r in results for pk in r)
    assert flagged == sorted(ids)
    assert CaseEvent.objects.filter(action="overdue").count() == 30

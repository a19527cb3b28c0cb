from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from gongzhi.core import tasks
from gongzhi.core.models import Schedule, Task

CALLS: list[dict] = []


@tasks.task("tests.record", max_attempts=2)
def record(**kwargs):
    tasks.progress(1, 2, "halfway")
    CALLS.append(kwargs)
    return {"ok": True}


@tasks.task("tests.fail", max_attempts=2)
def fail(**kwargs):
    raise RuntimeError("receiver down")


@tasks.task("tests.tick", periodic_seconds=60)
def tick():
    CALLS.append({"tick": True})


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


@override_settings(TASKS_BACKEND="database")
def test_database_queue_runs_a_task_once_and_records_the_result(db):
    row = tasks.enqueue("tests.record", n=1)
    assert row.status == Task.Status.QUEUED
    assert tasks.work(once=True) >= 1
    row.refresh_from_db()
    assert row.status == Task.Status.DONE and row.result == {"ok": True} and row.progress == 100
    assert [c for c in CALLS if "n" in c] == [{"n": 1}]
    tasks.work(once=True)
    assert [c for c in CALLS if "n" in c] == [{"n": 1}]  # not run twice


@override_settings(TASKS_BACKEND="database")
def test_a_task_is_queued_only_if_the_transaction_commits(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue("tests.record", n=2)
        raise RuntimeError("the business change failed")
    assert not Task.objects.filter(name="tests.record").exists()


@override_settings(TASKS_BACKEND="database")
def test_two_workers_never_claim_the_same_task(db):
    tasks.enqueue("tests.record", n=3)
    first = tasks.claim_next("worker-a")
    second = tasks.claim_next("worker-b")
    assert first is not None and second is None


@override_settings(TASKS_BACKEND="database")
def test_failures_are_retried_with_backoff_then_marked_failed(db):
    row = tasks.enqueue("tests.fail")
    tasks.work(once=True)
    row.refresh_from_db()
    assert row.status == Task.Status.QUEUED and row.attempts == 1
    assert row.run_after > timezone.now() + dt.timedelta(seconds=20)
    assert "receiver down" in row.last_error
    Task.objects.filter(pk=row.pk).update(run_after=timezone.now())
    tasks.work(once=True)
    row.refresh_from_db()
    assert row.status == Task.Status.FAILED and row.attempts == 2


@override_settings(TASKS_BACKEND="database")
def test_periodic_tasks_are_queued_once_per_period_whatever_the_number_of_workers(db):
    now = timezone.now()
    assert "tests.tick" in tasks.enqueue_due_periodic(now)
    assert "tests.tick" not in tasks.enqueue_due_periodic(now)  # a second worker, same moment
    assert Task.objects.filter(name="tests.tick").count() == 1
    later = now + dt.timedelta(seconds=61)
    assert "tests.tick" in tasks.enqueue_due_periodic(later)
    assert Schedule.objects.get(name="tests.tick").last_enqueued_at == later


def test_immediate_backend_runs_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue("tests.record", n=4)
        assert CALLS == []
    assert CALLS == [{"n": 4}]


def test_unknown_task_names_are_refused(db):
    with pytest.raises(KeyError):
        tasks.enqueue("tests.nope")


@override_settings(TASKS_BACKEND="database", TASKS_LEASE_SECONDS=60, TASKS_MAX_LOST=2)
def test_a_task_whose_worker_stopped_renewing_its_lease_is_taken_over_then_given_up(db):
    row = tasks.enqueue("tests.record", n=7)
    assert tasks.claim_next("host:1").pk == row.pk
    # Its worker is alive (heartbeat now): nobody else takes it.
    assert tasks.claim_next("host:2") is None
    # The worker was killed: no heartbeat for longer than the lease.
    old = timezone.now() - dt.timedelta(seconds=61)
    Task.objects.filter(pk=row.pk).update(heartbeat_at=old)
    taken = tasks.claim_next("host:2")
    assert taken.pk == row.pk and taken.locked_by == "host:2" and taken.lost_count == 1
    assert "host:1" in taken.last_error
    assert tasks.heartbeat(taken, "host:2") and not tasks.heartbeat(taken, "host:1")
    Task.objects.filter(pk=row.pk).update(heartbeat_at=old)
    assert tasks.claim_next("host:3").lost_count == 2
    # A task that lost its worker more than TASKS_MAX_LOST times is not taken again.
    Task.objects.filter(pk=row.pk).update(heartbeat_at=old)
    assert tasks.claim_next("host:4") is None
    row.refresh_from_db()
    assert row.status == Task.Status.FAILED and row.lost_count == 3 and row.finished_at

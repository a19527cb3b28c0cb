"""Domain events: listeners in the publisher's transaction write with the change or not at all;
listeners after the commit run from an outbox task, are retried one by one, and survive a crash
between the commit and the delivery. A new listener is added from its own module, without
touching the publisher (here: a case filed through the real service)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core import events, tasks
from gongzhi.core.models import Task
from gongzhi.org.models import Organisation

heard: list[tuple[str, str]] = []
failures: dict[str, int] = {}


def _record(tag: str, event: events.Event) -> None:
    if failures.get(tag, 0) > 0:
        failures[tag] -= 1
        raise RuntimeError(f"{tag} is down")
    heard.append((tag, event.name))


def now_listener(event: events.Event) -> None:
    # An outbox row of this listener's own, written with the change.
    Organisation.objects.create(name=f"written by {event.name}", kind=Organisation.Kind.OFFICE)
    _record("now", event)


def later_a(event: events.Event) -> None:
    _record("a", event)


def later_b(event: events.Event) -> None:
    _record("b", event)


@pytest.fixture
def listeners():
    heard.clear()
    failures.clear()
    events.subscribe("test.*")(now_listener)
    events.subscribe("test.*", after_commit=True)(later_a)
    events.subscribe("test.*", after_commit=True, when=lambda e: e.get("b", True))(later_b)
    yield
    for fn in (now_listener, later_a, later_b):
        events.unsubscribe(fn)


@pytest.fixture
def queued(settings):
    """The production backend: tasks are rows, run by the worker (here: tasks.work(once=True))."""
    settings.TASKS_BACKEND = "database"


def _run_worker() -> int:
    Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
    return tasks.work(once=True)


def test_the_in_transaction_listener_writes_with_the_change(db, listeners, queued):
    with transaction.atomic():
        events.publish("test.happened", thing=1)
        assert ("now", "test.happened") in heard
    assert Organisation.objects.filter(name="written by test.happened").exists()


def test_nothing_is_written_or_queued_when_the_change_rolls_back(db, listeners, queued):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("test.happened")
        raise RuntimeError("the change failed")
    assert not Organisation.objects.filter(name="written by test.happened").exists()
    assert not Task.objects.filter(name=events.DELIVER_TASK).exists()


def test_after_commit_listeners_wait_for_the_worker_and_survive_a_crash(db, listeners, queued):
    with transaction.atomic():
        events.publish("test.happened")
    # The process died right after the commit: nothing ran after it, but the outbox row is there.
    row = Task.objects.get(name=events.DELIVER_TASK)
    assert row.kwargs["event"]["name"] == "test.happened"
    assert [t for t, _ in heard] == ["now"]
    _run_worker()  # (it also runs the periodic tasks that are due)
    assert sorted(t for t, _ in heard) == ["a", "b", "now"]
    row.refresh_from_db()
    assert row.status == Task.Status.DONE


def test_a_failing_listener_is_retried_alone(db, listeners, queued):
    failures["a"] = 1
    with transaction.atomic():
        events.publish("test.happened")
    _run_worker()
    row = Task.objects.get(name=events.DELIVER_TASK)
    assert row.status == Task.Status.QUEUED and row.attempts == 1
    assert row.kwargs["done"] == [k for k in row.kwargs["listeners"] if "later_b" in k]
    _run_worker()
    row.refresh_from_db()
    assert row.status == Task.Status.DONE
    assert sorted(t for t, _ in heard) == ["a", "b", "now"]  # b once, not twice


def test_a_failing_in_transaction_listener_does_not_stop_the_change(db, listeners, queued):
    failures["now"] = 1
    with transaction.atomic():
        events.publish("test.happened")
    # Its own writes were rolled back with its savepoint, the event queued for it again.
    assert not Organisation.objects.filter(name="written by test.happened").exists()
    row = Task.objects.get(name=events.DELIVER_TASK)
    assert any("now_listener" in k for k in row.kwargs["listeners"])
    _run_worker()
    assert Organisation.objects.filter(name="written by test.happened").exists()


def test_when_says_no_and_nothing_is_queued_for_that_listener(db, listeners, queued):
    with transaction.atomic():
        events.publish("test.happened", b=False)
    keys = Task.objects.get(name=events.DELIVER_TASK).kwargs["listeners"]
    assert not any("later_b" in k for k in keys) and any("later_a" in k for k in keys)


def test_an_event_nobody_listens_to_writes_no_task(db, queued):
    with transaction.atomic():
        events.publish("test.nobody_listens")
    assert not Task.objects.exists()


def test_a_new_listener_hears_a_case_filed_without_touching_cases(
    world, django_capture_on_commit_callbacks
):
    centre = make_centre(world)
    got: list[events.Event] = []

    @events.subscribe("case.filed", after_commit=True)
    def on_filed(event: events.Event) -> None:
        got.append(event)

    try:
        case = centre.intake()
        with django_capture_on_commit_callbacks(execute=True):
            services.case_file(actor=centre.world.operator, case=case)
    finally:
        events.unsubscribe(on_filed)
    assert [(e.name, e["case_id"], e["action"], e["to_state"]) for e in got] == [
        ("case.filed", case.pk, "file", "filed")
    ]
    assert got[0].actor_id == centre.world.operator.pk


def test_a_new_cases_outbox_row_is_written_with_the_case(world, settings):
    """The intake's hot path: on PostgreSQL the event's outbox row is written by the statement
    that files the case (no INSERT of its own), with the case's and its timeline row's ids; the
    worker then delivers it as any other."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases.models import CaseEvent
    from gongzhi.dashboards.models import CaseFact

    settings.TASKS_BACKEND = "database"
    centre = make_centre(world)
    with CaptureQueriesContext(connection) as queries:
        case = centre.intake()
    row = Task.objects.get(name=events.DELIVER_TASK)
    data = row.kwargs["event"]["data"]
    receive = CaseEvent.objects.get(case=case, action="receive")
    assert (data["case_id"], data["event_id"]) == (case.pk, receive.pk)
    assert row.kwargs["event"]["name"] == "case.received"
    assert "dashboards.case_day@case.*" in row.kwargs["listeners"]
    own = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "core_task"')]
    assert len(own) == (0 if connection.vendor == "postgresql" else 1)
    assert not CaseFact.objects.filter(case_id=case.pk).exists()
    _run_worker()
    row.refresh_from_db()
    assert row.status == Task.Status.DONE
    assert CaseFact.objects.filter(case_id=case.pk).exists()


def test_a_prepared_event_goes_out_through_the_row_its_publisher_wrote(db, listeners, queued):
    from gongzhi.core import rows

    with transaction.atomic():
        prepared = events.prepare("test.happened", thing=None)  # the id is not known yet
        assert len(prepared.later) == 2 and prepared.row is not None
        # The publisher's own statement writes the row, with the data it makes.
        prepared.row.kwargs["event"]["data"]["thing"] = 7
        rows.insert(prepared.row)
        prepared.written = True
        event = events.publish_prepared(prepared, thing=7)
        assert [t for t, _ in heard] == ["now"]  # in the transaction, with the whole data
    assert event["thing"] == 7 and Task.objects.count() == 1
    _run_worker()
    assert sorted(t for t, _ in heard) == ["a", "b", "now"]


def test_a_prepared_event_whose_row_was_not_written_is_queued_as_publish_would(
    db, listeners, queued
):
    with transaction.atomic():
        prepared = events.prepare("test.happened", thing=None)
        events.publish_prepared(prepared, thing=7, b=False)
    row = Task.objects.get(name=events.DELIVER_TASK)
    assert row.kwargs["event"]["data"] == {"thing": 7, "b": False}
    assert [k for k in row.kwargs["listeners"] if "later" in k] == [
        k for k in prepared.later if "later_a" in k
    ]

"""Many events at once (`events.publish_many`, for bulk imports): a listener with a batch form
gets the batch in one call, one without gets the events one by one; whatever is left for after
the commit is one queued task for the whole batch, whose worker gives an after-commit listener
with a batch form the batch in one call; a batch form that fails is undone and replaced by the
events one by one, and a retry runs only the listeners and events that failed, so no event is
lost and none is delivered twice."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from gongzhi.core import events, tasks
from gongzhi.core.models import Task
from gongzhi.org.models import Organisation

pytestmark = pytest.mark.django_db

calls: list[tuple[str, list[int]]] = []
broken = {"batch": False, "in_transaction": True}


def one(event: events.Event) -> None:
    Organisation.objects.create(name=f"one {event['n']}", kind=Organisation.Kind.OFFICE)
    calls.append(("one", [event["n"]]))


def plain(event: events.Event) -> None:
    calls.append(("plain", [event["n"]]))


def later(event: events.Event) -> None:
    calls.append(("later", [event["n"]]))


def many(evs: list[events.Event]) -> None:
    for e in evs:
        Organisation.objects.create(name=f"many {e['n']}", kind=Organisation.Kind.OFFICE)
    if broken["batch"]:
        raise RuntimeError("the batch form is down")
    calls.append(("many", [e["n"] for e in evs]))


@pytest.fixture
def listening():
    calls.clear()
    broken["batch"] = False
    events.subscribe("test.thing", key="tests.one", when=lambda e: e["n"] != 2)(one)
    events.subscribe("test.thing", key="tests.plain")(plain)
    events.subscribe("test.thing", key="tests.later", after_commit=True)(later)
    events.subscribe_batch("tests.one@test.thing")(many)
    yield
    for handler in (one, plain, later):
        events.unsubscribe(handler)
    events._batch_forms.pop("tests.one@test.thing", None)


@override_settings(TASKS_BACKEND="database")
def test_a_batch_form_gets_the_events_it_wants_at_once_the_others_one_by_one(listening):
    evs = events.publish_many("test.thing", [{"n": 1}, {"n": 2}, {"n": 3}])
    assert [e["n"] for e in evs] == [1, 2, 3]
    assert ("many", [1, 3]) in calls  # the event it does not want is not in its batch
    assert not [c for c in calls if c[0] == "one"]
    assert [c for c in calls if c[0] == "plain"] == [("plain", [1]), ("plain", [2]), ("plain", [3])]
    # One task for the batch, not one per event.
    assert not Task.objects.filter(name=events.DELIVER_TASK).exists()
    queued = Task.objects.get(name=events.DELIVER_MANY_TASK)
    assert [d["n"] for d in queued.kwargs["items"]] == [1, 2, 3]
    assert queued.kwargs["listeners"] == {"tests.later@test.thing": [0, 1, 2]}


@override_settings(TASKS_BACKEND="database")
def test_a_failing_batch_form_is_undone_and_the_listener_gets_the_events_one_by_one(listening):
    broken["batch"] = True
    events.publish_many("test.thing", [{"n": 1}, {"n": 3}])
    assert [c for c in calls if c[0] in ("one", "many")] == [("one", [1]), ("one", [3])]
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {"one 1", "one 3"} <= names and not {"many 1", "many 3"} & names


def test_without_a_batch_form_publish_many_is_publish_for_each(listening):
    events._batch_forms.pop("tests.one@test.thing")
    events.publish_many("test.thing", [{"n": 1}, {"n": 3}])
    assert [c for c in calls if c[0] == "one"] == [("one", [1]), ("one", [3])]


# --- after the commit: one task per batch -----------------------------------------------------

later_failures: dict[int, int] = {}  # event number → times it still fails


def later_one(event: events.Event) -> None:
    if later_failures.get(event["n"], 0) > 0:
        later_failures[event["n"]] -= 1
        raise RuntimeError(f"{event['n']} fails")
    Organisation.objects.create(name=f"later {event['n']}", kind=Organisation.Kind.OFFICE)
    calls.append(("later_one", [event["n"]]))


def later_many(evs: list[events.Event]) -> None:
    for e in evs:
        Organisation.objects.create(name=f"later many {e['n']}", kind=Organisation.Kind.OFFICE)
    if broken["batch"]:
        raise RuntimeError("the batch form is down")
    calls.append(("later_many", [e["n"] for e in evs]))


@pytest.fixture
def after_commit(settings):
    """An after-commit listener with a batch form, and the production backend (task rows, run
    by the worker: here tasks.work(once=True))."""
    settings.TASKS_BACKEND = "database"
    calls.clear()
    later_failures.clear()
    broken.update(batch=False, in_transaction=True)
    events.subscribe("test.batch", key="tests.later_one", after_commit=True)(later_one)
    events.subscribe("test.batch", key="tests.failing", when=lambda e: e["n"] == 2)(failing)
    events.subscribe_batch("tests.later_one@test.batch")(later_many)
    yield
    for handler in (later_one, failing):
        events.unsubscribe(handler)
    events._batch_forms.pop("tests.later_one@test.batch", None)


def failing(event: events.Event) -> None:
    if broken["in_transaction"]:
        raise RuntimeError("down in the transaction")
    calls.append(("failing", [event["n"]]))


def _run_worker() -> int:
    Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
    return tasks.work(once=True)


def _names() -> set[str]:
    return set(Organisation.objects.values_list("name", flat=True))


def test_after_the_commit_a_batch_form_gets_the_whole_batch_from_one_task(after_commit):
    with transaction.atomic():
        events.publish_many("test.batch", [{"n": n} for n in (1, 2, 3)])
    assert calls == []  # nothing after the commit has run yet: the outbox row is there
    row = Task.objects.get(name=events.DELIVER_MANY_TASK)
    # The in-transaction listener that failed on event 2 is in the same task.
    assert row.kwargs["listeners"] == {
        "tests.later_one@test.batch": [0, 1, 2],
        "tests.failing@test.batch": [1],
    }
    broken["in_transaction"] = False
    _run_worker()
    row.refresh_from_db()
    assert row.status == Task.Status.DONE
    assert sorted(calls) == [("failing", [2]), ("later_many", [1, 2, 3])]
    assert {"later many 1", "later many 2", "later many 3"} <= _names()


def test_a_failing_batch_form_after_the_commit_is_undone_and_retried_event_by_event(
    after_commit,
):
    broken["batch"] = True
    broken["in_transaction"] = False
    later_failures[3] = 1  # event 3 fails once more, one by one
    with transaction.atomic():
        events.publish_many("test.batch", [{"n": n} for n in (1, 2, 3)])
    _run_worker()
    row = Task.objects.get(name=events.DELIVER_MANY_TASK)
    assert row.status == Task.Status.QUEUED and row.attempts == 1
    # What succeeded is off the task: only event 3 of the one listener is left.
    assert row.kwargs["listeners"] == {"tests.later_one@test.batch": [2]}
    names = _names()
    assert {"later 1", "later 2"} <= names and not {n for n in names if "many" in n}
    _run_worker()
    row.refresh_from_db()
    assert row.status == Task.Status.DONE
    assert sorted(c for c in calls if c[0] == "later_one") == [
        ("later_one", [1]),
        ("later_one", [2]),
        ("later_one", [3]),
    ]  # each once


def test_a_batch_nobody_needs_after_the_commit_writes_no_task(after_commit):
    events.unsubscribe(later_one)
    with transaction.atomic():
        events.publish_many("test.batch", [{"n": 1}, {"n": 3}])
    assert not Task.objects.exists()

"""Many events at once (`events.publish_many`, for bulk imports): a listener with a batch form
gets the batch in one call, one without gets the events one by one, an after-commit listener gets
one queued delivery per event, and a batch form that fails is undone and replaced by the events
one by one, so no event is lost."""

from __future__ import annotations

import pytest
from django.test import override_settings

from gongzhi.core import events
from gongzhi.core.models import Task
from gongzhi.org.models import Organisation

pytestmark = pytest.mark.django_db

calls: list[tuple[str, list[int]]] = []
broken = {"batch": False}


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
    queued = Task.objects.filter(name=events.DELIVER_TASK).order_by("id")
    assert [t.kwargs["event"]["data"]["n"] for t in queued] == [1, 2, 3]
    assert all(t.kwargs["listeners"] == ["tests.later@test.thing"] for t in queued)


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

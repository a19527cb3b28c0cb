"""Domain events: a domain says what happened; whoever cares subscribes from its own app.

    from gongzhi.core import events

    events.publish("case.dispatched", case_id=case.pk, event_id=row.pk)   # inside the change

    @events.subscribe("case.dispatched")                 # in the publisher's transaction
    def queue_webhooks(event: events.Event) -> None: ...

    @events.subscribe("case.*", after_commit=True)        # by the worker, after the commit
    def send_notices(event: events.Event) -> None: ...

The publisher imports none of its listeners: webhooks, duty paging, notices and later the
cockpit's pre-aggregates subscribe from their own apps (in their AppConfig.ready()), so a lower
layer learns nothing of the layers above it.

Two kinds of listener, and nothing is lost by either:

- **In the transaction** (the default): called by `publish()` inside the publisher's
  transaction, in a savepoint. Such a listener only writes rows — an outbox of its own, such as
  the webhook deliveries, which commit or roll back with the change. If it raises, its writes
  are rolled back, the error is logged, and the event is queued for it again as below: a bug in
  a listener never stops the change and never drops the event.
- **After the commit** (`after_commit=True`): `publish()` writes one background task for the
  event in the same transaction (the `core.Task` table is the outbox: the task exists if and
  only if the change committed). The worker runs the listeners after the commit; one that fails
  is retried with the task runner's backoff while those that succeeded are not run again. A
  crash between the commit and the delivery loses nothing: the task row is still queued.

A listener may pass `when=` a cheap test of the event's data (no queries): when it says no, the
listener is skipped and, for after-commit listeners, no task is written at all.

Many events at once (`publish_many`, bulk imports): a listener may register a batch form of
itself (`subscribe_batch`), called once with all the events of the batch it wants; and
everything the batch leaves for after the commit is one task, not one per event.

Payloads are JSON-safe dicts (ids, codes, short texts): the worker reads what it needs from the
database, so an event never carries a stale copy of a row.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import tasks

log = logging.getLogger("gongzhi.events")

DELIVER_TASK = "core.deliver_event"
DELIVER_MANY_TASK = "core.deliver_events"  # one task for a batch (publish_many)


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any]
    at: dt.datetime
    actor_id: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "data": self.data,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Event:
        return cls(
            name=value["name"],
            data=dict(value.get("data") or {}),
            at=dt.datetime.fromisoformat(value["at"]),
            actor_id=value.get("actor_id"),
        )


Handler = Callable[[Event], Any]


@dataclass(frozen=True)
class Listener:
    key: str  # "module.function": how a queued delivery names it
    pattern: str  # an event name, or a shell pattern such as "case.*"
    handler: Handler
    after_commit: bool = False
    when: Callable[[Event], bool] | None = field(default=None, compare=False)

    def wants(self, event: Event) -> bool:
        if not fnmatch.fnmatchcase(event.name, self.pattern):
            return False
        return self.when is None or bool(self.when(event))


_listeners: dict[str, Listener] = {}


def subscribe(
    pattern: str,
    *,
    after_commit: bool = False,
    when: Callable[[Event], bool] | None = None,
    key: str = "",
) -> Callable[[Handler], Handler]:
    """Register the decorated function for events named `pattern` (see the module's text)."""

    def wrap(handler: Handler) -> Handler:
        name = key or f"{handler.__module__}.{handler.__qualname__}"
        _by_name.clear()
        _listeners[f"{name}@{pattern}"] = Listener(
            key=f"{name}@{pattern}",
            pattern=pattern,
            handler=handler,
            after_commit=after_commit,
            when=when,
        )
        return handler

    return wrap


def unsubscribe(handler: Handler) -> None:
    """Remove every subscription of `handler` (tests that add a listener of their own)."""
    for key, listener in list(_listeners.items()):
        if listener.handler is handler:
            del _listeners[key]
            _by_name.clear()


_by_name: dict[str, list[Listener]] = {}  # event name → the listeners whose pattern matches


def listeners_for(event: Event, *, after_commit: bool | None = None) -> list[Listener]:
    """The listeners that want the event (`after_commit`: only those that run after the commit,
    True, or in the transaction, False; each `when` is asked only of those)."""
    matching = _by_name.get(event.name)
    if matching is None:
        matching = _by_name[event.name] = [
            lst for lst in _listeners.values() if fnmatch.fnmatchcase(event.name, lst.pattern)
        ]
    return [
        lst
        for lst in matching
        if (after_commit is None or lst.after_commit == after_commit)
        and (lst.when is None or lst.when(event))
    ]


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def _run(listener: Listener, event: Event) -> bool:
    """An in-transaction listener on one event, in a savepoint; False (logged) when it failed."""
    try:
        with transaction.atomic():
            listener.handler(event)
    except Exception:
        log.exception("listener %s failed on %s; queued to try again", listener.key, event.name)
        return False
    return True


def publish(name: str, *, actor: Any = None, at: dt.datetime | None = None, **data: Any) -> Event:
    """Say that `name` happened, inside the transaction that made it happen."""
    event = Event(name=name, data=data, at=at or timezone.now(), actor_id=_actor_id(actor))
    later = [
        listener.key
        for listener in listeners_for(event)
        if listener.after_commit or not _run(listener, event)
    ]
    if later:
        tasks.enqueue(DELIVER_TASK, event=event.as_json(), listeners=later)
    return event


# --- The outbox row in the publisher's own statement (the hot path) ---------------------------


@dataclass
class Prepared:
    """An event about to happen whose outbox row the publisher writes in its own statement
    (`prepare`, then `publish_prepared`)."""

    name: str
    at: dt.datetime
    actor_id: int | None
    later: list[str]  # the after-commit listeners that want it
    row: Any  # the core.Task row to write (None: nothing to write, or no row with this backend)
    written: bool = False

    def kwargs_sql(self, refs: dict[str, str]) -> tuple[str, list[Any]]:
        """The SQL of the row's arguments (jsonb, PostgreSQL) with the event's data keys in
        `refs` set from the statement (key → an SQL expression such as "c.id"), and its
        parameters. Only the publisher's own expressions go into the text; values are
        parameters."""
        field = self.row._meta.get_field("kwargs")
        sql = "%s"
        params: list[Any] = [field.get_db_prep_save(self.row.kwargs, connection)]
        for key, expression in refs.items():
            sql = f"jsonb_set({sql}, %s, to_jsonb({expression}))"
            params.append(["event", "data", key])
        return sql, params


def prepare(
    name: str, *, actor: Any = None, at: dt.datetime | None = None, **data: Any
) -> Prepared:
    """For a publisher that writes the event's outbox row in the statement that makes the change
    (one round trip less on the hot path): which after-commit listeners want the event — their
    `when` sees `data` as given, where the ids the statement makes are still None, so a `when`
    must not depend on those — and the row to write, whose data the statement completes
    (`Prepared.kwargs_sql`). Then `publish_prepared` once the row is written (or not)."""
    event = Event(name=name, data=data, at=at or timezone.now(), actor_id=_actor_id(actor))
    later = [lst.key for lst in listeners_for(event, after_commit=True)]
    row = tasks.outbox_row(DELIVER_TASK, event=event.as_json(), listeners=later) if later else None
    return Prepared(name=name, at=event.at, actor_id=event.actor_id, later=later, row=row)


def publish_prepared(prepared: Prepared, **data: Any) -> Event:
    """`publish` for a prepared event, with its complete data: the in-transaction listeners run
    now; the after-commit ones are in the row the publisher wrote (`prepared.written`), or are
    queued now as `publish` queues them when it did not write one."""
    event = Event(name=prepared.name, data=data, at=prepared.at, actor_id=prepared.actor_id)
    if prepared.written:
        tasks.written(prepared.row)
    # The after-commit listeners are in the written row (their `when` was asked by `prepare`).
    later = [] if prepared.written else [lst.key for lst in listeners_for(event, after_commit=True)]
    for listener in listeners_for(event, after_commit=False):
        if not _run(listener, event):
            later.append(listener.key)
    if later:
        tasks.enqueue(DELIVER_TASK, event=event.as_json(), listeners=later)
    return event


# --- Many events at once (bulk imports) ---------------------------------------------------------

BatchHandler = Callable[[list[Event]], Any]
_batch_forms: dict[str, BatchHandler] = {}


def subscribe_batch(key: str) -> Callable[[BatchHandler], BatchHandler]:
    """Give the listener `key` ("module.function@pattern", as `subscribe` named it) a form that
    takes many events at once: for the events of one `publish_many` it is called once with those
    the listener wants, instead of once per event — in the transaction for an in-transaction
    listener, by the worker (from the batch's one task) for an after-commit one. It must leave
    the same rows as the listener would one event at a time."""

    def wrap(handler: BatchHandler) -> BatchHandler:
        _batch_forms[key] = handler
        return handler

    return wrap


def publish_many(
    name: str, items: list[dict[str, Any]], *, actor: Any = None, at: dt.datetime | None = None
) -> list[Event]:
    """Say that `name` happened once per item (each item is an event's data), inside the
    transaction that made it happen: what `publish` does for each, with the listeners that have
    a batch form (`subscribe_batch`) called once for all the events they want. An in-transaction
    listener without one gets the events one by one; a batch form that fails is rolled back and
    the listener gets the events one by one instead. Everything left for after the commit (the
    after-commit listeners, and in-transaction ones that failed) is ONE queued task for the
    whole batch, whose worker calls each listener's batch form, if it has one, once."""
    when = at or timezone.now()
    actor_id = _actor_id(actor)
    evs = [Event(name=name, data=data, at=when, actor_id=actor_id) for data in items]
    later: dict[str, list[int]] = {}  # listener key → the events it is still to get
    batches: dict[str, tuple[Listener, list[int]]] = {}
    for i, event in enumerate(evs):
        for listener in listeners_for(event):
            if listener.after_commit:
                later.setdefault(listener.key, []).append(i)
            elif listener.key in _batch_forms:
                batches.setdefault(listener.key, (listener, []))[1].append(i)
            elif not _run(listener, event):
                later.setdefault(listener.key, []).append(i)
    for key, (listener, picked) in batches.items():
        try:
            with transaction.atomic():
                _batch_forms[key]([evs[i] for i in picked])
        except Exception:
            log.exception("batch form of %s failed on %s; one by one instead", key, name)
            for i in picked:
                if not _run(listener, evs[i]):
                    later.setdefault(key, []).append(i)
    if later:
        picked_ids = sorted({i for ids in later.values() for i in ids})
        index = {i: n for n, i in enumerate(picked_ids)}
        tasks.enqueue(
            DELIVER_MANY_TASK,
            name=name,
            at=when.isoformat(),
            actor_id=actor_id,
            items=[evs[i].data for i in picked_ids],
            listeners={key: [index[i] for i in ids] for key, ids in later.items()},
        )
    return evs


@tasks.task(DELIVER_TASK, max_attempts=6)
def deliver(*, event: dict[str, Any], listeners: list[str], done: list[str] | None = None) -> dict:
    """Run the after-commit listeners of one event (the worker). Each listener that succeeds is
    recorded on the task, so a retry runs only those that failed."""
    ev = Event.from_json(event)
    finished = list(done or [])
    failed: list[str] = []
    for key in listeners:
        if key in finished:
            continue
        listener = _listeners.get(key)
        if listener is None:
            log.warning("no listener %s any more for %s; skipped", key, ev.name)
            finished.append(key)
            continue
        try:
            with transaction.atomic():
                listener.handler(ev)
        except Exception:
            if not tasks.retries():
                log.exception("listener %s failed on %s", key, ev.name)
                continue
            log.exception("listener %s failed on %s; will retry", key, ev.name)
            failed.append(key)
            continue
        finished.append(key)
        tasks.update_current_kwargs(done=finished)
    if failed:
        raise RuntimeError(f"listeners failed on {ev.name}: {', '.join(failed)}")
    return {"event": ev.name, "listeners": len(finished)}


@tasks.task(DELIVER_MANY_TASK, max_attempts=6)
def deliver_many(
    *,
    name: str,
    at: str,
    actor_id: int | None,
    items: list[dict[str, Any]],
    listeners: dict[str, list[int]],
) -> dict:
    """Run the listeners left for after the commit of a batch (`publish_many`; the worker): a
    listener with a batch form gets its events in one call, else (or when the batch form fails)
    one by one. What succeeded is taken off the task, so a retry runs only the listeners, and
    the events, that failed."""
    when = dt.datetime.fromisoformat(at)
    evs = [Event(name=name, data=dict(data), at=when, actor_id=actor_id) for data in items]
    remaining = {key: list(ids) for key, ids in listeners.items()}
    for key, ids in listeners.items():
        listener = _listeners.get(key)
        if listener is None:
            log.warning("no listener %s any more for %s; skipped", key, name)
            failed: list[int] = []
        else:
            failed = _deliver_batch(listener, [evs[i] for i in ids], ids)
        if failed:
            remaining[key] = failed
        else:
            del remaining[key]
        if remaining != listeners:
            tasks.update_current_kwargs(listeners=remaining)
    if remaining and tasks.retries():
        raise RuntimeError(f"listeners failed on {name}: {', '.join(remaining)}")
    return {"event": name, "events": len(evs), "listeners": len(listeners) - len(remaining)}


def _deliver_batch(listener: Listener, evs: list[Event], ids: list[int]) -> list[int]:
    """One listener on a batch's events, after the commit; the ids of the events it failed on."""
    batch_form = _batch_forms.get(listener.key)
    if batch_form is not None:
        try:
            with transaction.atomic():
                batch_form(evs)
            return []
        except Exception:
            log.exception("batch form of %s failed on %s; one by one", listener.key, evs[0].name)
    failed = []
    for i, ev in zip(ids, evs, strict=True):
        try:
            with transaction.atomic():
                listener.handler(ev)
        except Exception:
            log.exception("listener %s failed on %s", listener.key, ev.name)
            failed.append(i)
    return failed

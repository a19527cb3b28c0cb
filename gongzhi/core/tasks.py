"""The one task interface for background work (deadline sweeps, imports, reports, notifications,
webhooks).

    from gongzhi.core.tasks import task, enqueue

    @task("cases.sweep", periodic_seconds=60)
    def sweep() -> dict: ...

    enqueue("cases.sweep")                 # after the current transaction commits
    enqueue(import_places, path="x.geojson", requested_by=user)

Backends (settings.TASKS_BACKEND):
- "immediate": run in-process when the transaction commits (tests);
- "database": a `core.Task` row, inserted in the caller's transaction (so work is queued if and
  only if the change commits), run by `manage.py run_worker` (the demo starts one);
- "celery": the row is recorded and its id sent to Celery (Redis or RabbitMQ) after commit;
  `gongzhi.celery` runs it with the same code path. Periodic tasks come from the same registry.

A task reports progress with `progress(done, total, note)`; pages show it from the Task row.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import rows
from .models import Schedule, Task

log = logging.getLogger("gongzhi.tasks")


@dataclass(frozen=True)
class TaskDef:
    name: str
    func: Callable[..., Any]
    max_attempts: int = 3
    periodic_seconds: int | None = None

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def enqueue(self, **kwargs: Any) -> Task | None:
        return enqueue(self.name, **kwargs)


REGISTRY: dict[str, TaskDef] = {}
_current_task: ContextVar[Task | None] = ContextVar("gongzhi_current_task", default=None)


def task(
    name: str, *, max_attempts: int = 3, periodic_seconds: int | None = None
) -> Callable[[Callable[..., Any]], TaskDef]:
    def wrap(func: Callable[..., Any]) -> TaskDef:
        d = TaskDef(
            name=name, func=func, max_attempts=max_attempts, periodic_seconds=periodic_seconds
        )
        REGISTRY[name] = d
        return d

    return wrap


def _backend() -> str:
    return getattr(settings, "TASKS_BACKEND", "database")


def enqueue(
    name_or_def: str | TaskDef,
    *,
    run_after: dt.datetime | None = None,
    requested_by: Any = None,
    **kwargs: Any,
) -> Task | None:
    """Queue a task. Returns its Task row (None with the immediate backend)."""
    name = name_or_def.name if isinstance(name_or_def, TaskDef) else name_or_def
    if name not in REGISTRY:
        raise KeyError(f"unknown task {name!r}")
    backend = _backend()
    if backend == "immediate":
        transaction.on_commit(lambda: REGISTRY[name].func(**kwargs), robust=False)
        return None
    row = Task(
        name=name,
        kwargs=kwargs,
        run_after=run_after or timezone.now(),
        max_attempts=REGISTRY[name].max_attempts,
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
    )
    # A prepared INSERT: every filing queues its events' task (the outbox) on the request path.
    sql, _fields = rows.statement(Task, connection.vendor)
    with rows.cursor() as cursor:
        cursor.execute(sql, rows.row_params(row))
        rows.saved(row, cursor.fetchone()[0])
    if backend == "celery":
        from gongzhi.celery import app

        eta = run_after if run_after and run_after > timezone.now() else None
        transaction.on_commit(lambda: app.send_task("gongzhi.run_task", args=[row.pk], eta=eta))
    return row


def outbox_row(name: str, **kwargs: Any) -> Task | None:
    """A new (unsaved) row of the task `name`, for a caller that writes it in a statement of its
    own (the case intake on PostgreSQL writes its event's outbox row in the statement that
    writes the case: one round trip less); `written(row)` once it is. None with the immediate
    backend, which has no row: the caller then enqueues as usual."""
    if name not in REGISTRY:
        raise KeyError(f"unknown task {name!r}")
    if _backend() == "immediate":
        return None
    return Task(
        name=name,
        kwargs=kwargs,
        run_after=timezone.now(),
        max_attempts=REGISTRY[name].max_attempts,
    )


def written(row: Task) -> None:
    """A row from `outbox_row` was written by its caller (its key set): with Celery, the worker
    is told after the commit, as `enqueue` does."""
    if _backend() == "celery":
        from gongzhi.celery import app

        pk = row.pk
        transaction.on_commit(lambda: app.send_task("gongzhi.run_task", args=[pk]))


def retries() -> bool:
    """Whether a failed task is tried again: the immediate backend runs each task once,
    in-process, when the transaction commits; the database and Celery backends retry."""
    return _backend() != "immediate"


def update_current_kwargs(**changes: Any) -> None:
    """Record on the running task's row what a retry must know (e.g. the steps already done)."""
    row = _current_task.get()
    if row is None:
        return
    row.kwargs = {**row.kwargs, **changes}
    Task.objects.filter(pk=row.pk).update(kwargs=row.kwargs)


def progress(done: int, total: int, note: str = "") -> None:
    """Report progress from inside a running task (no-op outside a worker).

    On PostgreSQL, inside the task's own transaction, it is written on a connection of its own
    so that pages (and the worker's heartbeat) see it at once and no lock on the task's row is
    held until the task commits."""
    row = _current_task.get()
    if row is None or total <= 0:
        return
    pct = max(0, min(100, int(done * 100 / total)))
    if pct != row.progress or note != row.progress_note:
        row.progress, row.progress_note = pct, note[:200]
        if connection.in_atomic_block and connection.vendor == "postgresql" and _side_ok():
            _side_write(row.pk, pct, row.progress_note)
        else:
            Task.objects.filter(pk=row.pk).update(progress=pct, progress_note=row.progress_note)


_side: dict[str, Any] = {}


def _side_ok() -> bool:
    """Only in a real worker: inside a test's transaction the test sees its own writes only."""
    return bool(_side.get("enabled"))


def _side_write(pk: int, pct: int, note: str) -> None:
    from django.db import connections

    conn = _side.get("conn")
    if conn is None:
        conn = _side["conn"] = connections.create_connection(connection.alias)
    table = connection.ops.quote_name(Task._meta.db_table)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET progress = %s, progress_note = %s, heartbeat_at = %s"  # noqa: S608
            " WHERE id = %s",
            [pct, note, timezone.now(), pk],
        )


def _side_close() -> None:
    conn = _side.pop("conn", None)
    if conn is not None:
        conn.close()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_seconds() -> int:
    return max(1, int(getattr(settings, "TASKS_LEASE_SECONDS", 120)))


def claim_next(worker: str) -> Task | None:
    """Claim the oldest due task. A conditional UPDATE means two workers never take the same row.

    A running task whose lease ran out (no heartbeat for TASKS_LEASE_SECONDS: its worker was
    killed, or its machine lost) is due again: the next worker takes it over, and the task's
    own transaction(s) make sure the lost run left nothing half-written. After TASKS_MAX_LOST
    lost runs it is marked failed rather than taken again (a task that kills its worker)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=lease_seconds())
    candidates = (
        Task.objects.filter(
            Q(status=Task.Status.QUEUED, run_after__lte=now)
            | Q(status=Task.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=Task.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale)
        )
        .order_by("run_after", "id")
        .values_list("id", "status", "locked_by", "heartbeat_at", "lost_count")[:5]
    )
    for pk, status, holder, beat, lost in candidates:
        same = Task.objects.filter(pk=pk, status=status, locked_by=holder, heartbeat_at=beat)
        if status == Task.Status.QUEUED:
            claimed = same.update(
                status=Task.Status.RUNNING, locked_by=worker, started_at=now, heartbeat_at=now
            )
        elif lost + 1 > int(getattr(settings, "TASKS_MAX_LOST", 3)):
            same.update(
                status=Task.Status.FAILED,
                lost_count=lost + 1,
                last_error=f"worker {holder} stopped answering; lost {lost + 1} times, given up",
                finished_at=now,
            )
            log.error("task #%s lost its worker %s times: failed", pk, lost + 1)
            continue
        else:
            claimed = same.update(
                locked_by=worker,
                started_at=now,
                heartbeat_at=now,
                lost_count=lost + 1,
                progress=0,
                progress_note="",
                last_error=f"worker {holder} stopped answering; taken over by {worker}",
            )
            if claimed == 1:
                log.warning("task #%s: worker %s lost, taken over by %s", pk, holder, worker)
        if claimed == 1:
            return Task.objects.get(pk=pk)
    return None


def heartbeat(row: Task, worker: str) -> bool:
    """Renew the lease of a task this worker runs; False when it is no longer ours."""
    return bool(
        Task.objects.filter(pk=row.pk, status=Task.Status.RUNNING, locked_by=worker).update(
            heartbeat_at=timezone.now()
        )
    )


class _Heartbeat:
    """A thread that renews the lease of the running task every third of it, on its own
    database connection (the task may hold its own transaction open for minutes)."""

    def __init__(self, row: Task, worker: str) -> None:
        import threading

        self.row, self.worker = row, worker
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{row.pk}", daemon=True)

    def _run(self) -> None:
        from django.db import connections

        try:
            while not self.stopped.wait(lease_seconds() / 3):
                try:
                    heartbeat(self.row, self.worker)
                except Exception:  # a locked SQLite file, a lost connection: try next time
                    log.warning("heartbeat of task #%s failed", self.row.pk, exc_info=True)
        finally:
            connections.close_all()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


def run_row(row: Task) -> bool:
    """Run a claimed task; on failure retry with exponential backoff, then give up."""
    definition = REGISTRY.get(row.name)
    token = _current_task.set(row)
    try:
        if definition is None:
            raise KeyError(f"unknown task {row.name!r}")
        result = definition.func(**row.kwargs)
    except Exception:
        attempts = row.attempts + 1
        error = traceback.format_exc()[-4000:]
        log.exception("task %s #%s failed (attempt %s)", row.name, row.pk, attempts)
        if attempts < row.max_attempts:
            delay = dt.timedelta(seconds=30 * 2 ** (attempts - 1))
            retry_at = timezone.now() + delay
            Task.objects.filter(pk=row.pk).update(
                status=Task.Status.QUEUED,
                attempts=attempts,
                last_error=error,
                run_after=retry_at,
                locked_by="",
            )
            if _backend() == "celery":
                from gongzhi.celery import app

                app.send_task("gongzhi.run_task", args=[row.pk], eta=retry_at)
        else:
            Task.objects.filter(pk=row.pk).update(
                status=Task.Status.FAILED,
                attempts=attempts,
                last_error=error,
                finished_at=timezone.now(),
            )
        return False
    finally:
        _current_task.reset(token)
    Task.objects.filter(pk=row.pk).update(
        status=Task.Status.DONE,
        attempts=row.attempts + 1,
        result=_json_safe(result),
        progress=100,
        finished_at=timezone.now(),
    )
    return True


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def enqueue_due_periodic(now: dt.datetime | None = None) -> list[str]:
    """Queue each periodic task whose period has passed; safe with several workers."""
    now = now or timezone.now()
    queued = []
    for d in REGISTRY.values():
        if not d.periodic_seconds:
            continue
        sched, _ = Schedule.objects.get_or_create(name=d.name)
        last = sched.last_enqueued_at
        if last is not None and last > now - dt.timedelta(seconds=d.periodic_seconds):
            continue
        won = Schedule.objects.filter(pk=sched.pk, last_enqueued_at=last).update(
            last_enqueued_at=now
        )
        if won == 1:
            enqueue(d.name)
            queued.append(d.name)
    return queued


def work(
    *, once: bool = False, idle_sleep: float = 1.0, stop: Callable[[], bool] | None = None
) -> int:
    """The database-backend worker loop. Returns how many tasks ran."""
    import time

    me = worker_name()
    ran = 0
    while True:
        if not connection.in_atomic_block:  # (inside a test's transaction, keep it)
            close_old_connections()
        enqueue_due_periodic()
        row = claim_next(me)
        if row is not None:
            if connection.in_atomic_block:
                run_row(row)
            else:
                _side["enabled"] = True
                try:
                    with _Heartbeat(row, me):
                        run_row(row)
                finally:
                    _side["enabled"] = False
                    _side_close()
            ran += 1
            continue
        if once or (stop and stop()):
            return ran
        time.sleep(idle_sleep)


def autodiscover() -> None:
    """Import every installed app's `tasks` module so its tasks are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")

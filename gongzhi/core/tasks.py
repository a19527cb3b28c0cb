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
    """Report progress from inside a running task (no-op outside a worker)."""
    row = _current_task.get()
    if row is None or total <= 0:
        return
    pct = max(0, min(100, int(done * 100 / total)))
    if pct != row.progress or note != row.progress_note:
        row.progress, row.progress_note = pct, note[:200]
        Task.objects.filter(pk=row.pk).update(progress=pct, progress_note=row.progress_note)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next(worker: str) -> Task | None:
    """Claim the oldest due task. A conditional UPDATE means two workers never take the same row."""
    now = timezone.now()
    stale = now - dt.timedelta(minutes=30)
    candidates = (
        Task.objects.filter(
            Q(status=Task.Status.QUEUED, run_after__lte=now)
            | Q(status=Task.Status.RUNNING, started_at__lt=stale)
        )
        .order_by("run_after", "id")
        .values_list("id", "status")[:5]
    )
    for pk, status in candidates:
        claimed = Task.objects.filter(pk=pk, status=status).update(
            status=Task.Status.RUNNING, locked_by=worker, started_at=now
        )
        if claimed == 1:
            return Task.objects.get(pk=pk)
    return None


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
            run_row(row)
            ran += 1
            continue
        if once or (stop and stop()):
            return ran
        time.sleep(idle_sleep)


def autodiscover() -> None:
    """Import every installed app's `tasks` module so its tasks are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")

"""Celery for production: `celery -A gongzhi worker -B` with CELERY_BROKER_URL pointing at Redis
or RabbitMQ and TASKS_BACKEND=celery. Tasks are the same functions the database worker runs
(gongzhi.core.tasks); Celery only carries the Task row's id."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="gongzhi.run_task")
def run_task(task_id: int) -> bool:
    from gongzhi.core.models import Task
    from gongzhi.core.tasks import run_row, worker_name

    claimed = Task.objects.filter(pk=task_id, status=Task.Status.QUEUED).update(
        status=Task.Status.RUNNING, locked_by=worker_name()
    )
    if claimed != 1:
        return False
    return run_row(Task.objects.get(pk=task_id))


@app.task(name="gongzhi.enqueue_periodic")
def enqueue_periodic() -> list[str]:
    from gongzhi.core.tasks import enqueue_due_periodic

    return enqueue_due_periodic()


@app.on_after_finalize.connect
def _setup_periodic(sender: Any, **kwargs: Any) -> None:
    # Every 30 s, queue what is due; the Schedule table keeps it once per period across beats.
    sender.add_periodic_task(30.0, enqueue_periodic.s(), name="gongzhi periodic tasks")


@app.on_after_configure.connect
def _discover(sender: Any, **kwargs: Any) -> None:
    import django

    django.setup()
    from gongzhi.core.tasks import autodiscover

    autodiscover()

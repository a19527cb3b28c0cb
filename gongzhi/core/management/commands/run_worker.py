from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core import tasks


class Command(BaseCommand):
    help = "Run background tasks from the database queue (TASKS_BACKEND=database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds to wait when idle.")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.autodiscover()
        stopping = {"now": False}

        def stop(*_: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            f"worker {tasks.worker_name()}: {', '.join(sorted(tasks.REGISTRY)) or 'no tasks'}"
        )
        ran = tasks.work(
            once=options["once"], idle_sleep=options["sleep"], stop=lambda: stopping["now"]
        )
        self.stdout.write(f"worker stopped after {ran} tasks")

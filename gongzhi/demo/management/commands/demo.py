from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongzhi.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongzhi.demo.seed.second import SECOND_ACCOUNTS


class Command(BaseCommand):
    help = "Serve the seeded demo on http://127.0.0.1:8000 with a background worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from gongzhi.accounts.models import User

        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "manage.py", "run_worker"])  # noqa: S603
            self.stdout.write(f"background worker started (pid {worker.pid})")
            self._let_the_worker_catch_up()
        existing = set(
            User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Demo accounts 演示账号 (password 密码: {DEMO_PASSWORD})")
        )
        for a in DEMO_ACCOUNTS:
            mark = "" if a.username in existing else "  (missing: run seed_demo)"
            self.stdout.write(f"  {a.username:<24} {DEMO_PASSWORD:<14} {a.role} · {a.who}{mark}")
        second = User.objects.filter(
            username__in=[a.username for a in SECOND_ACCOUNTS]
        ).values_list("username", flat=True)
        if second:
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    "Second subdistrict 第二个街道 (长风新村街道, 区城运中心)"
                )
            )
            for a in SECOND_ACCOUNTS:
                if a.username in second:
                    self.stdout.write(f"  {a.username:<24} {DEMO_PASSWORD:<14} {a.role} · {a.who}")
        host = options["addrport"]
        self.stdout.write(self.style.SUCCESS(f"Gongzhi demo: http://{host}/  (Ctrl-C stops it)"))
        try:
            if settings.DEBUG:  # DEBUG=1 ./run demo: Django's development server
                call_command("runserver", host, use_reloader=False)
            else:  # as production serves it (docs/operations.md), without nginx in front
                subprocess.run(  # noqa: S603
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "gongzhi.wsgi:application",
                        "--bind",
                        host,
                        "--workers",
                        "2",
                        "--access-logfile",
                        "-",
                    ],
                    check=False,
                )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _let_the_worker_catch_up(self, seconds: float = 20) -> None:
        """Wait (a little) for the tasks that are due now, such as the seed's notices, so that
        what the worker logs comes before the accounts and the address, not after them."""
        from django.utils import timezone

        from gongzhi.core.models import Task

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            due = Task.objects.filter(
                status__in=(Task.Status.QUEUED, Task.Status.RUNNING), run_after__lte=timezone.now()
            )
            if not due.exists():
                return
            time.sleep(0.5)

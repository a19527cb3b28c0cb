"""`manage.py cockpit verify`: recompute every pre-aggregated figure from the cases and say how
many were checked and how many differ (exit status 1 when any differs).
`manage.py cockpit refresh`: rebuild the pre-aggregates from the cases."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.dashboards import aggregates


class Command(BaseCommand):
    help = "Check (verify) or rebuild (refresh) the cockpit's pre-aggregated figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "refresh"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        started = time.perf_counter()
        if action == "refresh":
            rows = aggregates.refresh_all()
            seconds = time.perf_counter() - started
            self.stdout.write(f"Rebuilt {rows} rows of daily figures in {seconds:.1f} s.")
            return
        result = aggregates.verify()
        for line in result.examples:
            self.stdout.write(line)
        self.stdout.write(
            f"Checked {result.checked} figures: {result.differ} differ "
            f"({time.perf_counter() - started:.1f} s)."
        )
        if result.differ:
            sys.exit(1)

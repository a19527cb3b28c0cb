from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.cases.sweep import sweep


class Command(BaseCommand):
    help = "Flag cases about to be overdue and overdue, supervise them and escalate unacknowledged emergencies. Safe to run in several processes at once."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        d = result.as_dict()
        self.stdout.write(
            f"warned: {d['warned']}  overdue: {d['overdue']}  emergencies escalated: {d['emergencies']}"
        )

"""manage.py audit_seal: seal the audit rows written since the last run (the worker does this
every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.audit import chain


class Command(BaseCommand):
    help = "Seal the settled audit rows that have no seal yet into the hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{chain.seal()} audit rows sealed.")

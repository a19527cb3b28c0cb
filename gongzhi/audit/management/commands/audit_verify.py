"""manage.py audit_verify: check the audit trail's whole hash chain (exit status 1 if broken)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.audit import chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain from its first seal and report the first row "
        "that does not match (exit status 1). --seal first seals the rows written since the "
        "last run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal", action="store_true", help="seal settled rows first")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            chain.seal()
        result = chain.verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "unsealed": result.unsealed,
                        "broken": result.broken,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(
                f"{result.checked} audit rows checked, {result.unsealed} not yet sealed."
            )
        if not result.ok:
            raise CommandError(f"The audit trail's chain is broken at {result.broken[0]}.")

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.core.summary import label_for, subdistrict_summary


class Command(BaseCommand):
    help = "The counts an administrator checks a deployment against (active rows)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        data = subdistrict_summary()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
            return
        rows: list[tuple[str, str]] = []

        def add(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for sub, v in value.items():
                    add(f"{prefix}: {label_for(sub)}" if prefix else label_for(sub), v)
            else:
                rows.append((prefix, _format(value)))

        for key, value in data.items():
            add(label_for(key), value)
        width = max((len(label) for label, _v in rows), default=0)
        self.stdout.write(self.style.MIGRATE_HEADING(_("Deployment summary")))
        for label, value in rows:
            self.stdout.write(f"  {label:<{width}}  {value:>12}")


def _format(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)

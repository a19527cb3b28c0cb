"""Check that the active grids tile the subdistrict: no gap, no overlap, nothing outside."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.errors import ServiceError
from gongzhi.places import selectors


class Command(BaseCommand):
    help = (
        "Check that the grids tile the subdistrict with no gap and no overlap larger than the "
        "tolerance and nothing outside the outline. Exit status 1 when there are problems."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--geometry", action="store_true", help="with --json: include each piece's GeoJSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = selectors.tiling_report()
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            data = report.as_dict(with_geometry=options["geometry"])
            data["grid_names"] = dict(
                selectors.grid_names(code for i in report.issues for code in i.grids)
            )
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for line in selectors.tiling_lines(report):
                self.stdout.write(line)
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            self.stdout.write(style(selectors.tiling_summary(report)))
        if not report.ok:
            raise SystemExit(1)

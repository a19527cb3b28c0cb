"""`manage.py report 2026-11 [--subdistrict ID | --district | --area ID | --department ID]`: generate one report now, in this
process, with a progress bar, and say where its files are kept. `manage.py report --due`:
queue the reports the schedule would queue today (none unless today is the first working day
of a month)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gongzhi.core.errors import ServiceError
from gongzhi.dashboards import report_services as services
from gongzhi.dashboards.models import Report


class Command(BaseCommand):
    help = "Generate the report of a month (2026-11), a quarter (2026-Q4) or a year (2026)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", nargs="?", help="2026-11, 2026-Q4 or 2026")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--area", type=int, help="a residential area's id")
        scope.add_argument("--department", type=int, help="a department's id")
        scope.add_argument("--subdistrict", type=int, help="a subdistrict's id")
        scope.add_argument(
            "--district", action="store_true", help="the whole district (every subdistrict)"
        )
        parser.add_argument(
            "--due", action="store_true", help="queue the reports due today (the schedule)"
        )

    def handle(
        self,
        *args: Any,
        period: str | None,
        area: int | None,
        department: int | None,
        due: bool,
        subdistrict: int | None = None,
        district: bool = False,
        **options: Any,
    ) -> None:
        if due:
            queued = services.schedule_due()
            self.stdout.write(f"Queued {len(queued)} reports.")
            return
        try:
            p = services.parse_period(period)
            if area:
                scope = services.scope_of("area", area_id=area)
            elif department:
                scope = services.scope_of("department", department_id=department)
            elif district:
                scope = services.scope_of("district")
            else:
                scope = services.scope_of("subdistrict", subdistrict_id=subdistrict)
            r = services.report_request(actor=None, period=p, scope=scope, queue=False)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        with tqdm(total=100, unit="%", desc=f"{p.key} {scope.slug}", file=self.stderr) as bar:

            def progress(pct: int, note: str) -> None:
                bar.set_postfix_str(note)
                bar.update(pct - bar.n)

            r = services.generate(report_id=r.pk, progress=progress)
            bar.update(100 - bar.n)
        if r.status != Report.Status.DONE:
            raise CommandError(r.error or "failed")
        self.stdout.write(f"{r.pdf.path}\n{r.xlsx.path}")

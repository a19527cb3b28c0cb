"""Import work orders from a spreadsheet with a profile, with a progress bar: a dry run by
default (every row's problems), `--commit` to import (all or nothing, idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.core.errors import ServiceError
from gongzhi.triage import export, importer
from gongzhi.triage.models import ImportProfile


class Command(BaseCommand):
    help = (
        "Check (default) or import (--commit) the work orders in an .xlsx, .xls or .csv file "
        "with an import profile. A commit is one transaction: a row with a problem leaves "
        "everything as it was. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--profile", required=True, help="the profile's key, e.g. 12345")
        parser.add_argument("--commit", action="store_true", help="import, not only check")
        parser.add_argument("--report", help="write the problems to this .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        profile = ImportProfile.objects.active().filter(key=options["profile"]).first()
        if profile is None:
            keys = ", ".join(ImportProfile.objects.active().values_list("key", flat=True))
            raise CommandError(f"unknown profile {options['profile']!r} (known: {keys})")
        bar = tqdm(total=0, unit="row", file=self.stderr, disable=None, desc=path.name)

        def progress(done: int, total: int) -> None:
            if total != bar.total:
                bar.total = total
            bar.update(max(0, done - bar.n))

        try:
            if options["commit"]:
                result = importer.commit_file(
                    profile=profile, path=path, name=path.name, actor=None, progress=progress
                )
            else:
                result = importer.check_file(
                    profile=profile, path=path, name=path.name, actor=None, progress=progress
                )
        except importer.ImportRejected as exc:
            result = exc.result
            self._problems(result, options.get("report"))
            raise CommandError(f"{exc.message}") from exc
        except ServiceError as exc:
            raise CommandError(f"{exc.message}\nNothing was imported.") from exc
        finally:
            bar.close()
        self._problems(result, options.get("report"))
        if options["commit"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.rows} rows: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged."
                )
            )
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(f"{result.rows} rows, no problems (dry run)."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.rows} rows, {result.bad_rows} with problems (dry run)."
                )
            )

    def _problems(self, result: importer.CheckResult, report: str | None) -> None:
        for p in result.problems[:50]:
            self.stdout.write(f"row {p.row} · {p.column}: {p.message}")
        if result.problem_count > 50:
            self.stdout.write(f"… {result.problem_count - 50} more")
        if report:

            class _B:
                problems = [p.as_list() for p in result.problems]

            Path(report).write_bytes(export.report_workbook(_B()))

"""Import places from a GeoJSON FeatureCollection: all or nothing, and idempotent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.core.errors import ServiceError
from gongzhi.places import selectors
from gongzhi.places.geojson_io import import_places, loads


class Command(BaseCommand):
    help = (
        "Import places (GeoJSON FeatureCollection, as written by export_places) in one "
        "transaction: each feature is created or updated by its natural key; a bad feature "
        "aborts the whole import. Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="GeoJSON file, or - for stdin")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, then roll everything back"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        bar = tqdm(total=0, unit="feature", file=self.stderr, disable=None, desc="import")

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            result = import_places(
                data=loads(raw),
                actor=None,
                dry_run=options["dry_run"],
                source=Path(path).name if path != "-" else "stdin",
                progress=progress,
            )
        except ServiceError as exc:
            raise CommandError(f"{exc.message}\nNothing was imported.") from exc
        finally:
            bar.close()
        for kind, created, updated, unchanged in result.by_kind():
            self.stdout.write(
                f"{kind:<17} created {created:>4}  updated {updated:>4}  unchanged {unchanged:>4}"
            )
        totals = result.totals
        summary = (
            f"{totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged"
        )
        if result.dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: {summary}; nothing was saved."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}."))
        if result.tiling is not None:
            for line in result.tiling_lines:
                self.stdout.write(self.style.WARNING(line))
            style = self.style.SUCCESS if result.tiling.ok else self.style.WARNING
            self.stdout.write(style(selectors.tiling_summary(result.tiling)))

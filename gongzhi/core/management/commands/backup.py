"""manage.py backup DIR: a consistent snapshot of the database and the media (gongzhi.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gongzhi.core import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the uploaded files into DIR (a new "
        "folder), with a manifest of row counts and checksums. `manage.py restore DIR` loads it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(
            total=backup.count_rows(), unit="row", file=self.stderr, disable=None, desc="backup"
        )

        def progress(n: int, what: str) -> None:
            bar.set_postfix_str(what, refresh=False)
            bar.update(n)

        try:
            manifest = backup.backup(options["dir"], progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(f"Backup written to {options['dir']}: {backup.describe(manifest)}.")

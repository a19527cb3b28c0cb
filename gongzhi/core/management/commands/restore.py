"""manage.py restore DIR: load a backup into a migrated, empty installation (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gongzhi.core import backup


class Command(BaseCommand):
    help = (
        "Check the backup in DIR (manifest, checksums, version) and load it into this "
        "installation, which must be migrated and empty. Nothing changes if anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.read_manifest(options["dir"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(manifest.tables.values())
        bar = tqdm(total=total, unit="row", file=self.stderr, disable=None, desc="restore")

        def progress(n: int, what: str) -> None:
            if what != "media":
                bar.set_postfix_str(what, refresh=False)
                bar.update(n)

        try:
            backup.restore(options["dir"], progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"Restored {backup.describe(manifest)}. Check it with `manage.py audit_verify` "
            "and `manage.py summary`."
        )

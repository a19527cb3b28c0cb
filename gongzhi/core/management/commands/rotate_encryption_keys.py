"""manage.py rotate_encryption_keys: re-encrypt every stored secret with the first key of
FIELD_ENCRYPTION_KEYS (gongzhi.core.crypto)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.core import crypto

log = logging.getLogger("gongzhi.security")


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS (values "
        "still in plain text get encrypted). --new-key prints a new key and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="print a new key and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        counts = crypto.rotate_stored()
        log.info("stored secrets re-encrypted with the current key: %s", counts)
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows re-encrypted with the current key.")

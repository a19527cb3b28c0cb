"""manage.py personal_data: what the product holds about one person (export), and the
retention run that anonymises what has outlived its period (gongzhi.audit.privacy)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.audit import privacy


class Command(BaseCommand):
    help = (
        "export: everything held about one person (--phone, --email and/or --user) as JSON, "
        "with the reveal log, for a request under PIPL Art. 45 (--reason is recorded). "
        "anonymise: blank the personal data past its retention period now (the worker does "
        "it daily); --dry-run counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["export", "anonymise"])
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--user", default="", help="a username")
        parser.add_argument("--reason", default="", help="why (recorded in the audit trail)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "anonymise":
            if options["dry_run"]:
                from django.utils import timezone

                for key, holding in privacy.HOLDINGS.items():
                    qs = privacy.expired(holding, timezone.now())
                    due = "kept (no period)" if qs is None else f"{qs.count()} rows due"
                    self.stdout.write(f"{key}: {due}")
                return
            for key, rows in privacy.anonymise_expired().items():
                self.stdout.write(f"{key}: {rows} rows anonymised")
            return
        user = None
        if options["user"]:
            user = get_user_model()._default_manager.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account named {options['user']!r}.")
        subject = privacy.Subject(phone=options["phone"], email=options["email"], user=user)
        if not subject:
            raise CommandError("Name the person: --phone, --email and/or --user.")
        if not options["reason"]:
            raise CommandError("Give the reason for the export (--reason), for the audit trail.")
        data = privacy.export_subject(actor=None, subject=subject, reason=options["reason"])
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))

"""Generate the duty roster from a rotation. Idempotent: existing assignments are kept and only
the gaps are filled, so running it twice changes nothing the second time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gongzhi.accounts.models import User
from gongzhi.core.errors import ServiceError
from gongzhi.duty import services
from gongzhi.org.models import Person


def _people(option: str, value: str) -> list[Person]:
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    users = {
        u.username: u for u in User.objects.filter(username__in=names).select_related("person")
    }
    people = []
    for name in names:
        user = users.get(name)
        if user is None:
            raise CommandError(f"--{option}: no user named {name!r}.")
        if user.person is None:
            raise CommandError(f"--{option}: user {name!r} is not linked to a person.")
        people.append(user.person)
    return people


class Command(BaseCommand):
    help = (
        "Generate the grid centre's duty roster: every shift pattern on every day from --from "
        "for --days days (the centre works 7x24), duty chiefs and operators taking turns. "
        "Existing assignments are kept."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--days", type=int, default=28, help="number of days (default 28)")
        parser.add_argument(
            "--chiefs", required=True, help="usernames of the duty chiefs, comma-separated"
        )
        parser.add_argument(
            "--operators", default="", help="usernames of the operators, comma-separated"
        )
        parser.add_argument(
            "--operators-per-shift", type=int, default=2, help="operators on each shift (default 2)"
        )
        parser.add_argument(
            "--allow-past", action="store_true", help="also fill shifts that have already ended"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"--from: {options['start']!r} is not a date (YYYY-MM-DD).") from exc
        rotation = services.Rotation(
            chiefs=_people("chiefs", options["chiefs"]),
            operators=_people("operators", options["operators"]),
            operators_per_shift=options["operators_per_shift"],
        )
        bar = tqdm(total=options["days"], unit="day", file=self.stderr, disable=None, desc="roster")

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        try:
            result = services.roster_generate(
                actor=None,
                start=start,
                days=options["days"],
                rotation=rotation,
                allow_past=options["allow_past"],
                progress=progress,
            )
        except ServiceError as exc:
            raise CommandError(f"{exc.message}\nNothing was changed.") from exc
        finally:
            bar.close()
        for line in result.conflicts:
            self.stdout.write(self.style.WARNING(line))
        if result.past_shifts_skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.past_shifts_skipped} shifts had already ended and were left as they "
                    "were (use --allow-past to fill them)."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.assignments_created} assignments added, {result.assignments_kept} kept, "
                f"{result.shifts_created} new shifts."
            )
        )

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core.seeding.context import Progress
from gongzhi.demo.seed import DEFAULT_SEED, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the Caoyang New Village demo subdistrict into an empty database (deterministic: "
        "the same --seed gives the same data). Changes nothing if the subdistrict is there."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}"
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="cases of history to generate (default: settings GONGZHI['DEMO_CASES'], 30000)",
        )
        parser.add_argument(
            "--subdistricts",
            type=int,
            choices=(1, 2),
            default=None,
            help=(
                "2: also seed a small second subdistrict (长风新村街道) and a district office "
                "that sees both (default: $GONGZHI_DEMO_SUBDISTRICTS, else 1)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])

        def progress(desc: str) -> Progress:
            from tqdm import tqdm

            return tqdm(  # type: ignore[no-any-return]
                desc=f"{desc:<14}",
                unit=" rows",
                file=sys.stderr,
                disable=True if verbosity == 0 else None,  # None: only on a terminal
                leave=verbosity > 1 or sys.stderr.isatty(),
            )

        stage_options: dict[str, Any] = {}
        if options["cases"] is not None:
            stage_options["cases"] = options["cases"]
        subdistricts = options["subdistricts"] or os.environ.get("GONGZHI_DEMO_SUBDISTRICTS")
        if subdistricts:
            stage_options["subdistricts"] = int(subdistricts)
        outcome = seed_demo(seed=options["seed"], progress=progress, options=stage_options)
        if not outcome.created:
            self.stdout.write(self.style.WARNING(outcome.message))
            return
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
        if verbosity > 1:
            for label, n in sorted(outcome.counts.items()):
                self.stdout.write(f"  {label:<28} {n:>7,}")
            for name, seconds in outcome.stage_seconds.items():
                self.stdout.write(f"  stage {name:<22} {seconds:>6.2f} s")
        rows = sum(outcome.counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"{outcome.message} {rows:,} rows in {outcome.seconds:.1f} s.")
        )

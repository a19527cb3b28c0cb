"""seed_demo on an empty database: the whole Caoyang demo (places, organisation, 6,240 Party
members, accounts, duty roster, and the grid centre's year of 30,000 cases with about 220,000
timeline events), stage by stage, against the framework's bare bulk insert of the same number of
rows into one table measured in the same run.

    .venv/bin/python bench/bench_seed.py [--cases N]

Target (issue 2): the whole seed, a year of cases included, under 30 s on SQLite.
"""

from __future__ import annotations

import argparse
import re
from io import StringIO

from _setup import Timer, machine, setup_django

TARGET_SECONDS = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=None, help="cases of history (default 30000)")
    args = parser.parse_args()
    vendor = setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from gongzhi.core.models import Task

    out = StringIO()
    options = {} if args.cases is None else {"cases": args.cases}
    with Timer() as seed:
        call_command("seed_demo", stdout=out, verbosity=2, **options)
    text = out.getvalue()
    line = text.strip().splitlines()[-1]
    rows = int("".join(ch for ch in line.split(" rows")[0].split()[-1] if ch.isdigit()))
    stages = re.findall(r"stage (\S+)\s+([\d.]+) s", text)
    cases = re.search(r"cases\.Case\s+([\d,]+)", text)
    events = re.search(r"cases\.CaseEvent\s+([\d,]+)", text)
    with Timer() as bare, transaction.atomic():
        Task.objects.bulk_create(
            [Task(name="bench", kwargs={}, run_after=seed.start_time) for _ in range(rows)],
            batch_size=500,
        )
        transaction.set_rollback(True)
    print(f"\nmachine: {machine()}; database: {vendor}")
    print(f"seed_demo: {seed.seconds:.1f} s for {rows:,} rows ({line})")
    if cases and events:
        print(f"  of which {cases[1]} cases and {events[1]} case events")
    for name, seconds in stages:
        print(f"  stage {name:<14} {float(seconds):6.2f} s")
    print(f"bare bulk insert of {rows:,} rows: {bare.seconds:.2f} s")
    print(
        f"ratio seed / bare bulk insert: {seed.seconds / bare.seconds:.1f}x "
        f"(target: seed under {TARGET_SECONDS} s)"
    )


if __name__ == "__main__":
    main()

"""seed_demo on an empty database: the whole Caoyang demo (places, organisation, 6,240 Party
members, accounts, duty roster, case history), against the framework's bare bulk insert of the
same number of rows into one table measured in the same run.

    .venv/bin/python bench/bench_seed.py

Target (issue 2): under 30 s on SQLite.
"""

from __future__ import annotations

from io import StringIO

from _setup import Timer, machine, setup_django


def main() -> None:
    vendor = setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from gongzhi.core.models import Task

    out = StringIO()
    with Timer() as seed:
        call_command("seed_demo", stdout=out)
    line = out.getvalue().strip().splitlines()[-1]
    rows = int("".join(ch for ch in line.split(" rows")[0].split()[-1] if ch.isdigit()))
    with Timer() as bare, transaction.atomic():
        Task.objects.bulk_create(
            [Task(name="bench", kwargs={}, run_after=seed.start_time) for _ in range(rows)],
            batch_size=500,
        )
        transaction.set_rollback(True)
    print(f"\nmachine: {machine()}; database: {vendor}")
    print(f"seed_demo: {seed.seconds:.1f} s for {rows:,} rows ({line})")
    print(f"bare bulk insert of {rows:,} rows: {bare.seconds:.2f} s")
    print(
        f"ratio seed / bare bulk insert: {seed.seconds / bare.seconds:.0f}x (target: seed under 30 s)"
    )


if __name__ == "__main__":
    main()

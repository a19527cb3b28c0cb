"""The deadline sweep over a big table: N cases of which K are overdue. One sweep claims the
overdue ones, writes their timeline and audit rows and queues the notices; the baseline is one
raw SQL UPDATE of the same rows in the same database.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench .venv/bin/python bench/bench_sweep.py
    .venv/bin/python bench/bench_sweep.py -n 100000 -k 1000        # SQLite, smaller

Target (issue 3): with 1,000,000 cases of which 10,000 are overdue, one sweep in under 2 s on
PostgreSQL.
"""

from __future__ import annotations

import argparse

from _setup import Timer, load_cases, machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000, help="cases in the table")
    parser.add_argument("-k", type=int, default=10_000, help="of which overdue")
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection

    from gongzhi.cases import sweep
    from gongzhi.cases.models import Case, CaseEvent

    world, now = load_cases(n=args.n, overdue=args.k)
    k = args.k
    table = Case._meta.db_table
    with Timer() as t_sweep:
        result = sweep.sweep(now=now)
    assert len(result.overdue) == k, (len(result.overdue), k)
    assert CaseEvent.objects.filter(action="overdue").count() == k
    with Timer() as t_again:
        again = sweep.sweep(now=now)
    assert again.overdue == []

    # Baseline: the same rows flagged by one raw UPDATE (after un-flagging them).
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET overdue_for_due = NULL WHERE id <= %s", [k])  # noqa: S608
    with Timer() as raw, connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET overdue_for_due = due_at, supervision_level = 1 "  # noqa: S608
            "WHERE state IN ('received','filed','returned','dispatched','accepted','handled','closed') "
            "AND due_at < %s AND (overdue_for_due IS NULL OR overdue_for_due <> due_at)",
            [now],
        )
        assert cur.rowcount == k

    print(f"\nmachine: {machine()}; database: {vendor}; cases: {args.n:,}; overdue: {k:,}")
    print(
        f"sweep (claim {k:,}, write {k:,} events + audit rows, queue notices): {t_sweep.seconds:.3f} s"
    )
    print(f"second sweep (nothing left to flag): {t_again.seconds:.3f} s")
    print(f"raw SQL UPDATE of the same rows: {raw.seconds:.3f} s")
    print(
        f"ratio sweep / raw UPDATE: {t_sweep.seconds / raw.seconds:.1f}x (target: sweep under 2 s)"
    )


if __name__ == "__main__":
    main()

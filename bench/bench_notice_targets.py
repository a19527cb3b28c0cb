"""How long the notices' move from a case column to a generic target takes, and what finding
the notices of one object costs afterwards.

    .venv/bin/python bench/bench_notice_targets.py [-n 1000000] [--cases 100000]

Loads `--cases` cases and, with the notices' table as it was before (migration 0003 applied,
0004 not), `-n` notices about them written by one INSERT … SELECT. Then times the data
migration 0004 (case → target), the schema migration 0005 (drop the case column), 0004
backwards, and `Notification.objects.for_object(case)` on the target index. Baseline: one raw
SQL UPDATE copying the case column into a new integer column of the same rows."""

from __future__ import annotations

import argparse
import statistics

from _setup import Timer, load_cases, machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    load_cases(n=args.cases, overdue=0)

    def migrate(name: str) -> float:
        executor = MigrationExecutor(connection)
        with Timer() as t:
            executor.migrate([("notifications", name)])
        return t.seconds

    migrate("0003_notification_target")
    table = "notifications_notification"
    select = (
        "SELECT %(now)s, 'in_app', 'case_filed', 'zh-hans', '', '', '案件已立案', '', 'sent', 0,"
        " '', '', (g %% %(cases)s) + 1, ''"
    )
    cols = (
        "created_at, channel, template, language, to_address, subject, body, link, status,"
        " attempts, error, provider_ref, case_id, target_repr"
    )
    params = {"now": timezone.now(), "n": args.n, "cases": args.cases}
    with Timer() as load, connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute(
                f"INSERT INTO {table} ({cols}) {select} FROM generate_series(1, %(n)s) AS g",  # noqa: S608
                params,
            )
            cur.execute(f"ANALYZE {table}")
        else:
            cur.execute(
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %(n)s) "  # noqa: S608
                f"INSERT INTO {table} ({cols}) {select} FROM s",
                params,
            )
            cur.execute("ANALYZE")
    print(f"loaded {args.n:,} notices in {load.seconds:.1f} s")

    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {table} ADD COLUMN bench_copy bigint NULL")
        with Timer() as base:
            cur.execute(f"UPDATE {table} SET bench_copy = case_id")  # noqa: S608
        cur.execute(f"ALTER TABLE {table} DROP COLUMN bench_copy")

    forward = migrate("0004_notification_target_from_case")
    drop = migrate("0005_remove_notification_case")
    migrate("0004_notification_target_from_case")  # 0005 backwards: the case column is back
    back = migrate("0003_notification_target")  # 0004 backwards: target → case
    migrate("0005_remove_notification_case")

    from gongzhi.cases.models import Case
    from gongzhi.notifications.models import Notification

    cases = list(Case.objects.order_by("?")[:200])
    times = []
    for case in cases:
        with Timer() as t:
            found = list(Notification.objects.for_object(case))
        times.append(t.seconds * 1000)
    assert all(n.target_id for n in found)

    print(machine())
    print(f"{vendor}: {args.n:,} notices about {args.cases:,} cases")
    print(f"  baseline raw UPDATE copying case_id:  {base.seconds:.2f} s")
    print(
        f"  0004 case → target (data):            {forward:.2f} s ({forward / base.seconds:.1f}×)"
    )
    print(f"  0005 drop the case column (schema):   {drop:.2f} s")
    print(f"  0004 backwards:                       {back:.2f} s")
    print(
        f"  for_object(case), {len(found)} notices: median {statistics.median(times):.2f} ms,"
        f" max {max(times):.2f} ms over {len(times)} cases"
    )


if __name__ == "__main__":
    main()

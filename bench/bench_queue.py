"""The operator queue's first page with N cases in the table: server time of the whole page
(view, queries, template) through Django's test client, against the raw SQL query for the
same 50 rows in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench .venv/bin/python bench/bench_queue.py

Target (issue 3): 1,000,000 cases, a constant number of queries (asserted in
gongzhi/cases/tests/test_pages_queue.py) and under 150 ms of server time on PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics

from _setup import Timer, load_cases, machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true", help="each query's time and SQL")
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases.models import Case

    # Static file URLs without a collectstatic manifest (the page's own work is what we time).
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    world, _now = load_cases(n=args.n, overdue=max(1, args.n // 100))
    client = Client()
    client.force_login(world.operator)
    client.get("/cases/")  # warm caches and the session
    page_times = []
    for _ in range(args.repeat):
        with Timer() as t:
            response = client.get("/cases/")
        assert response.status_code == 200
        page_times.append(t.seconds)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/cases/")
    if args.show_queries:
        for q in ctx.captured_queries:
            print(f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:240]}")
    table = Case._meta.db_table
    raw_times = []
    for _ in range(args.repeat):
        with Timer() as t, connection.cursor() as cur:
            cur.execute(
                f"SELECT * FROM {table} WHERE state IN ('received','filed','returned','dispatched','accepted','handled','suspended','escalated') "  # noqa: S608
                "ORDER BY due_at, id LIMIT 50"
            )
            rows = cur.fetchall()
        raw_times.append(t.seconds)
    assert len(rows) == 50
    page, raw = statistics.median(page_times), statistics.median(raw_times)
    print(f"\nmachine: {machine()}; database: {vendor}; cases: {args.n:,}")
    print(
        f"queue first page (whole request, median of {args.repeat}): {page * 1000:.1f} ms, {len(ctx.captured_queries)} queries"
    )
    print(f"raw SQL for the same 50 rows (median): {raw * 1000:.2f} ms")
    print(f"ratio page / raw query: {page / raw:.0f}x (target: page under 150 ms)")


if __name__ == "__main__":
    main()

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
import datetime as dt

from _setup import Timer, machine, setup_django


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000, help="cases in the table")
    parser.add_argument("-k", type=int, default=10_000, help="of which overdue")
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases import sla, sweep
    from gongzhi.cases.models import Case, CaseEvent, Category
    from gongzhi.testing.personas import build_world

    world = build_world()
    group = Category.objects.create(
        code="E01", name="市容环境（事件）", kind="event", department=world.orgs["chengguan"]
    )
    cat = Category.objects.create(
        code="E0102", name="暴露垃圾", kind="event", parent=group, group=group, level=2
    )
    sla.invalidate()
    now = timezone.now()
    table = Case._meta.db_table
    k = args.k
    # Every column gets a value; the series number decides the state: the first K are being
    # handled and overdue, the next 2 % are open with deadlines ahead, the rest are evaluated.
    open_until = k + args.n // 50
    exprs = {
        "id": "g",
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "number": "'CY2025-' || g",
        "tracking_code": "'T' || g",
        "received_at": "%(now)s",
        "category_id": str(cat.pk),
        "department_id": str(world.orgs["chengguan"].pk),
        "grid_id": str(world.grids["a1"].pk),
        "station_id": str(world.station_a.pk),
        "residential_area_id": str(world.area_a.pk),
        "description": "'暴露垃圾无人清运'",
        "title": "'暴露垃圾'",
        "channel": "'inspector'",
        "type": "'event'",
        "state": f"CASE WHEN g <= {open_until} THEN 'accepted' ELSE 'evaluated' END",
        "due_at": f"CASE WHEN g <= {k} THEN %(past)s WHEN g <= {open_until} THEN %(future)s ELSE NULL END",
    }
    cols, values = [], []
    for f in Case._meta.concrete_fields:
        cols.append(connection.ops.quote_name(f.column))
        if f.name in exprs or f.attname in exprs:
            values.append(exprs.get(f.name) or exprs[f.attname])
        elif f.has_default():
            values.append(sql_literal(f.get_default()))
        elif not f.null and f.get_internal_type() in ("CharField", "TextField", "EmailField"):
            values.append("''")
        else:
            values.append("NULL")
    series = "generate_series(1, %(n)s) AS g" if vendor == "postgresql" else None
    params = {
        "now": now,
        "past": now - dt.timedelta(hours=2),
        "future": now + dt.timedelta(days=3),
        "n": args.n,
    }
    with Timer() as load, connection.cursor() as cur:
        sql_values = ", ".join(values)
        if series:
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {sql_values} FROM {series}", params
            )  # noqa: S608
        else:
            cur.execute(
                f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %(n)s) "  # noqa: S608
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {sql_values} FROM s",
                params,
            )
        cur.execute("ANALYZE" if vendor != "postgresql" else f"ANALYZE {table}")
    print(f"loaded {args.n:,} cases in {load.seconds:.1f} s")

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

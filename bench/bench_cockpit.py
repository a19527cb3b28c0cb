"""The leaders' cockpit at city scale: N cases over three years (one INSERT … SELECT over
generate_series, PostgreSQL, secondary indexes built after), the pre-aggregates rebuilt and
verified (`manage.py cockpit verify`'s check), then each cockpit query timed against
one raw SQL GROUP BY over the case table computing the same figure in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_dash_bench \\
        .venv/bin/python bench/bench_cockpit.py [-n 1000000] [--repeat 5]

Targets (issue 13): 1,000,000 cases over three years; the cockpit page's data under 300 ms of
server time; any indicator for any period and filter under 150 ms; the generator under 2 min.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics

from _setup import Timer, machine, setup_django


def generate(n: int) -> tuple[object, object, float]:
    """The personas' subdistrict and n cases over the three years before now: every channel,
    two departments, four grids, 98 % finished (a few percent late, some reworked, rated), the
    last 2 % open, a tenth of those past their deadline."""
    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases import sla
    from gongzhi.cases.models import Case, Category
    from gongzhi.testing.personas import build_world

    world = build_world()
    ev = Category.objects.create(
        code="E01", name="市容环境（事件）", kind="event", department=world.orgs["chengguan"]
    )
    garbage = Category.objects.create(
        code="E0102", name="暴露垃圾", kind="event", parent=ev, group=ev, level=2
    )
    parts = Category.objects.create(
        code="B01", name="公用设施（部件）", kind="component", department=world.orgs["fangguan"]
    )
    manhole = Category.objects.create(
        code="B0101", name="上水井盖", kind="component", parent=parts, group=parts, level=2
    )
    sla.invalidate()
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    grids = list(world.grids.values())
    arr = lambda values: "(ARRAY[" + ", ".join(str(v) for v in values) + "])"  # noqa: E731
    open_from = n - n // 50
    late_from = n - n // 500
    secs = int((now - start).total_seconds())
    received = f"%(start)s + (g::bigint * {secs} / %(n)s) * INTERVAL '1 second'"
    dispatched = f"({received} + INTERVAL '1 hour')"
    exprs = {
        "id": "g",
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "number": "'B' || g",
        "tracking_code": "'T' || g",
        "received_at": received,
        "category_id": f"{arr([garbage.pk, manhole.pk])}[1 + g %% 2]",
        "department_id": f"{arr([world.orgs['chengguan'].pk, world.orgs['fangguan'].pk])}[1 + g %% 2]",
        "grid_id": f"{arr([g.pk for g in grids])}[1 + (g / 7) %% 4]",
        "station_id": f"{arr([g.station_id for g in grids])}[1 + (g / 7) %% 4]",
        "residential_area_id": f"{arr([g.residential_area_id for g in grids])}[1 + (g / 7) %% 4]",
        "subdistrict_id": str(grids[0].residential_area.subdistrict_id),
        "description": "'暴露垃圾无人清运'",
        "title": "'暴露垃圾'",
        "channel": "(ARRAY['hotline','inspector','resident','joint_patrol','emergency','deputy'])"
        "[1 + g %% 6]",
        "type": "'event'",
        "state": f"CASE WHEN g > {open_from} THEN 'accepted' ELSE 'evaluated' END",
        "filed_at": f"{received} + INTERVAL '10 minutes'",
        "dispatched_at": dispatched,
        "handle_due_at": f"CASE WHEN g > {late_from} THEN %(now)s - INTERVAL '2 hours' "
        f"ELSE {dispatched} + INTERVAL '3 days' END",
        "close_due_at": f"CASE WHEN g > {late_from} THEN %(now)s - INTERVAL '1 hour' "
        f"ELSE {dispatched} + INTERVAL '4 days' END",
        "due_at": f"CASE WHEN g > {open_from} THEN {dispatched} + INTERVAL '3 days' END",
        "handled_at": f"CASE WHEN g <= {open_from} THEN {dispatched} + (g %% 80) * INTERVAL '1 hour' END",
        "handled_on_time": f"CASE WHEN g <= {open_from} THEN (g %% 80) < 75 END",
        "closed_at": f"CASE WHEN g <= {open_from} THEN {dispatched} + (g %% 80 + 5) * INTERVAL '1 hour' END",
        "closed_on_time": f"CASE WHEN g <= {open_from} THEN (g %% 80) < 75 END",
        "satisfaction": f"CASE WHEN g > {open_from} THEN '' WHEN g %% 10 < 8 THEN 'satisfied' "
        "WHEN g %% 10 = 8 THEN 'basically' ELSE 'dissatisfied' END",
        "rework_count": "CASE WHEN g %% 37 = 0 THEN 1 ELSE 0 END",
    }
    cols, values = [], []
    for f in Case._meta.concrete_fields:
        cols.append(connection.ops.quote_name(f.column))
        if f.attname in exprs or f.name in exprs:
            values.append(exprs.get(f.attname) or exprs[f.name])
        elif f.has_default():
            d = f.get_default()
            values.append(str(d) if isinstance(d, int) and not isinstance(d, bool) else f"'{d}'")
        elif not f.null and f.get_internal_type() in ("CharField", "TextField", "EmailField"):
            values.append("''")
        else:
            values.append("NULL")
    table = Case._meta.db_table
    with Timer() as t, connection.cursor() as cur:
        # A bulk load: the secondary indexes are built once afterwards, and the foreign keys
        # (all pointing at the rows made above) are not checked row by row.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexname::regclass)",
            [table],
        )
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(values)} "  # noqa: S608
            "FROM generate_series(1, %(n)s) AS g",
            {"now": now, "start": start, "n": n},
        )
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cur.execute(definition)
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %(n)s)", {"n": n})  # noqa: S608
        cur.execute(f"ANALYZE {table}")
    return world, now, t.seconds


RAW = """
SELECT {group} AS g, count(*) FILTER (WHERE filed_at IS NOT NULL AND state NOT IN ('merged','not_accepted')) AS filed,
  count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_on_time) AS closed_on_time,
  count(*) FILTER (WHERE closed_at IS NOT NULL OR (state IN ('dispatched','accepted','handled')
                   AND close_due_at < %(now)s AND closed_at IS NULL)) AS due_close
FROM cases_case WHERE received_at >= %(start)s AND received_at < %(end)s {where} GROUP BY 1
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    vendor = setup_django()
    if vendor != "postgresql":
        raise SystemExit("bench_cockpit.py runs on PostgreSQL: set BENCH_DATABASE_URL")

    from django.db import connection

    from gongzhi.cases import measures as cm
    from gongzhi.cases.models import Category
    from gongzhi.dashboards import aggregates, periods, selectors

    world, now, load = generate(args.n)
    print(f"{machine()}; {args.n:,} cases generated in {load:.1f} s", flush=True)
    with Timer() as t:
        rows = aggregates.refresh_all()
    print(f"pre-aggregates rebuilt: {rows:,} daily rows in {t.seconds:.1f} s", flush=True)
    with Timer() as t:
        checked = aggregates.verify()
    print(
        f"cockpit verify: {checked.checked:,} figures checked, {checked.differ} differ, "
        f"in {t.seconds:.1f} s",
        flush=True,
    )
    manhole = Category.objects.get(code="B0101").pk
    leader = world.leader  # type: ignore[attr-defined]
    today = now.date()  # type: ignore[attr-defined]
    month = periods.month(today.replace(day=1) - dt.timedelta(days=1))
    year = periods.year(today.year - 1)

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(args.repeat):
            with Timer() as t:
                fn()
            times.append(t.seconds)
        return statistics.median(times) * 1000

    def raw(p: periods.Period, group: str, where: str = "") -> float:
        start, end = cm.period_bounds(p.date_from, p.date_to)

        def run() -> None:
            with connection.cursor() as cur:
                cur.execute(
                    RAW.format(group=group, where=where),
                    {"now": now, "start": start, "end": end},
                )
                cur.fetchall()

        return best(run)

    station = world.station_a.pk  # type: ignore[attr-defined]
    cases = [
        ("cockpit page data, last month", lambda: selectors.cockpit(leader, month, {}), month, "1"),
        ("cockpit page data, last year", lambda: selectors.cockpit(leader, year, {}), year, "1"),
    ]
    for label, fn, p, group in cases:
        ms = best(fn)
        base = raw(p, group)
        print(
            f"{label}: {ms:.0f} ms; raw GROUP BY over the cases {base:.0f} ms; {ms / base:.1f}×",
            flush=True,
        )
    ms = best(lambda: selectors.map_figures(leader, month, {}))
    base = raw(month, "grid_id")
    print(f"map figures, last month: {ms:.0f} ms; raw GROUP BY {base:.0f} ms; {ms / base:.1f}×")
    indicators = [
        ("indicator total, month", month, "total", {}, "1", ""),
        ("indicator total, year", year, "total", {}, "1", ""),
        ("indicator by department, year", year, "department", {}, "department_id", ""),
        (
            "indicator by month, 12 months",
            periods.trend_months(year),
            "month",
            {},
            "date_trunc('month', received_at)",
            "",
        ),
        ("indicator by grid, year", year, "grid", {}, "grid_id", ""),
        (
            "indicator total, year, one sub-category",
            year,
            "total",
            {"category": manhole},
            "1",
            f"AND category_id = {manhole}",
        ),
        (
            "indicator total, year, one station",
            year,
            "total",
            {"station": station},
            "1",
            f"AND station_id = {station}",
        ),
        (
            "indicator by channel, year, hotline",
            year,
            "channel",
            {"channel": "hotline"},
            "channel",
            "AND channel = 'hotline'",
        ),
    ]
    for label, p, group_by, filters, group, where in indicators:
        ms = best(
            lambda p=p, group_by=group_by, filters=filters: selectors.measure_table(
                user=leader,
                group_by=group_by,
                date_from=p.date_from,
                date_to=p.date_to,
                filters=filters,
            )
        )
        base = raw(p, group, where)
        print(f"{label}: {ms:.0f} ms; raw GROUP BY {base:.0f} ms; {ms / base:.2f}×", flush=True)


if __name__ == "__main__":
    main()

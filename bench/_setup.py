"""Shared set-up for the benchmarks: a fresh database of their own, never the demo's.

SQLite by default (var/bench.sqlite3, recreated each run); PostgreSQL when BENCH_DATABASE_URL
is set (the database is dropped and recreated, so point it at a scratch database)."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        db = ROOT / "var" / "bench.sqlite3"
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    # Production-like: DEBUG off (Django would otherwise record every query).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("TASKS_BACKEND", "database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    # Fixture users need no slow password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth import hashers

    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    from django.db import connection

    return connection.vendor


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


class Timer:
    """`with Timer() as t:` times one block (t.seconds). `Timer.total()` adds up every block it
    is entered for, for measurements taken in alternating blocks."""

    def __init__(self, accumulate: bool = False) -> None:
        self.accumulate = accumulate
        self.seconds = 0.0

    @classmethod
    def total(cls) -> Timer:
        return cls(accumulate=True)

    def __enter__(self) -> Timer:
        from django.utils import timezone

        self.start = time.perf_counter()
        self.start_time = timezone.now()
        return self

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self.start
        self.seconds = self.seconds + took if self.accumulate else took


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def load_cases(*, n: int, overdue: int) -> tuple[Any, Any]:
    """The personas' small subdistrict plus `n` cases written by one INSERT … SELECT: the first
    `overdue` are being handled and past their deadline, the next 2 % are open with deadlines
    ahead, the rest are finished (evaluated). Returns (world, now)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gongzhi.cases import sla
    from gongzhi.cases.models import Case, Category
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
    open_until = overdue + n // 50
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
        # Deadlines spread a minute apart, as real ones are (all alike would make the queue's
        # ORDER BY due_at, id sort every tie).
        "due_at": (
            f"CASE WHEN g <= {overdue} THEN %(past)s - g * INTERVAL '1 minute'"
            f" WHEN g <= {open_until} THEN %(future)s + g * INTERVAL '1 minute' ELSE NULL END"
            if connection.vendor == "postgresql"
            else f"CASE WHEN g <= {overdue} THEN datetime(%(past)s, '-' || g || ' minutes')"
            f" WHEN g <= {open_until} THEN datetime(%(future)s, '+' || g || ' minutes')"
            " ELSE NULL END"
        ),
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
    params = {
        "now": now,
        "past": now - dt.timedelta(hours=2),
        "future": now + dt.timedelta(days=3),
        "n": n,
    }
    select = f"SELECT {', '.join(values)}"
    with Timer() as load, connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) {select} FROM generate_series(1, %(n)s) AS g",
                params,
            )  # noqa: S608
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %(n)s)", params)  # noqa: S608
            cur.execute(f"ANALYZE {table}")
        else:
            cur.execute(
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %(n)s) "  # noqa: S608
                f"INSERT INTO {table} ({', '.join(cols)}) {select} FROM s",
                params,
            )
            cur.execute("ANALYZE")
    print(f"loaded {n:,} cases in {load.seconds:.1f} s")
    return world, now

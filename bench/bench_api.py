"""Filing a case through the REST API (POST /api/v1/cases with a token and an Idempotency-Key:
authentication, validation, intake, duplicate search, audit, the idempotency record, the
answer), served by gunicorn (2 sync workers) on PostgreSQL, against a bare endpoint on the same
server that inserts one row (bench/_api_wsgi.py), in the same run: requests per second of each
and their ratio. The two are measured in alternating blocks, so a busy moment on the machine
falls on both.

    .venv/bin/python bench/bench_api.py [-n 2000] [--clients 4] [--workers 2]

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gz_bench_api) is dropped and
created again: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _http import run_block, served  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gz_bench_api"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000, help="requests of each kind")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    if not os.environ["BENCH_DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench_api.py measures PostgreSQL: set BENCH_DATABASE_URL=postgres://…")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import machine, setup_django

    vendor = setup_django()
    from django.db import connection

    from gongzhi.api import services as api_services
    from gongzhi.cases import sla
    from gongzhi.cases.models import Case, Category
    from gongzhi.testing.geometry import lnglat
    from gongzhi.testing.personas import build_world

    world = build_world()
    group = Category.objects.create(
        code="E01", name="市容环境（事件）", kind="event", department=world.orgs["chengguan"]
    )
    cats = [
        Category.objects.create(
            code=f"E01{i:02d}", name=f"事件{i}", kind="event", parent=group, group=group, level=2
        )
        for i in range(1, 6)
    ]
    sla.invalidate()
    token = api_services.token_create(
        actor=world.operator, user=world.operator, name="bench"
    ).secret
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_bare_insert (id bigserial PRIMARY KEY, description text NOT NULL, "
            "created_at timestamptz NOT NULL)"
        )
    connection.close()

    with served(args.workers) as port:
        rng = random.Random(2026)
        texts = [
            "垃圾堆积无人清运",
            "井盖缺失存在安全隐患",
            "机动车乱停放堵塞消防通道",
            "店外经营占道",
        ]

        def body(i: int) -> bytes:
            lng, lat = lnglat(rng.uniform(5, 995), rng.uniform(5, 995))
            return json.dumps(
                {
                    "channel": "hotline",
                    "type": "complaint",
                    "category": rng.choice(cats).pk,
                    "description": f"{rng.choice(texts)}（第{i}号）",
                    "lat": lat,
                    "lng": lng,
                },
                ensure_ascii=False,
            ).encode()

        auth = {"Authorization": f"Bearer {token}"}
        api_reqs = [
            ("/api/v1/cases", body(i), {**auth, "Idempotency-Key": str(uuid.uuid4())})
            for i in range(args.n)
        ]
        bare_reqs = [("/bench/bare-insert", body(i), {}) for i in range(args.n)]
        # Warm up both workers on both paths (imports, the grid index, connections).
        run_block(port, [("/api/v1/cases", body(-1), auth) for _ in range(20)], args.clients)
        run_block(port, [("/bench/bare-insert", body(-1), {}) for _ in range(20)], args.clients)

        size = max(1, args.n // args.blocks)
        t_api = t_bare = 0.0
        st_api: dict[int, int] = {}
        st_bare: dict[int, int] = {}
        for start in range(0, args.n, size):
            seconds, statuses = run_block(port, bare_reqs[start : start + size], args.clients)
            t_bare += seconds
            for k, v in statuses.items():
                st_bare[k] = st_bare.get(k, 0) + v
            seconds, statuses = run_block(port, api_reqs[start : start + size], args.clients)
            t_api += seconds
            for k, v in statuses.items():
                st_api[k] = st_api.get(k, 0) + v

    n = args.n
    filed = Case.objects.count()
    print(
        f"\nmachine: {machine()}; database: {vendor}; gunicorn {args.workers} sync workers; "
        f"{args.clients} concurrent clients; {n} requests of each kind"
    )
    print(f"statuses: bare {st_bare}, API {st_api}; cases in the database: {filed}")
    print(f"bare insert endpoint : {t_bare:8.2f} s  {n / t_bare:8.0f} requests/s")
    print(f"POST /api/v1/cases   : {t_api:8.2f} s  {n / t_api:8.0f} requests/s")
    print(
        f"ratio API / bare: {(n / t_api) / (n / t_bare):.3f} of the bare endpoint's throughput "
        f"({t_api / t_bare:.2f}x the time)"
    )
    if st_api.get(201, 0) != n or st_bare.get(201, 0) != n:
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()

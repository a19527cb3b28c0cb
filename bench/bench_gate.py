"""The gate check through the REST API (POST /api/v1/sharing/gate-checks with the gate system's
token: authentication, validation, plate normalisation, permit and window lookup, the gate-log
row, the answer), served by gunicorn (2 sync workers) on PostgreSQL, against the bare endpoint
on the same server that inserts one row (bench/_api_wsgi.py), in the same run: requests per
second of each and their ratio. The method of bench_api.py: alternating blocks, so a busy moment
on the machine falls on both.

The car park is the demo's: every evening 17:30–07:30 and all weekend, 40 permits. The plates
asked about are the permit holders' (most), cars without a permit and malformed readings, at
times inside and outside the window, entering and leaving.

    .venv/bin/python bench/bench_gate.py [-n 2000] [--clients 4] [--workers 2]

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gz_bench_gate) is dropped and
created again: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _http import run_block, served  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gz_bench_gate"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000, help="requests of each kind")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    if not os.environ["BENCH_DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench_gate.py measures PostgreSQL: set BENCH_DATABASE_URL=postgres://…")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import machine, setup_django

    vendor = setup_django()
    import datetime as dt

    from django.db import connection

    from gongzhi.api import services as api_services
    from gongzhi.sharing.models import GateEvent, Permit
    from gongzhi.sharing.tests.factories import school_car_park
    from gongzhi.testing.personas import build_world

    world = build_world()
    car_park = school_car_park(world.orgs["school"], areas=[world.area_a])
    plates = [f"沪A{10000 + i:05d}" for i in range(40)]
    Permit.objects.bulk_create(
        Permit(
            resource=car_park,
            holder_name=f"居民{i}",
            plate=p,
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2027, 12, 31),
        )
        for i, p in enumerate(plates)
    )
    # The gate system's account: the school's liaison (a guard's position works the same way).
    token = api_services.token_create(actor=world.liaison, user=world.liaison, name="gate").secret
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_bare_insert (id bigserial PRIMARY KEY, description text NOT NULL, "
            "created_at timestamptz NOT NULL)"
        )
    connection.close()

    with served(args.workers) as port:
        rng = random.Random(2026)
        moments = [
            "2026-12-07T18:30:00+08:00",  # Monday evening: open
            "2026-12-08T06:50:00+08:00",  # Tuesday early: open (across midnight)
            "2026-12-08T09:15:00+08:00",  # school hours: refused
            "2026-12-12T11:00:00+08:00",  # Saturday: open
        ]

        def body(i: int) -> bytes:
            r = rng.random()
            if r < 0.8:
                plate = rng.choice(plates)
            elif r < 0.95:
                plate = f"沪B{rng.randrange(100000):05d}"  # no permit
            else:
                plate = "沪?12"  # a misread
            return json.dumps(
                {
                    "resource": car_park.pk,
                    "plate": plate,
                    "at": rng.choice(moments),
                    "direction": "in" if rng.random() < 0.6 else "out",
                    "description": plate,
                },
                ensure_ascii=False,
            ).encode()

        auth = {"Authorization": f"Bearer {token}"}
        api_reqs = [("/api/v1/sharing/gate-checks", body(i), auth) for i in range(args.n)]
        bare_reqs = [("/bench/bare-insert", body(i), {}) for i in range(args.n)]
        # Warm up both workers on both paths (imports, the grid index, connections).
        run_block(
            port, [("/api/v1/sharing/gate-checks", body(-1), auth) for _ in range(20)], args.clients
        )
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
    logged = GateEvent.objects.count()
    print(
        f"\nmachine: {machine()}; database: {vendor}; gunicorn {args.workers} sync workers; "
        f"{args.clients} concurrent clients; {n} requests of each kind"
    )
    print(f"statuses: bare {st_bare}, API {st_api}; gate-log rows: {logged}")
    print(f"bare insert endpoint : {t_bare:8.2f} s  {n / t_bare:8.0f} requests/s")
    print(f"POST /api/v1/sharing/gate-checks: {t_api:8.2f} s  {n / t_api:8.0f} requests/s")
    print(
        f"ratio API / bare: {(n / t_api) / (n / t_bare):.3f} of the bare endpoint's throughput "
        f"({t_api / t_bare:.2f}x the time)"
    )
    if st_api.get(200, 0) != n or st_bare.get(201, 0) != n:
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()

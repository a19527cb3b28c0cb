"""Registration for one popular event by many people at once through the REST API
(POST /api/v1/service/events/<id>/registrations with each person's own token: authentication,
the event's lock, the seat count, the registration or the waiting list, its check-in code, audit,
timeline, event, answer), served by gunicorn on PostgreSQL, against the bare endpoint of
bench/_api_wsgi.py (one INSERT) on the same server in the same run, in alternating blocks.

Every person registers twice (the second request must return the same registration), so the
run also checks what matters: nobody is registered twice, and the seats taken never exceed the
event's capacity; the rest are on the waiting list in the order they came.

    .venv/bin/python bench/bench_registration.py [-n 1000] [--capacity 200] [--clients 8]

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gz_bench_registration) is
dropped and created again: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _http import run_block, served  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gz_bench_registration"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000, help="people registering")
    parser.add_argument("--capacity", type=int, default=200, help="the event's seats")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    if not os.environ["BENCH_DATABASE_URL"].startswith("postgres"):
        raise SystemExit(
            "bench_registration.py measures PostgreSQL: set BENCH_DATABASE_URL=postgres://…"
        )

    from _setup import machine, setup_django

    vendor = setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.api import services as api_services
    from gongzhi.servicecentre.models import Registration
    from gongzhi.servicecentre.tests.factories import EventFactory, build_network
    from gongzhi.testing.personas import build_world

    world = build_world()
    net = build_network(world)
    event = EventFactory(
        point=net.building,
        title="午间健康讲座（热门）",
        capacity=args.capacity,
        starts_at=timezone.now() + dt.timedelta(days=2),
    )
    unusable = "!bench"  # noqa: S105  (no login: the people use their API tokens)
    users = User.objects.bulk_create(
        User(username=f"bench{i:05d}", password=unusable) for i in range(args.n)
    )
    tokens = [api_services.token_create(actor=u, user=u, name="bench").secret for u in users]
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_bare_insert (id bigserial PRIMARY KEY, description text NOT NULL, "
            "created_at timestamptz NOT NULL)"
        )
    connection.close()

    path = f"/api/v1/service/events/{event.pk}/registrations"
    body = json.dumps({"mobile": "13800000000"}).encode()
    with served(args.workers) as port:
        # Each person twice, the second request among later ones, so duplicates race too.
        api_reqs = [(path, body, {"Authorization": f"Bearer {t}"}) for t in tokens]
        api_reqs = api_reqs + api_reqs[::-1]
        bare_reqs = [
            ("/bench/bare-insert", json.dumps({"description": f"r{i}"}).encode(), {})
            for i in range(len(api_reqs))
        ]
        run_block(port, [(r"/bench/bare-insert", b"{}", {}) for _ in range(20)], args.clients)
        total = len(api_reqs)
        size = max(1, total // args.blocks)
        t_api = t_bare = 0.0
        st_api: dict[int, int] = {}
        st_bare: dict[int, int] = {}
        for start in range(0, total, size):
            seconds, statuses = run_block(port, bare_reqs[start : start + size], args.clients)
            t_bare += seconds
            for k, v in statuses.items():
                st_bare[k] = st_bare.get(k, 0) + v
            seconds, statuses = run_block(port, api_reqs[start : start + size], args.clients)
            t_api += seconds
            for k, v in statuses.items():
                st_api[k] = st_api.get(k, 0) + v

    regs = Registration.objects.filter(event=event)
    taken = regs.filter(state__in=("registered", "attended")).count()
    waiting = regs.filter(state="waitlisted").count()
    twice = (
        regs.exclude(state="cancelled")
        .values("user")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(
        f"\nmachine: {machine()}; database: {vendor}; gunicorn {args.workers} sync workers; "
        f"{args.clients} concurrent clients; {args.n} people, each registering twice "
        f"({total} requests); capacity {args.capacity}"
    )
    print(f"statuses: bare {st_bare}, API {st_api}")
    print(f"registered {taken}, waiting {waiting}, registered twice: {twice}")
    print(f"bare insert endpoint          : {t_bare:8.2f} s  {total / t_bare:8.0f} requests/s")
    print(f"POST …/registrations (API)    : {t_api:8.2f} s  {total / t_api:8.0f} requests/s")
    print(
        f"ratio API / bare: {(total / t_api) / (total / t_bare):.3f} ({t_api / t_bare:.2f}x the time)"
    )
    ok = (
        twice == 0
        and taken == min(args.capacity, args.n)
        and taken + waiting == args.n
        and st_api.get(201, 0) == args.n
        and st_api.get(200, 0) == args.n
    )
    if not ok:
        raise SystemExit("FAILED: a double registration, an exceeded capacity or a failed request")
    print("checks: nobody registered twice; capacity never exceeded; everyone else waiting")


if __name__ == "__main__":
    main()

"""Intake: N cases filed through the service (validate, route, deadline, timeline, audit, events,
commit), against a bare ORM insert of the same rows, one transaction per case in both; and N
more filed as the grid centre files them, with the search for similar cases nearby that its
intake page shows beside the dispatch form (inspectors, residents and Open311 are not shown it,
so their filings skip it).

    ./run bench                      # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench .venv/bin/python bench/bench_intake.py

Target: at most 2.5× the bare insert.
"""

from __future__ import annotations

import argparse
import random

from _setup import Timer, machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    vendor = setup_django()

    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from gongzhi.cases import services, sla
    from gongzhi.cases.models import Case, Category
    from gongzhi.places.selectors import default_subdistrict_id
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
    rng = random.Random(2026)
    texts = [
        "垃圾堆积无人清运",
        "井盖缺失存在安全隐患",
        "机动车乱停放堵塞消防通道",
        "店外经营占道",
        "绿地脏乱",
    ]
    rows = []
    for i in range(args.n):
        lng, lat = lnglat(rng.uniform(5, 995), rng.uniform(5, 995))
        rows.append(
            {
                "category": rng.choice(cats),
                "lat": lat,
                "lng": lng,
                "description": f"{rng.choice(texts)}（第{i}号）",
            }
        )

    # Baseline: the framework's bare insert of the same rows, one transaction each; measured in
    # alternating blocks with the service so that other load on the machine hits both alike.
    now = timezone.now()
    subdistrict_id = default_subdistrict_id()
    bare, intake, centre = Timer.total(), Timer.total(), Timer.total()
    block = 250
    bar = tqdm(total=3 * len(rows), desc="bare insert / case_intake", unit="case", mininterval=5)
    for start in range(0, len(rows), block):
        chunk = list(enumerate(rows))[start : start + block]
        with bare:
            for i, r in chunk:
                with transaction.atomic():
                    Case.objects.create(
                        number=f"BARE-{i:06d}",
                        channel="inspector",
                        type="event",
                        category=r["category"],
                        description=r["description"],
                        lat=r["lat"],
                        lng=r["lng"],
                        tracking_code=f"B{i:09d}",
                        received_at=now,
                        subdistrict_id=subdistrict_id,
                    )
        # The service: validate, route, deadline, timeline, audit, events, commit; then the
        # same as the centre files it, with the similar cases nearby.
        for timer, find_duplicates in ((intake, False), (centre, True)):
            with timer:
                for _i, r in chunk:
                    services.case_intake(
                        actor=world.operator,
                        channel="inspector",
                        type="event",
                        find_duplicates=find_duplicates,
                        **r,
                    )
        bar.update(3 * len(chunk))
        # Keep the planner's statistics current between blocks (untimed), as autovacuum and a
        # nightly ANALYZE do for a table that grows steadily; a table that went from 0 to
        # thousands of rows in a minute would otherwise be planned as if it were empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
    bar.close()

    n = args.n
    print(f"\nmachine: {machine()}; database: {vendor}; cases: {n}")
    print(f"bare ORM insert : {bare.seconds:8.2f} s  {n / bare.seconds:8.0f} cases/s")
    print(f"case_intake     : {intake.seconds:8.2f} s  {n / intake.seconds:8.0f} cases/s")
    print(f"+ similar cases : {centre.seconds:8.2f} s  {n / centre.seconds:8.0f} cases/s")
    print(f"ratio intake / bare insert: {intake.seconds / bare.seconds:.2f}x (target ≤ 2.5x)")
    print(
        f"ratio intake with the search for similar cases / bare insert: {centre.seconds / bare.seconds:.2f}x"
    )


if __name__ == "__main__":
    main()

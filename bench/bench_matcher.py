"""The matcher's time for one need against 1,000 resources (gongzhi.alliance.matching).

    .venv/bin/python bench/bench_matcher.py [-n 1000] [--repeat 20]

Loads `-n` resources of the seven kinds from 50 units, spread over the subdistrict with
availability windows and Chinese texts, and one need (parking at night near 杏梅园). Times
`matches_for_need(need)` — the resources read from the database, every one scored on category,
distance, overlapping hours, text similarity and past success, ranked, the reasons written —
as the need's page and the API call it. Baseline: reading the same resources from the database
alone (`list(Resource.objects.active().select_related("owner"))`)."""

from __future__ import annotations

import argparse
import random
import statistics

from _setup import Timer, machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    vendor = setup_django()

    from gongzhi.alliance import matching
    from gongzhi.alliance.models import Category, Need, Resource
    from gongzhi.org.models import Organisation

    rng = random.Random(2026)
    units = Organisation.objects.bulk_create(
        [Organisation(name=f"成员单位{i}", kind="resident_unit") for i in range(50)]
    )
    windows = [
        [
            {"days": [0, 1, 2, 3, 4], "start": "17:30", "end": "07:30"},
            {"days": [5, 6], "start": "00:00", "end": "24:00"},
        ],
        [{"days": [5, 6], "start": "09:00", "end": "17:00"}],
        [{"days": [0, 1, 2, 3, 4], "start": "18:30", "end": "21:00"}],
        [],
    ]
    words = [
        "停车场错时开放",
        "会议室",
        "党员志愿服务队",
        "法律咨询",
        "科普讲座",
        "公益资助",
        "音响设备出借",
    ]
    Resource.objects.bulk_create(
        [
            Resource(
                owner=units[i % 50],
                kind=rng.choice(Category.values),
                title=f"{units[i % 50].name}{rng.choice(words)}",
                description="非工作时间向周边居民开放，提前预约，登记使用",
                windows=rng.choice(windows),
                lat=31.2412 + rng.uniform(-0.01, 0.01),
                lng=121.4105 + rng.uniform(-0.012, 0.012),
            )
            for i in range(args.n)
        ]
    )
    need = Need.objects.create(
        title="杏梅园居民夜间停车难",
        description="小区车位不足，居民晚上回家找不到车位",
        category="parking",
        windows=[{"days": [0, 1, 2, 3, 4, 5, 6], "start": "19:00", "end": "07:00"}],
        lat=31.2405,
        lng=121.4080,
    )
    matching.matches_for_need(need)  # warm up
    base, measured = [], []
    for _ in range(args.repeat):
        with Timer() as t:
            list(Resource.objects.active().select_related("owner"))
        base.append(t.seconds)
        with Timer() as t:
            found = matching.matches_for_need(need)
        measured.append(t.seconds)
    m, b = statistics.median(measured), statistics.median(base)
    print(machine())
    print(f"database: {vendor}; {args.n:,} resources, median of {args.repeat}")
    print(f"matches_for_need: {m * 1000:.1f} ms ({len(found)} matches, best {found[0].score})")
    print(f"baseline (read the resources): {b * 1000:.1f} ms; ratio {m / b:.1f}x")


if __name__ == "__main__":
    main()

"""Hot spots (gongzhi.triage.hotspots): over the 4,326 real messages with their likes, and over
1,000,000 synthetic cases.

    .venv/bin/python bench/bench_triage_hotspots.py [-n 1000000] [--top 10]

1. `group_texts` over ../shared/data/hotline_messages/with_votes.csv (text only: alike
   subjects and openings, within 60 days, places that do not disagree), ranked with a
   half-life of 365 days before the last message (the file spans 2017–2020); prints the top
   groups (docs/hotspots.md describes them). Baseline: the character TF-IDF of the same texts
   alone (the grouping's first step).
2. `group_cases` over `-n` synthetic cases (category group × ~100 m cell, a year, with a few
   hundred planted bursts). Baseline: a plain group-by of the same items by their key (a dict
   of lists), the least any grouping must do.
No database is needed (the selector `triage.selectors.hot_spots` reads the cases' columns and
calls `group_cases`)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections import defaultdict

from _setup import ROOT, Timer, machine

VOTES = ROOT.parent / "shared" / "data" / "hotline_messages" / "with_votes.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from gongzhi.triage import hotspots

    print(machine())
    if VOTES.exists():
        items = hotspots.read_votes_csv(VOTES)
        from sklearn.feature_extraction.text import TfidfVectorizer

        with Timer() as base:
            TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(
                ["".join(i.text.split())[:80] for i in items]
            )
        with Timer() as t:
            spots = hotspots.group_texts(items, top=args.top, half_life=365)
        print(
            f"with_votes.csv, {len(items):,} messages: {t.seconds:.2f} s "
            f"(TF-IDF alone {base.seconds:.2f} s, {t.seconds / base.seconds:.1f}×)"
        )
        for k, s in enumerate(spots, 1):
            heads = " / ".join(i.text.split("\n")[0][:30] for i in s.items[:3])
            print(
                f"{k:2}. heat {s.heat:5.1f}  {s.size:2} msgs {s.reporters:2} users "
                f"{s.supports:5} likes {s.objections:3} against  {s.start:%Y-%m-%d}–{s.end:%m-%d}"
                f"  growth {s.growth:.2f}  [{s.label}]  {heads}"
            )
    else:
        print(f"{VOTES} is not here: the real part is skipped", file=sys.stderr)

    rng = random.Random(2026)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    groups = [f"E0{g}" for g in range(1, 7)] + [f"H{g:02d}" for g in range(1, 21)]
    words = ["垃圾堆积", "乱停车", "噪音扰民", "路灯不亮", "井盖缺失", "油烟", "占道经营", "漏水"]
    with Timer() as make:
        items = []
        for i in range(args.n):
            if i % 1000 < 3:  # a planted burst: one problem, one place, a few days
                burst = i // 1000
                key = (groups[burst % len(groups)], ("cell", burst * 7919 % 40000))
                at = start + dt.timedelta(days=burst % 360, hours=rng.random() * 72)
            else:
                key = (rng.choice(groups), ("cell", rng.randrange(40000)))
                at = start + dt.timedelta(seconds=rng.random() * 365 * 86400)
            items.append(
                hotspots.Item(
                    id=i,
                    text=f"{rng.choice(words)}\n兰溪路{i % 500}号",
                    at=at,
                    reporter=f"u{rng.randrange(args.n)}",
                    key=key,
                )
            )
    now = start + dt.timedelta(days=365)
    with Timer() as base:
        by_key: dict[object, list[object]] = defaultdict(list)
        for item in items:
            by_key[item.key].append(item)
    with Timer() as t:
        spots = hotspots.group_cases(items, now=now, top=20)
    print(
        f"{args.n:,} synthetic cases (built in {make.seconds:.1f} s): {t.seconds:.2f} s "
        f"(plain group-by {base.seconds:.2f} s, {t.seconds / base.seconds:.1f}×); "
        f"top group {spots[0].size} cases, heat {spots[0].heat:.1f}"
    )


if __name__ == "__main__":
    main()

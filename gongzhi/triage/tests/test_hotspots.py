"""Hot spots: same problem, same place, same period; ranked by heat; the selector the cockpit
reads; the check on the real messages with their likes."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.triage import hotspots, selectors
from gongzhi.triage.tests.conftest import shared

T0 = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)


def item(i, key, days, reporter=None, **kw):
    return hotspots.Item(
        id=i,
        text=kw.pop("text", "电梯故障\n3号楼电梯停运"),
        at=T0 + dt.timedelta(days=days),
        reporter=reporter or f"u{i}",
        key=key,
        **kw,
    )


def test_cases_group_by_problem_and_place_and_split_at_long_gaps():
    lift = ("H03", ("cell", 1))
    items = [item(i, lift, i * 0.5) for i in range(6)]  # six reports in three days
    items += [item(10, lift, 60), item(11, lift, 61)]  # the same lift two months later
    items += [item(20, ("H03", ("cell", 2)), 1)]  # another place: alone
    items += [item(30, ("E01", ("cell", 1)), 1), item(31, ("E01", ("cell", 1)), 2, reporter="u30")]
    spots = hotspots.group_cases(items, now=T0 + dt.timedelta(days=62), window=14)
    sizes = sorted((s.size, s.reporters) for s in spots)
    assert sizes == [(2, 1), (2, 2), (6, 6)]
    # Recency: two months on, the fresh pair ranks above the six residents' burst.
    assert spots[0].size == 2 and spots[0].start == T0 + dt.timedelta(days=60)
    assert spots[1].size == 6 and "电梯" in spots[1].label


def test_heat_counts_reporters_supports_recency_and_growth():
    now = T0 + dt.timedelta(days=10)
    same_person = [item(i, "k", i, reporter="u1") for i in range(4)]
    many = [item(i, "k", i) for i in range(4)]
    assert hotspots.heat_of(many, now=now)[0] > hotspots.heat_of(same_person, now=now)[0]
    liked = [item(0, "k", 1, supports=1000)]
    assert hotspots.heat_of(liked, now=now)[0] > hotspots.heat_of([item(0, "k", 1)], now=now)[0]
    old = [item(i, "k", i - 200) for i in range(4)]
    assert hotspots.heat_of(old, now=now)[0] < hotspots.heat_of(many, now=now)[0]
    growing = [item(0, "k", 0)] + [item(i, "k", 9 + i / 10) for i in range(1, 6)]
    assert hotspots.heat_of(growing, now=now)[2] > 0.5


def test_texts_alike_in_time_and_place_group_together():
    texts = [
        "投诉魅力之城小区楼下夜宵摊油烟扰民\n劳动东路魅力之城小区一楼夜宵摊油烟严重",
        "魅力之城小区楼下夜宵摊油烟扰民严重\n每天晚上油烟进屋",
        "魅力之城小区楼下夜宵摊油烟扰民问题\n希望尽快处理",
        "丽发新城小区附近搅拌站噪音扰民\n每天夜里施工",
    ]
    items = [
        hotspots.Item(id=i, text=t, at=T0 + dt.timedelta(days=i), reporter=f"u{i}", supports=i)
        for i, t in enumerate(texts)
    ]
    items.append(hotspots.Item(id=9, text=texts[0], at=T0 + dt.timedelta(days=200), reporter="u9"))
    spots = hotspots.group_texts(items, min_size=1, half_life=365)
    top = spots[0]
    assert sorted(i.id for i in top.items) == [0, 1, 2] and "魅力之城小区" in top.place
    assert "油烟" in top.label


def test_the_selector_reads_the_users_cases(triage):
    w = triage.world
    lat, lng = triage.point()
    now = timezone.now()
    for k in range(3):
        services.case_intake(
            actor=w.operator,
            channel="hotline",
            type="complaint",
            category=triage.garbage,
            title="兰溪路垃圾堆积",
            description=f"垃圾堆积无人清运{k}",
            lat=lat,
            lng=lng,
            reporter_phone=f"1381234567{k}",
        )
    services.case_intake(
        actor=w.operator,
        channel="hotline",
        type="complaint",
        category=triage.parking,
        description="乱停车",
        lat=lat,
        lng=lng,
    )
    services.case_intake(
        actor=w.operator,
        channel="hotline",
        type="complaint",
        category=triage.garbage,
        description="垃圾",
        lat=triage.point("b2")[0],
        lng=triage.point("b2")[1],
    )
    spots = selectors.hot_spots(w.leader, now=now)
    assert len(spots) == 1 and spots[0].size == 3 and spots[0].reporters == 3
    assert selectors.hot_spots(w.handler, now=now) == []  # nothing dispatched to them


def test_the_hot_spots_page(client, triage):
    client.force_login(triage.world.leader)
    assert "热点问题" in client.get(reverse("triage:hot_spots")).content.decode()
    client.force_login(triage.world.handler)
    assert client.get(reverse("triage:hot_spots")).status_code == 403


def test_on_the_real_messages_with_likes_the_top_group_is_the_parking_space_bundle():
    """docs/hotspots.md: 伊景园滨河苑's parking spaces sold bundled with the flats, raised by 14
    people in 16 messages over six weeks."""
    items = hotspots.read_votes_csv(shared("hotline_messages", "with_votes.csv"))
    assert len(items) == 4326
    spots = hotspots.group_texts(items, top=5, half_life=365)
    assert "伊景园滨河苑" in spots[0].label and spots[0].size >= 10 and spots[0].reporters >= 10
    assert any(s.supports > 1000 for s in spots)  # a single message with thousands of likes

"""The matcher on hand-built cases: each part of the score and its reason."""

from __future__ import annotations

import pytest

from gongzhi.alliance import matching
from gongzhi.alliance.models import Need, Project, Resource
from gongzhi.alliance.tests.factories import (
    NIGHTS,
    OFF_PEAK,
    NeedFactory,
    ProjectFactory,
    ResourceFactory,
    party,
    point,
)
from gongzhi.core.errors import ServiceError
from gongzhi.org.models import Organisation


def _need(**kw):
    return Need(title="夜间停车难", description="居民晚上回家没有车位", category="parking", **kw)


def _res(**kw):
    kw.setdefault("owner", Organisation(name="曹杨二中附属学校"))
    return Resource(
        title=kw.pop("title", "学校停车场错时开放"),
        description=kw.pop("description", "放学后和周末向居民开放停车"),
        kind=kw.pop("kind", "parking"),
        **kw,
    )


def test_windows_cross_midnight_and_overlap():
    assert matching.parse_windows([{"days": [6], "start": "22:00", "end": "02:00"}]) == [
        (0, 120),
        (6 * 1440 + 1320, 7 * 1440),
    ]
    # Nights 19:00–07:00 every day against school off-peak hours: every night but Sunday's,
    # whose early Monday hours (00:00–07:00) the school's weekend window does not reach.
    assert matching.overlap_share(NIGHTS, OFF_PEAK) == pytest.approx(77 / 84)
    assert matching.overlap_share(NIGHTS[:1], NIGHTS) == 1.0
    day = [{"days": [0], "start": "08:00", "end": "16:00"}]
    assert matching.overlap_share(day, OFF_PEAK) == 0
    assert matching.overlap_share([], OFF_PEAK) is None
    assert matching.overlap_share(day, []) == 1.0  # no windows: any time


@pytest.mark.parametrize(
    "bad",
    [[{"start": "25:00", "end": "01:00"}], [{"days": [7], "start": "01:00", "end": "02:00"}], "x"],
)
def test_bad_windows_are_refused(bad):
    with pytest.raises(ServiceError):
        matching.parse_windows(bad)


def test_score_parts_and_reasons():
    need = _need(windows=NIGHTS, **point(100, 100))
    near = _res(windows=OFF_PEAK, **point(200, 100))
    m = matching.score(need, near, successes=2)
    assert m.parts["category"] == 40
    assert m.parts["distance"] == 20
    assert m.parts["availability"] == pytest.approx(20 * 77 / 84, abs=0.1)
    assert m.parts["text"] > 0
    assert m.parts["success"] == 4
    assert m.score == pytest.approx(sum(m.parts.values()))
    text = " ".join(m.reasons)
    assert "100" in text  # metres away
    assert len(m.reasons) == 5


def test_far_wrong_kind_busy_resource_scores_low():
    need = _need(windows=NIGHTS, **point(0, 0))
    far = _res(
        kind="venue",
        title="会议室",
        description="白天开会",
        windows=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
        **point(5000, 0),
    )
    m = matching.score(need, far)
    assert m.parts["category"] == 0 and m.parts["distance"] == 0 and m.parts["availability"] == 0
    assert m.score < 10


@pytest.mark.django_db
def test_ranking_for_a_need_and_for_a_resource(world):
    school = world.orgs["school"]
    need = NeedFactory(category="parking", windows=NIGHTS, title="夜间停车", **point(100, 100))
    best = ResourceFactory(
        owner=school,
        kind="parking",
        title="学校停车场夜间停车",
        windows=OFF_PEAK,
        **point(150, 100),
    )
    farther = ResourceFactory(kind="parking", title="商场停车场", **point(2000, 100))
    ResourceFactory(kind="lecture", title="党课", **point(100, 100))
    # The school's past success counts.
    done = ProjectFactory(state=Project.State.COMPLETED)
    party(done, school)
    found = matching.matches_for_need(need)
    assert [m.obj for m in found][:2] == [best, farther]
    assert found[0].parts["success"] == 2
    assert all(m.score >= 20 for m in found)
    back = matching.matches_for_resource(best)
    assert back[0].obj == need

"""The alliance's seed stage on the real places, organisations and people stages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gongzhi.alliance import matching
from gongzhi.alliance.models import (
    DualRegistrationYear,
    JointActivity,
    Membership,
    Need,
    Project,
    Resource,
)
from gongzhi.alliance.summary import alliance_summary
from gongzhi.core.seeding import SeedContext, stages

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
NEEDED = ("places", "organisations", "people", "accounts", "alliance")


def _rows() -> list[tuple]:
    return sorted(
        [
            *Project.objects.values_list("title", "state", "version", "proposed_at"),
            *Resource.objects.values_list("title", "owner__name", "kind"),
            *Need.objects.values_list("title", "category", "state", "urgency"),
            *JointActivity.objects.values_list("title", "held_on", "participants"),
        ],
        key=repr,
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # noqa: ARG001
    """The stages the alliance's needs, then the alliance's twice (the second run after the
    first is rolled back): the rows of both runs, for the determinism test."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = SeedContext(seed=2026, now=NOW)
        alliance = None
        for st in stages():
            if st.name in NEEDED[:-1]:
                st.run(ctx)
            elif st.name == "alliance":
                alliance = st
        assert alliance is not None
        sid = transaction.savepoint()
        alliance.run(ctx)
        first = _rows()
        transaction.savepoint_rollback(sid)
        alliance.run(SeedContext(seed=2026, now=NOW))
        ctx.made["first_rows"] = first
        yield ctx
        transaction.set_rollback(True)


def test_members_lists_and_activities(seeded, db):
    assert Membership.objects.count() == 24
    assert Membership.objects.filter(liaison__isnull=False).count() >= 20
    s = alliance_summary()
    assert s["member_units"] == 24
    assert 40 <= s["joint_activities"] <= 60
    assert set(JointActivity.objects.values_list("kind", flat=True)) == set(
        JointActivity.Kind.values
    )
    assert s["resources"] == Resource.objects.count() == 60
    assert s["needs"] == Need.objects.count() == 80
    assert set(s["projects_by_state"]) == set(Project.State.values)
    assert s["projects"] >= 12


def test_the_school_car_park_and_xingyang_greening(seeded, db):
    park = Resource.objects.get(owner__name="曹杨二中附属学校", title__contains="错时停车")
    need = Need.objects.get(title="杏梅园居民夜间停车难")
    assert matching.matches_for_need(need)[0].obj == park
    p = Project.objects.get(resource=park)
    assert p.state == Project.State.EVALUATED and p.public
    assert list(p.events.values_list("action", flat=True)) == [
        "propose",
        "agree",
        "start",
        "progress",
        "complete",
        "evaluate",
    ]
    green = Project.objects.get(title__contains="杏杨绿益")
    assert green.kind == "self_governance" and green.owner_area.name.startswith("杏杨")
    assert green.state == Project.State.IN_PROGRESS
    assert green.parties.count() >= 2


def test_history_is_in_the_past_and_versions_follow_events(seeded, db):
    for p in Project.objects.all():
        events = list(p.events.order_by("at", "id"))
        assert events[-1].to_state == p.state
        assert p.version == len(events) - 1
        assert all(e.at <= NOW for e in events)
    assert DualRegistrationYear.objects.filter(confirmed_at__isnull=True).exists()
    assert DualRegistrationYear.objects.filter(confirmed_at__isnull=False).exists()


def test_deterministic(seeded, db):
    assert seeded.made["first_rows"] == _rows()


def test_the_demo_liaison_finds_its_unit_s_part(seeded, db, client):
    from django.urls import reverse

    from gongzhi.accounts.models import User

    user = User.objects.get(username="liaison_school")
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "figure-resources" in home and "home-project" in home
    park = Project.objects.get(title__contains="错时停车")
    for url in (
        reverse("alliance:index"),
        reverse("alliance:resources") + "?mine=1",
        reverse("alliance:needs") + "?category=parking",
        reverse("alliance:projects"),
        reverse("alliance:project", args=[park.pk]),
        reverse("alliance:need", args=[park.need_id]),
        reverse("alliance:quarterly"),
        reverse("alliance:public"),
    ):
        assert client.get(url).status_code == 200, url

"""Two subdistricts on one installation: each one's leaders reach their own councils' papers
(pages, API) and manage only those, the district office sees both, the public outcomes can be
narrowed to one subdistrict, and a council does not seat a unit of another subdistrict."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.meetings import services
from gongzhi.meetings.models import Body, Meeting, Topic
from gongzhi.testing.second_subdistrict import build_other

from .conftest import make_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    other = build_other(world)
    council = make_council(world, subdistrict=world.subdistrict)
    a = council.meeting(title="杏梅园联席会议")
    body_b = Body.objects.create(
        name="长风社区代表会议",
        kind=Body.Kind.REPRESENTATIVE_COUNCIL,
        subdistrict=other.subdistrict,
        papers=Body.Papers.STAFF,
    )
    b = services.meeting_create(
        actor=other.leader,
        body=body_b,
        title="长风代表会议",
        starts_at=timezone.now() + dt.timedelta(days=3),
    )
    now = timezone.now()
    for body, title in ((council.body, "杏梅园停车"), (body_b, "长风加梯")):
        Topic.objects.create(
            body=body,
            title=title,
            proposer_kind=Topic.Proposer.STAFF,
            state=Topic.State.PUBLISHED,
            outcome="通过",
            published_at=now,
        )
    return world, other, council, body_b, a, b


def test_each_subdistrict_reaches_its_own_councils(client, two):
    world, other, council, body_b, a, b = two
    client.force_login(world.leader)
    assert client.get(reverse("meetings:body", args=[body_b.pk])).status_code == 404
    assert client.get(reverse("meetings:meeting", args=[b.pk])).status_code == 404
    page = client.get(reverse("meetings:index")).content.decode()
    assert "长风代表会议" not in page
    api = ApiClient(token_for(world.leader))
    listed = api.get("/meetings").json()
    ids = {m["id"] for m in (listed["results"] if "results" in listed else listed["items"])}
    assert a.pk in ids and b.pk not in ids
    assert api.get(f"/meetings/{b.pk}").status_code == 404
    with pytest.raises(NotAllowed):  # a leader of one subdistrict manages its councils only
        services.meeting_create(
            actor=world.leader,
            body=body_b,
            title="越权",
            starts_at=timezone.now() + dt.timedelta(days=5),
        )
    assert set(perms.visible(other.leader, Meeting)) == {b}
    assert set(perms.visible(other.district, Meeting)) == {a, b}
    # The public outcomes: every subdistrict's, or one's.
    client.logout()
    page = client.get(reverse("meetings:public")).content.decode()
    assert "杏梅园停车" in page and "长风加梯" in page
    page = client.get(reverse("meetings:public"), {"subdistrict": other.subdistrict.pk})
    assert "长风加梯" in page.content.decode() and "杏梅园停车" not in page.content.decode()


def test_no_seat_or_council_across_subdistricts(world):
    other = build_other(world)
    council = make_council(world, subdistrict=world.subdistrict)
    with pytest.raises(ServiceError):
        services.member_add(
            actor=world.leader,
            body=council.body,
            person=other.liaison.person,
            organisation=other.unit,
        )
    with pytest.raises(NotAllowed):
        services.body_create(
            actor=world.leader,
            name="长风议事会",
            kind=Body.Kind.CONSULTATION,
            organisation=other.unit,
        )
    body = services.body_create(actor=other.leader, name="长风议事会", kind=Body.Kind.CONSULTATION)
    assert body.subdistrict_id == other.subdistrict.pk

"""Two subdistricts on one installation: each one's staff see and act on their own alliance's
lists only (pages, API), the district office sees both, the public page shows every
subdistrict's projects (one's, when asked), and nothing links rows of two subdistricts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.alliance import services
from gongzhi.alliance.tests.factories import AllianceFactory, MembershipFactory, ResourceFactory
from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.testing.second_subdistrict import build_other

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    other = build_other(world)
    a = services.project_propose(
        actor=world.leader,
        title="杏梅园错时停车",
        parties=[(world.orgs["school"], "provider")],
        residential_area=world.area_a,
        public=True,
    )
    b = services.project_propose(
        actor=other.leader,
        title="长风一村助老",
        parties=[(other.unit, "provider")],
        residential_area=other.area,
        public=True,
    )
    for p, who in ((a, world.leader), (b, other.leader)):
        services.project_act(actor=who, project=p, action="agree")
    res_b = ResourceFactory(owner=other.unit, title="长风中学礼堂")
    need_b = services.need_create(
        actor=other.leader, title="长风活动室", category="venue", residential_area=other.area
    )
    return world, other, a, b, res_b, need_b


def test_staff_see_their_subdistricts_rows_only(client, two):
    world, other, a, b, res_b, need_b = two
    assert b.subdistrict_id == other.subdistrict.pk and a.subdistrict_id == world.subdistrict.pk
    assert need_b.subdistrict_id == other.subdistrict.pk
    client.force_login(world.leader)
    page = client.get(reverse("alliance:projects")).content.decode()
    assert a.title in page and b.title not in page
    for name, pk in (("project", b.pk), ("resource", res_b.pk), ("need", need_b.pk)):
        assert client.get(reverse(f"alliance:{name}", args=[pk])).status_code == 404
    assert "长风中学礼堂" not in client.get(reverse("alliance:resources")).content.decode()
    assert "长风活动室" not in client.get(reverse("alliance:needs")).content.decode()
    # Nor can they act on it.
    r = client.post(
        reverse("alliance:act", args=[b.pk, "start"]), {"start-expected_state": "agreed"}
    )
    assert r.status_code == 404
    assert not perms.can(world.leader, "change", b)
    assert not perms.can(world.leader, "change", res_b)
    assert not perms.can(world.leader, "change", need_b)
    assert perms.can(other.district, "change", b)
    # The API, the same.
    api = ApiClient(token_for(world.leader))
    assert {p["id"] for p in api.get("/projects").json()["items"]} == {a.pk}
    assert api.get(f"/projects/{b.pk}").status_code == 404
    assert api.get(f"/needs/{need_b.pk}/matches").status_code == 404
    # The other subdistrict's leader: the mirror image.
    client.force_login(other.leader)
    page = client.get(reverse("alliance:projects")).content.decode()
    assert b.title in page and a.title not in page
    # The district office sees both.
    client.force_login(other.district)
    page = client.get(reverse("alliance:projects")).content.decode()
    assert a.title in page and b.title in page
    # The public page shows both, or one subdistrict's when asked.
    client.logout()
    page = client.get(reverse("alliance:public")).content.decode()
    assert a.title in page and b.title in page and 'data-testid="subdistrict-filter"' in page
    page = client.get(reverse("alliance:public"), {"subdistrict": other.subdistrict.pk})
    assert b.title in page.content.decode() and a.title not in page.content.decode()


def test_nothing_links_two_subdistricts(world):
    other = build_other(world)
    with pytest.raises(ServiceError):  # a unit of the other subdistrict as a party
        services.project_propose(
            actor=world.leader,
            title="跨街道",
            parties=[(world.orgs["school"], "provider"), (other.unit, "partner")],
        )
    with pytest.raises(NotAllowed):  # a project of the other subdistrict's area
        services.project_propose(actor=world.leader, title="跨街道", residential_area=other.area)
    with pytest.raises(NotAllowed):
        services.need_create(
            actor=world.leader, title="x", category="venue", residential_area=other.area
        )
    alliance_a = AllianceFactory(subdistrict=world.subdistrict)
    with pytest.raises(ServiceError):
        services.membership_join(
            actor=world.leader,
            alliance=alliance_a,
            organisation=other.unit,
            joined_on=alliance_a.founded_on,
        )
    with pytest.raises(ServiceError):
        services.activity_record(
            actor=world.leader,
            alliance=alliance_a,
            kind="study",
            title="联学",
            held_on=alliance_a.founded_on,
            units=[world.orgs["school"], other.unit],
        )
    # A need without an area is the raiser's subdistrict's; the matches stay in it.
    n = services.need_create(actor=world.leader, title="场地", category="venue")
    assert n.subdistrict_id == world.subdistrict.pk
    ResourceFactory(owner=other.unit, title="长风礼堂", kind="venue")
    from gongzhi.alliance import matching

    assert all(
        m.obj.owner.subdistrict_id != other.subdistrict.pk for m in matching.matches_for_need(n)
    )
    # The district level may work in either; the project is the units' subdistrict's.
    MembershipFactory(alliance=alliance_a, organisation=world.orgs["school"])
    p = services.project_propose(
        actor=other.district, title="长风项目", parties=[(other.unit, "provider")]
    )
    assert p.subdistrict_id == other.subdistrict.pk

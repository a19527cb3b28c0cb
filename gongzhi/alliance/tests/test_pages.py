"""The alliance's pages through the test client, and their refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.alliance import services
from gongzhi.alliance.models import DualRegistrationYear, Need, Project, Resource
from gongzhi.alliance.tests.factories import (
    OFF_PEAK,
    AllianceFactory,
    JointActivityFactory,
    MembershipFactory,
    NeedFactory,
    ResourceFactory,
    point,
)
from gongzhi.org.models import DualRegistration

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_members_and_activities(client, world):
    a = AllianceFactory()
    MembershipFactory(alliance=a, organisation=world.orgs["school"])
    act = JointActivityFactory(alliance=a, held_on=timezone.localdate(), title="联学党课")
    act.units.set([world.orgs["school"]])
    r = _login(client, world.liaison).get(reverse("alliance:index"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "曹杨二中附属学校" in body and "联学党课" in body


def test_pages_are_for_staff(client, world):
    _login(client, world.resident_a)
    for name in ("alliance:index", "alliance:resources", "alliance:needs", "alliance:projects"):
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse("alliance:resources")).status_code == 302


def test_liaison_offers_a_resource_for_own_unit_only(client, world):
    _login(client, world.liaison)
    r = client.post(
        reverse("alliance:resource_new"),
        {
            "owner": world.orgs["school"].pk,
            "kind": "parking",
            "title": "学校停车场",
            "windows": "0-4 17:30-07:30",
        },
    )
    assert r.status_code == 302
    res = Resource.objects.get()
    assert res.owner == world.orgs["school"] and res.windows[0]["days"] == [0, 1, 2, 3, 4]
    # Another unit's id is not offered and not accepted: the liaison's own unit is used.
    r = client.post(
        reverse("alliance:resource_new"),
        {"owner": world.orgs["chengguan"].pk, "kind": "venue", "title": "会议室"},
    )
    assert r.status_code == 400
    assert Resource.objects.count() == 1


def test_bad_window_is_refused_with_a_message(client, world):
    _login(client, world.liaison)
    r = client.post(
        reverse("alliance:resource_new"),
        {
            "owner": world.orgs["school"].pk,
            "kind": "parking",
            "title": "停车",
            "windows": "周一 晚上",
        },
    )
    assert r.status_code == 400 and not Resource.objects.exists()


def test_secretary_posts_a_need_and_confirms_a_match(client, world):
    ResourceFactory(
        owner=world.orgs["school"],
        kind="parking",
        title="学校停车场夜间开放",
        windows=OFF_PEAK,
        **point(250, 500),
    )
    _login(client, world.secretary)
    r = client.post(
        reverse("alliance:need_new"),
        {
            "title": "居民夜间停车难",
            "category": "parking",
            "residential_area": world.area_a.pk,
            "windows": "0-6 19:00-07:00",
            "urgency": "high",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    need = Need.objects.get()
    assert need.lat is not None  # the area's centre
    page = client.get(reverse("alliance:need", args=[need.pk])).content.decode()
    assert "学校停车场夜间开放" in page and 'data-testid="confirm-match"' in page
    res = Resource.objects.get()
    r = client.post(reverse("alliance:need_match", args=[need.pk, res.pk]))
    p = Project.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("alliance:project", args=[p.pk])
    assert p.parties.count() == 2


def test_other_area_cannot_post_for_this_area(client, world):
    _login(client, world.other_secretary)
    r = client.post(
        reverse("alliance:need_new"),
        {
            "title": "x",
            "category": "venue",
            "residential_area": world.area_a.pk,
            "urgency": "normal",
        },
    )
    assert r.status_code == 400 and not Need.objects.exists()


def _project(world):
    return services.project_propose(
        actor=world.leader,
        title="错时停车",
        parties=[(world.orgs["school"], "provider")],
        residential_area=world.area_a,
        milestones=[("开放", None)],
        public=True,
    )


def test_project_page_and_actions(client, world):
    p = _project(world)
    _login(client, world.liaison)
    page = client.get(reverse("alliance:project", args=[p.pk])).content.decode()
    assert 'data-testid="form-agree"' in page and 'data-testid="form-evaluate"' not in page
    r = client.post(
        reverse("alliance:act", args=[p.pk, "agree"]), {"agree-expected_state": "proposed"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "agreed"
    # The page showed "proposed": a second agree is a lost race, said so.
    r = client.post(
        reverse("alliance:act", args=[p.pk, "agree"]), {"agree-expected_state": "proposed"}
    )
    assert r.status_code == 409
    # A cancel without a reason is refused with the field's message.
    r = client.post(
        reverse("alliance:act", args=[p.pk, "cancel"]), {"cancel-expected_state": "agreed"}
    )
    assert r.status_code == 400
    p.refresh_from_db()
    assert p.state == "agreed"


def test_project_actions_refused_to_outsiders(client, world):
    p = _project(world)
    _login(client, world.other_secretary)
    r = client.post(
        reverse("alliance:act", args=[p.pk, "agree"]), {"agree-expected_state": "proposed"}
    )
    assert r.status_code == 403
    _login(client, world.handler)
    assert client.post(reverse("alliance:act", args=[p.pk, "agree"]), {}).status_code == 403
    p.refresh_from_db()
    assert p.state == "proposed"


def test_public_page_without_login(client, world):
    p = _project(world)
    hidden = services.project_propose(
        actor=world.leader, title="内部项目", parties=[(world.orgs["school"], "provider")]
    )
    for x in (p, hidden):
        services.project_act(actor=world.leader, project=x, action="agree")
    body = client.get(reverse("alliance:public")).content.decode()
    assert "错时停车" in body and "内部项目" not in body
    assert client.get(reverse("alliance:public_project", args=[p.pk])).status_code == 200
    assert client.get(reverse("alliance:public_project", args=[hidden.pk])).status_code == 404
    # Residents of the area evaluate once it is completed.
    services.project_act(actor=world.leader, project=p, action="start")
    services.project_act(actor=world.leader, project=p, action="complete", params={"outcome": "好"})
    _login(client, world.resident_a)
    page = client.get(reverse("alliance:public_project", args=[p.pk])).content.decode()
    assert 'data-testid="rate-form"' in page
    client.post(reverse("alliance:rate", args=[p.pk]), {"score": "5"})
    assert p.evaluations.count() == 1


def test_quarterly_lists(client, world):
    _project(world)
    NeedFactory(title="需要讲座", category="lecture")
    r = _login(client, world.leader).get(reverse("alliance:quarterly"))
    body = r.content.decode()
    assert r.status_code == 200 and "错时停车" in body and "需要讲座" in body
    assert client.get(reverse("alliance:quarterly") + "?quarter=bad").status_code == 404


def test_dual_registration_confirmed_by_the_areas_secretary(client, world):
    from gongzhi.org.tests.factories import PersonFactory

    reg = DualRegistration.objects.create(
        person=PersonFactory(), residential_area=world.area_a, registered_on=dt.date(2025, 3, 1)
    )
    year = DualRegistrationYear.objects.create(
        registration=reg, year=2025, posts="楼道志愿者", hours=24
    )
    _login(client, world.other_secretary)
    assert "楼道志愿者" not in client.get(reverse("alliance:dual")).content.decode()
    assert (
        client.post(
            reverse("alliance:dual_confirm", args=[year.pk]), {"evaluation": "good"}
        ).status_code
        == 404
    )
    _login(client, world.secretary)
    assert "楼道志愿者" in client.get(reverse("alliance:dual")).content.decode()
    client.post(reverse("alliance:dual_confirm", args=[year.pk]), {"evaluation": "good"})
    year.refresh_from_db()
    assert year.evaluation == "good" and year.confirmed_by == world.secretary


def test_home_panels(client, world):
    _project(world)
    body = _login(client, world.liaison).get("/").content.decode()
    assert 'data-testid="home-project"' in body
    body = _login(client, world.secretary).get("/").content.decode()
    assert "figure-dual" in body


def test_a_units_party_organisation_registers_with_an_area_and_its_secretary_confirms(
    client, world
):
    from gongzhi.org.models import Organisation
    from gongzhi.org.tests.factories import OrganisationFactory

    branch = OrganisationFactory(
        name="二中附校党支部",
        kind=Organisation.Kind.PARTY_BRANCH,
        parent=world.orgs["school"],
        is_party_organisation=True,
    )
    _login(client, world.liaison)
    page = client.get(reverse("alliance:dual_mine")).content.decode()
    assert 'data-testid="unit-register"' in page and "二中附校党支部" in page
    form = {"party_organisation": branch.pk, "residential_area": world.area_a.pk, "hours": "-3"}
    client.post(reverse("alliance:dual_unit"), form)  # negative hours: refused, nothing kept
    assert not DualRegistrationYear.objects.exists()
    form.update(posts="开放停车场、周末课堂", hours="120")
    client.post(reverse("alliance:dual_unit"), form)
    year = DualRegistrationYear.objects.get()
    assert year.unit_registration.party_organisation == branch and year.registration is None
    assert year.residential_area_id == world.area_a.pk
    # Nobody registers another unit's Party organisation.
    _login(client, world.secretary)
    client.post(reverse("alliance:dual_unit"), {**form, "posts": "冒名"})
    assert DualRegistrationYear.objects.get().posts == "开放停车场、周末课堂"
    # The other area's secretary neither sees nor confirms it; this area's secretary does.
    _login(client, world.other_secretary)
    assert "二中附校党支部" not in client.get(reverse("alliance:dual")).content.decode()
    confirm = reverse("alliance:dual_confirm", args=[year.pk])
    assert client.post(confirm, {"evaluation": "excellent"}).status_code == 404
    _login(client, world.secretary)
    assert "二中附校党支部" in client.get(reverse("alliance:dual")).content.decode()
    # The secretary confirms it on the area's page, and comes back to it.
    area_page = reverse("org:area_detail", args=[world.area_a.pk])
    html = client.get(area_page).content.decode()
    assert 'data-testid="area-dual-confirm"' in html and "二中附校党支部" in html
    r = client.post(confirm, {"evaluation": "excellent", "next": area_page})
    assert r.status_code == 302 and r["Location"] == area_page
    year.refresh_from_db()
    assert year.evaluation == "excellent" and year.confirmed_by == world.secretary
    assert 'data-testid="area-dual-confirm"' not in client.get(area_page).content.decode()

"""Who may change what, server-side, per object: refusals leave nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.alliance import services
from gongzhi.alliance.models import DualRegistrationYear, Need, Project, Resource
from gongzhi.alliance.tests.factories import (
    AllianceFactory,
    MembershipFactory,
    NeedFactory,
    ResourceFactory,
)
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.org.models import DualRegistration
from gongzhi.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_liaison_changes_only_own_units_resources(world):
    own = ResourceFactory(owner=world.orgs["school"], title="学校礼堂")
    other = ResourceFactory(owner=world.orgs["chengguan"], title="会议室")
    services.resource_update(actor=world.liaison, resource=own, capacity=300)
    with pytest.raises(NotAllowed):
        services.resource_update(actor=world.liaison, resource=other, title="改名")
    with pytest.raises(NotAllowed):
        services.resource_archive(actor=world.liaison, resource=other)
    with pytest.raises(NotAllowed):
        services.resource_create(
            actor=world.liaison, owner=world.orgs["chengguan"], kind="venue", title="x"
        )
    with pytest.raises(NotAllowed):
        services.resource_create(
            actor=world.secretary, owner=world.orgs["school"], kind="venue", title="x"
        )
    other.refresh_from_db()
    assert other.title == "会议室" and other.archived_at is None
    services.resource_archive(actor=world.liaison, resource=own)
    assert Resource.objects.active().count() == 1  # archived, not deleted
    assert Resource.objects.count() == 2
    # The leader and the service centre reach every unit's resources.
    services.resource_update(actor=world.service_staff, resource=other, capacity=10)


def test_area_secretary_changes_only_own_areas_needs(world):
    n = services.need_create(
        actor=world.secretary, title="夜间停车", category="parking", residential_area=world.area_a
    )
    with pytest.raises(NotAllowed):
        services.need_update(actor=world.other_secretary, need=n, title="改")
    with pytest.raises(NotAllowed):
        services.need_create(
            actor=world.other_secretary, title="x", category="venue", residential_area=world.area_a
        )
    with pytest.raises(NotAllowed):
        services.need_create(
            actor=world.resident, title="x", category="venue", residential_area=world.area_a
        )
    services.need_update(actor=world.secretary, need=n, urgency="high")
    n.refresh_from_db()
    assert n.title == "夜间停车" and n.urgency == "high"


def test_bad_input_is_refused_with_a_message_and_nothing_written(world):
    with pytest.raises(ServiceError):
        services.need_create(
            actor=world.secretary,
            title="x",
            category="venue",
            residential_area=world.area_a,
            windows=[{"days": [9], "start": "08:00", "end": "09:00"}],
        )
    with pytest.raises(ServiceError):
        services.need_create(
            actor=world.secretary, title="x", category="nonsense", residential_area=world.area_a
        )
    with pytest.raises(ServiceError):
        services.resource_create(
            actor=world.liaison, owner=world.orgs["school"], kind="venue", title="x", colour="red"
        )
    assert not Need.objects.exists() and not Resource.objects.exists()


def test_dual_registration_confirmation_by_the_areas_secretary_only(world):
    reg = DualRegistration.objects.create(
        person=PersonFactory(), residential_area=world.area_a, registered_on=dt.date(2025, 3, 1)
    )
    rec = DualRegistrationYear.objects.create(registration=reg, year=2025, hours=10)
    for user in (world.other_secretary, world.liaison, world.resident_a):
        with pytest.raises(NotAllowed):
            services.dual_year_confirm(actor=user, record=rec, evaluation="good")
    with pytest.raises(ServiceError):
        services.dual_year_confirm(actor=world.secretary, record=rec, evaluation="splendid")
    services.dual_year_confirm(actor=world.secretary, record=rec, evaluation="excellent")
    with pytest.raises(ServiceError):
        services.dual_year_confirm(actor=world.secretary, record=rec, evaluation="good")
    rec.refresh_from_db()
    assert rec.evaluation == "excellent"


def test_lists_are_for_staff_and_projects_public_for_residents(world):
    ResourceFactory(owner=world.orgs["school"])
    NeedFactory()
    p = Project.objects.create(title="公开", public=True, state=Project.State.AGREED)
    Project.objects.create(title="未公开", state=Project.State.AGREED)
    Project.objects.create(title="提议中", public=True)
    for user in (world.liaison, world.secretary, world.handler, world.leader):
        assert perms.visible(user, Resource).count() == 1
        assert perms.visible(user, Need).count() == 1
        assert perms.visible(user, Project).count() == 3
    for user in (world.resident_a, world.resident):
        assert perms.visible(user, Resource).count() == 0
        assert perms.visible(user, Need).count() == 0
        assert list(perms.visible(user, Project)) == [p]


def test_membership_keeps_alliance_joined_on(world):
    school = world.orgs["school"]
    a = AllianceFactory()
    with pytest.raises(NotAllowed):
        services.membership_join(
            actor=world.liaison, alliance=a, organisation=school, joined_on=dt.date(2020, 1, 1)
        )
    m = services.membership_join(
        actor=world.leader, alliance=a, organisation=school, joined_on=dt.date(2020, 1, 1)
    )
    school.refresh_from_db()
    assert school.alliance_joined_on == dt.date(2020, 1, 1)
    with pytest.raises(ServiceError):
        services.membership_join(
            actor=world.leader, alliance=a, organisation=school, joined_on=dt.date(2021, 1, 1)
        )
    with pytest.raises(ServiceError):
        services.membership_leave(actor=world.leader, membership=m, left_on=dt.date(2019, 1, 1))
    services.membership_leave(actor=world.leader, membership=m, left_on=dt.date(2025, 1, 1))
    school.refresh_from_db()
    assert school.alliance_joined_on is None
    MembershipFactory(alliance=a, organisation=school, joined_on=dt.date(2026, 1, 1))


def test_activity_needs_a_unit(world):
    a = AllianceFactory()
    with pytest.raises(ServiceError):
        services.activity_record(
            actor=world.leader,
            alliance=a,
            kind="study",
            title="党课",
            held_on=dt.date(2026, 1, 5),
            units=[],
        )
    act = services.activity_record(
        actor=world.liaison,
        alliance=a,
        kind="study",
        title="党课",
        held_on=dt.date(2026, 1, 5),
        units=[world.orgs["school"]],
        participants=30,
        hours=60,
    )
    assert act.units.count() == 1
    with pytest.raises(NotAllowed):
        services.activity_record(
            actor=world.resident_a,
            alliance=a,
            kind="study",
            title="x",
            held_on=dt.date(2026, 1, 5),
            units=[world.orgs["school"]],
        )


def test_party_member_registers_with_the_home_area(world, client):
    from django.urls import reverse

    from gongzhi.org.models import PartyMembership

    with pytest.raises(NotAllowed):
        services.dual_register(actor=world.resident_a, residential_area=world.area_a, year=2026)
    PartyMembership.objects.create(
        person=world.resident_a.person, branch=world.orgs["branch_a"], joined_on=dt.date(2010, 7, 1)
    )
    rec = services.dual_register(
        actor=world.resident_a, residential_area=world.area_a, year=2026, posts="楼组长", hours=6
    )
    assert rec.registration.person == world.resident_a.person
    again = services.dual_register(
        actor=world.resident_a, residential_area=world.area_a, year=2026, posts="楼组长", hours=12
    )
    assert again.pk == rec.pk and DualRegistration.objects.count() == 1
    services.dual_year_confirm(actor=world.secretary, record=again, evaluation="good")
    with pytest.raises(ServiceError):
        services.dual_register(
            actor=world.resident_a, residential_area=world.area_a, year=2026, hours=20
        )
    client.force_login(world.resident_a)
    page = client.get(reverse("alliance:dual_mine")).content.decode()
    assert "楼组长" in page


def test_resident_raises_a_need_of_their_own_area_only(world, client):
    from django.urls import reverse

    n = services.need_create(
        actor=world.resident_a,
        title="楼道灯坏了需要志愿者",
        category="volunteers",
        residential_area=world.area_a,
    )
    assert n.raised_by == world.resident_a
    with pytest.raises(NotAllowed):
        services.need_create(
            actor=world.resident_a, title="x", category="venue", residential_area=world.area_b
        )
    with pytest.raises(NotAllowed):
        services.need_update(actor=world.resident_a, need=n, title="改")
    client.force_login(world.resident_a)
    assert 'data-testid="need-raise"' in client.get(reverse("alliance:public")).content.decode()
    client.post(reverse("alliance:need_raise"), {"title": "缺少活动场地", "category": "venue"})
    assert Need.objects.filter(title="缺少活动场地", residential_area=world.area_a).exists()
    client.force_login(world.resident)  # no home area
    assert (
        client.post(reverse("alliance:need_raise"), {"title": "x", "category": "venue"}).status_code
        == 403
    )

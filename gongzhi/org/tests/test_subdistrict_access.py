"""Several subdistricts on one installation: a user's subdistricts come from their positions, a
district office reaches every one, an installation of one subdistrict narrows nothing; a new
case belongs to its grid's subdistrict (else where it was filed, else the filing operator's,
else the installation's default); dispatch stays inside the case's subdistrict.

The migrations that fill the new columns of existing rows (org 0003, cases 0005) are not run
here: migrating the test database back and forth costs more than the rest of this module."""

from __future__ import annotations

import re

import pytest
from django.utils.translation import gettext

from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core import permissions as perms
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Role, access_for
from gongzhi.org.access import compute_access
from gongzhi.places.selectors import default_subdistrict_id, serves_one_subdistrict
from gongzhi.testing.second_subdistrict import Second, build_second, fresh

pytestmark = pytest.mark.django_db


def _report(centre, **kw):
    fields = {
        "channel": Case.Channel.HOTLINE,
        "type": Case.Type.EVENT,
        "category": centre.garbage,
        "description": "路边垃圾堆积，无人清理",
        "address": "某路某号",
        "reporter_name": "市民",
        "reporter_phone": "13800000000",
    }
    fields.update(kw)
    return fields


@pytest.fixture
def two(world):
    second = build_second()
    for u in world.users.values():
        fresh(u)
    return second


def test_one_subdistrict_narrows_nobody(world):
    assert serves_one_subdistrict()
    for name in ("operator", "leader", "handler", "admin", "auditor"):
        assert compute_access(world.users[name]).subdistrict_ids is None


def test_positions_give_the_subdistricts(world, two: Second):
    a, b = world.subdistrict.pk, two.subdistrict.pk
    assert not serves_one_subdistrict()
    for name in ("operator", "leader", "handler", "admin", "auditor", "inspector"):
        assert compute_access(world.users[name]).subdistrict_ids == {a}, name
    for name, user in two.users.items():
        assert compute_access(user).subdistrict_ids == {b}, name
    # Residents (no position) and superusers are not narrowed: their own rows are their scope.
    assert compute_access(world.resident).subdistrict_ids is None


def test_a_district_office_reaches_every_subdistrict(world, two: Second):
    access = compute_access(two.district_leader)
    assert access.subdistrict_ids is None
    assert Role.LEADER in access.roles
    assert access.whole_subdistrict and access.every_subdistrict
    # A position in a subdistrict too does not narrow the district office's reach.
    from gongzhi.org.tests.factories import PositionFactory

    PositionFactory(
        person=two.district_leader.person, organisation=world.orgs["centre"], role="operator"
    )
    assert compute_access(fresh(two.district_leader)).subdistrict_ids is None


def test_cases_are_seen_within_their_subdistrict_and_by_the_district(world, two: Second):
    centre = make_centre(world)
    lat, lng = two.point()
    case_a = centre.intake(grid="a1")
    case_b = services.case_intake(
        actor=two.users["cf_operator"], **_report(centre, lat=lat, lng=lng)
    ).case
    assert case_a.subdistrict_id == world.subdistrict.pk
    assert case_b.subdistrict_id == two.subdistrict.pk

    def seen(user):
        return set(perms.visible(fresh(user), Case).values_list("pk", flat=True))

    assert seen(world.operator) == {case_a.pk}
    assert seen(world.leader) == {case_a.pk}
    assert seen(two.users["cf_operator"]) == {case_b.pk}
    assert seen(two.users["cf_leader"]) == {case_b.pk}
    assert seen(two.district_leader) == {case_a.pk, case_b.pk}
    assert not perms.can(world.leader, "view", case_b)
    assert perms.can(two.district_leader, "view", case_b)
    assert access_for(world.leader).in_subdistrict(None)  # the district's rows stay reachable


def test_intake_puts_the_case_in_its_grid_else_the_operator_else_the_default(world, two: Second):
    centre = make_centre(world)
    lat, lng = two.point()
    cf = two.users["cf_operator"]
    a, b = world.subdistrict.pk, two.subdistrict.pk
    # The grid decides, whoever files.
    by_a = services.case_intake(actor=world.operator, **_report(centre, lat=lat, lng=lng)).case
    assert by_a.subdistrict_id == b
    # No place: the filing operator's subdistrict.
    assert services.case_intake(actor=cf, **_report(centre)).case.subdistrict_id == b
    assert services.case_intake(actor=world.operator, **_report(centre)).case.subdistrict_id == a
    # Where the report was filed (an Open311 jurisdiction), when the point does not say.
    from gongzhi.cases import intake

    checked = intake.check(actor=world.operator, **_report(centre))
    checked.subdistrict_id = b
    assert services.case_intake(actor=world.operator, checked=checked).case.subdistrict_id == b
    # Nobody's: the installation's default (the setting's subdistrict, else the first).
    assert default_subdistrict_id() == a
    nobody = services.case_intake(
        actor=two.district_leader, **_report(centre, channel=Case.Channel.RESIDENT)
    )
    assert nobody.case.subdistrict_id == a


def test_dispatch_to_another_subdistricts_department_is_refused(world, two: Second):
    centre = make_centre(world)
    lat, lng = two.point()
    cf = two.users["cf_operator"]
    case = services.case_intake(actor=cf, **_report(centre, lat=lat, lng=lng)).case
    services.case_file(actor=cf, case=case)
    case.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        services.case_dispatch(
            actor=cf, case=case, department=world.orgs["chengguan"].pk, override_reason="试试"
        )
    assert str(refused.value.message) == gettext("That department belongs to another subdistrict.")
    case.refresh_from_db()
    assert case.state == Case.State.FILED
    services.case_dispatch(
        actor=cf, case=case, department=two.orgs["department"].pk, override_reason="本街道处置"
    )
    case.refresh_from_db()
    assert case.department_id == two.orgs["department"].pk


def test_a_cases_dispatch_form_offers_its_subdistricts_and_the_districts_departments(
    world, two: Second, client
):
    from django.urls import reverse

    from gongzhi.org.models import Organisation

    centre = make_centre(world)
    lat, lng = two.point()
    cf = two.users["cf_operator"]
    case = services.case_intake(actor=cf, **_report(centre, lat=lat, lng=lng)).case
    services.case_file(actor=cf, case=case)
    district = Organisation.objects.create(
        name="区城市管理行政执法局", kind=world.orgs["chengguan"].kind, subdistrict=None
    )
    client.force_login(cf)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    select = re.search(r'<select[^>]*data-testid="dispatch-department".*?</select>', page, re.S)
    assert select is not None
    offered = set(re.findall(r'<option value="(\d+)"', select.group(0)))
    assert {str(two.orgs["department"].pk), str(district.pk)} <= offered
    assert str(world.orgs["chengguan"].pk) not in offered

"""The organisation chart, the people directory, person and organisation pages, area pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import (
    DualRegistrationFactory,
    OrganisationFactory,
    PartyMembershipFactory,
    PersonFactory,
    PositionFactory,
)
from gongzhi.places.tests.factories import EstateFactory, ResidentialAreaFactory

K = Organisation.Kind
R = Position.Role
HTMX = {"HTTP_HX_REQUEST": "true"}


def _section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    end = body.index("</section>", start)
    return body[start:end]


def _grow(world, n: int, tag: str) -> None:
    """n more residential areas, each with a general branch, a secretary and two part-time
    members who hold a position elsewhere, an estate and a dual-registered Party member."""
    cpc = world.orgs["cpc"]
    for i in range(n):
        area = ResidentialAreaFactory(
            subdistrict=world.subdistrict, grid_station=world.station_a, name=f"{tag}{i}居民区"
        )
        EstateFactory(residential_area=area)
        branch = OrganisationFactory(
            name=f"{tag}{i}党总支",
            kind=K.GENERAL_BRANCH,
            parent=cpc,
            residential_area=area,
            is_party_organisation=True,
        )
        PositionFactory(organisation=branch, role=R.SECRETARY)
        unit = OrganisationFactory(name=f"{tag}{i}单位")
        for _ in range(2):
            member = PersonFactory()
            PositionFactory(person=member, organisation=branch, role=R.PART_TIME_MEMBER)
            PositionFactory(person=member, organisation=unit, role=R.STAFF)
        party = PersonFactory()
        PartyMembershipFactory(person=party, in_work=True)
        DualRegistrationFactory(person=party, residential_area=area)


# --- the chart ------------------------------------------------------------------------------


def test_chart_shows_the_three_level_linkage_with_part_time_members(client, org_world):
    world = org_world.world
    client.force_login(world.secretary)
    response = client.get(reverse("org:chart"))
    assert response.status_code == 200
    linkage = _section(response.content.decode(), "linkage")
    # 党工委 → 社区党委 → general branches, in that order, nested.
    pwc = linkage.index("曹杨新村街道党工委")
    cpc = linkage.index("曹杨新村街道社区党委")
    branch_a = linkage.index("杏梅园居民区党总支")
    branch_b = linkage.index("杏杨居民区党总支")
    assert pwc < cpc < branch_a < branch_b
    cards = re.split(r'data-testid="branch"', linkage)[1:]
    assert "刘书记" in cards[0] and "吴兼职" in cards[0] and "曹杨二中附属学校" in cards[0]
    assert "周书记" in cards[1] and "周民警" in cards[1] and "派出所" in cards[1]
    assert "吴兼职" not in cards[1]


def test_chart_links_only_the_people_the_user_may_open(client, org_world):
    client.force_login(org_world.world.secretary)
    body = client.get(reverse("org:chart")).content.decode()
    assert reverse("org:person", args=[org_world.part_time_a.pk]) in body
    assert "周民警" in body
    assert reverse("org:person", args=[org_world.part_time_b.pk]) not in body


def test_chart_shows_the_1_2_2_structure_and_attending_units(client, org_world):
    client.force_login(org_world.world.leader)
    body = client.get(reverse("org:chart")).content.decode()
    structure = _section(body, "structure")
    for name in (
        "曹杨新村街道党工委",
        "街道行政组织党组",
        "曹杨新村街道社区党委",
        "社区党建办",
        "社区党建服务中心",
    ):
        assert name in structure
    attending = _section(body, "attending")
    assert "街道行政组织党组" in attending
    assert "普陀交警支队" in attending and "曹杨物业公司" in attending
    assert "城管中队" not in attending


def test_chart_is_for_staff(client, world):
    client.force_login(world.resident_a)
    response = client.get(reverse("org:chart"))
    assert response.status_code == 403
    client.logout()
    response = client.get(reverse("org:chart"))
    assert response.status_code == 302


def test_chart_query_count_does_not_grow_with_the_organisation(
    client, org_world, django_assert_max_num_queries
):
    world = org_world.world
    client.force_login(world.operator)
    _grow(world, 2, "甲")
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("org:chart")).status_code == 200
    _grow(world, 18, "乙")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("org:chart"))
    body = response.content.decode()
    assert body.count('data-testid="branch"') == 22
    assert "乙17党总支" in body and "乙17单位" in body


# --- the people directory -------------------------------------------------------------------


def _names(response) -> list[str]:
    return re.findall(r'data-testid="person-link">([^<]+)<', response.content.decode())


def test_people_search_finds_by_name_within_scope(client, org_world):
    client.force_login(org_world.world.secretary)
    assert _names(client.get(reverse("org:people"), {"q": "吴兼"})) == ["吴兼职"]
    # A person of area B only is not found by the secretary of area A …
    assert _names(client.get(reverse("org:people"), {"q": "周民警"})) == []
    # … but is by the secretary of area B.
    client.force_login(org_world.world.other_secretary)
    assert _names(client.get(reverse("org:people"), {"q": "周民警"})) == ["周民警"]


def test_people_search_by_organisation_and_role(client, org_world):
    client.force_login(org_world.world.operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _names(client.get(reverse("org:people"), {"q": "派出所"})) == ["周民警"]
    found = _names(client.get(reverse("org:people"), {"q": "part-time committee"}))
    assert sorted(found) == sorted(["吴兼职", "周民警"])
    found = _names(client.get(reverse("org:people"), {"role": R.PART_TIME_MEMBER}))
    assert sorted(found) == sorted(["吴兼职", "周民警"])
    school = org_world.world.orgs["school"]
    found = _names(client.get(reverse("org:people"), {"organisation": school.pk}))
    assert sorted(found) == sorted(["吴兼职", "吴联络"])


def test_people_search_by_area(client, org_world):
    world = org_world.world
    client.force_login(world.operator)
    found = _names(client.get(reverse("org:people"), {"area": world.area_a.pk}))
    assert sorted(found) == sorted(["刘书记", "吴兼职", "居民甲"])


def test_people_search_never_matches_numbers(client, org_world):
    client.force_login(org_world.world.admin)
    person = org_world.part_time_a
    for q in (person.mobile, person.mobile[:7], person.mobile[-4:], person.id_number):
        assert _names(client.get(reverse("org:people"), {"q": q})) == [], q


def test_people_directory_masks_mobiles(client, org_world):
    client.force_login(org_world.world.operator)
    body = client.get(reverse("org:people"), {"q": "吴兼职"}).content.decode()
    assert "139****2222" in body
    assert "13911112222" not in body


def test_people_live_search_answers_a_fragment(client, org_world):
    client.force_login(org_world.world.operator)
    response = client.get(reverse("org:people"), {"q": "吴"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "吴兼职" in body
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("org:people"), {"q": "吴"}).content.decode()
    assert "<html" in full and 'hx-push-url="true"' in full and "delay:" in full


def test_people_directory_refuses_bad_filters_without_error(client, org_world):
    client.force_login(org_world.world.operator)
    response = client.get(
        reverse("org:people"), {"organisation": "999999", "role": "emperor", "page": "x"}
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert _names(response) == []


def test_people_directory_pages(client, world):
    for i in range(30):
        PersonFactory(name=f"张{i:02d}", home_area=world.area_a)
    client.force_login(world.secretary)
    first = _names(client.get(reverse("org:people"), {"q": "张"}))
    second = _names(client.get(reverse("org:people"), {"q": "张", "page": 2}))
    assert len(first) == 25 and len(second) == 5
    assert not set(first) & set(second)


def test_people_directory_query_count_does_not_grow(
    client, org_world, django_assert_max_num_queries
):
    world = org_world.world
    client.force_login(world.secretary)
    _grow(world, 1, "丙")
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("org:people"))
    for i in range(20):
        p = PersonFactory(name=f"李{i}", home_area=world.area_a)
        PositionFactory(person=p, organisation=world.orgs["branch_a"], role=R.COMMITTEE_MEMBER)
        PositionFactory(person=p, organisation=world.orgs["school"], role=R.STAFF)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("org:people"))
    assert len(_names(response)) == 25


def test_residents_see_no_directory(client, world):
    client.force_login(world.resident_a)
    assert client.get(reverse("org:people")).status_code == 403


# --- a person, an organisation ----------------------------------------------------------------


def test_person_page_shows_positions_membership_and_dual_registration(client, org_world):
    world = org_world.world
    person = org_world.part_time_a
    Position.objects.create(
        person=person,
        organisation=world.orgs["office"],
        role=R.STAFF,
        title="前任干事",
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2018, 12, 31),
    )
    PartyMembershipFactory(
        person=person, branch=world.orgs["branch_b"], joined_on=dt.date(2001, 7, 1), in_work=True
    )
    DualRegistrationFactory(person=person, residential_area=world.area_a)
    client.force_login(world.secretary)
    body = client.get(reverse("org:person", args=[person.pk])).content.decode()
    current = body[
        body.index('data-testid="current-positions"') : body.index(
            "</table>", body.index('data-testid="current-positions"')
        )
    ]
    assert "杏梅园居民区党总支" in current and "曹杨二中附属学校" in current
    assert "前任干事" not in current
    past = body[body.index('data-testid="past-positions"') :]
    assert "前任干事" in past
    assert "2001-07-01" in body and "杏杨居民区党总支" in body
    assert 'data-testid="dual-registrations"' in body
    assert "139****2222" in body and "13911112222" not in body


def test_person_out_of_scope_is_404(client, org_world):
    client.force_login(org_world.world.secretary)
    response = client.get(reverse("org:person", args=[org_world.part_time_b.pk]))
    assert response.status_code == 404
    response = client.get(reverse("org:person", args=[999999]))
    assert response.status_code == 404


def test_organisation_page_shows_children_positions_and_relations(client, org_world):
    world = org_world.world
    client.force_login(world.secretary)
    body = client.get(reverse("org:organisation", args=[org_world.admin_group.pk])).content.decode()
    assert "普陀交警支队" in body and "曹杨物业公司" in body
    body = client.get(reverse("org:organisation", args=[world.orgs["cpc"].pk])).content.decode()
    children = body[body.index('data-testid="org-children"') :]
    assert "杏梅园居民区党总支" in children and "杏杨居民区党总支" in children
    body = client.get(
        reverse("org:organisation", args=[world.orgs["branch_b"].pk])
    ).content.decode()
    positions = body[body.index('data-testid="org-positions"') :]
    assert "周书记" in positions and "周民警" in positions
    # Names of office holders are shown; only people in scope are links.
    assert reverse("org:person", args=[org_world.part_time_b.pk]) not in body
    body = client.get(
        reverse("org:organisation", args=[org_world.property_company.pk])
    ).content.decode()
    assert "街道行政组织党组" in body  # attends its meetings


def test_organisation_page_unknown_is_404(client, world):
    client.force_login(world.operator)
    assert client.get(reverse("org:organisation", args=[999999])).status_code == 404


# --- residential areas ----------------------------------------------------------------------


def test_area_list_is_scoped_and_counts(client, org_world):
    world = org_world.world
    client.force_login(world.secretary)
    body = client.get(reverse("org:area_list")).content.decode()
    assert body.count('data-testid="area-row"') == 1
    assert "杏梅园居民区" in body and "杏杨居民区" not in body
    row = body[body.index('data-testid="area-row"') :]
    assert "第一网格工作站" in row and "812" in row
    client.force_login(world.operator)
    body = client.get(reverse("org:area_list")).content.decode()
    assert body.count('data-testid="area-row"') == 2
    client.force_login(world.handler)
    body = client.get(reverse("org:area_list")).content.decode()
    assert 'data-testid="no-areas"' in body


def test_area_page_shows_estates_grids_branch_and_responsible_people(client, org_world):
    world = org_world.world
    client.force_login(world.secretary)
    response = client.get(reverse("org:area_detail", args=[world.area_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    estates = body[body.index('data-testid="estates"') :]
    assert "杏梅园一村" in estates and "812" in estates and "曹杨物业公司" in estates
    grids = body[body.index('data-testid="grids"') :]
    assert "310107005001001" in grids and "310107005001002" in grids
    assert "310107005002001" not in body
    assert "杏梅园居民区党总支" in body
    committee = body[
        body.index('data-testid="branch-committee"') : body.index('data-testid="part-time-members"')
    ]
    assert "刘书记" in committee
    part_time = body[
        body.index('data-testid="part-time-members"') : body.index('data-testid="responsible"')
    ]
    assert "吴兼职" in part_time and "曹杨二中附属学校" in part_time
    responsible = body[body.index('data-testid="responsible"') :]
    for name in ("赵责任", "钱片长", "陈巡查"):
        assert name in responsible
    assert "139****6666" in responsible and "13955556666" not in body
    assert reverse("org:person", args=[org_world.area_head_a.pk]) in responsible


def test_area_page_leaves_out_responsible_people_of_other_areas_grids(client, org_world):
    world = org_world.world
    other = PositionFactory(
        person=PersonFactory(name="孙别区"), organisation=world.orgs["station_a"], role=R.CADRE
    )
    other_area = ResidentialAreaFactory(subdistrict=world.subdistrict, grid_station=world.station_a)
    from gongzhi.places.tests.factories import GridFactory

    other.grids.set([GridFactory(residential_area=other_area, code="310107005009001")])
    client.force_login(world.operator)
    body = client.get(reverse("org:area_detail", args=[world.area_a.pk])).content.decode()
    assert "孙别区" not in body
    body = client.get(reverse("org:area_detail", args=[other_area.pk])).content.decode()
    assert "孙别区" in body


@pytest.mark.parametrize(
    "persona,status_a,status_b",
    [
        ("secretary", 200, 404),
        ("other_secretary", 404, 200),
        ("inspector", 200, 404),
        ("handler", 404, 404),
        ("operator", 200, 200),
        ("service_staff", 200, 200),
        ("resident_a", 404, 404),
    ],
)
def test_area_page_out_of_scope_is_404(client, world, persona, status_a, status_b):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("org:area_detail", args=[world.area_a.pk])).status_code == status_a
    assert client.get(reverse("org:area_detail", args=[world.area_b.pk])).status_code == status_b


def test_area_page_query_count_does_not_grow(client, org_world, django_assert_max_num_queries):
    world = org_world.world
    client.force_login(world.secretary)
    url = reverse("org:area_detail", args=[world.area_a.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        EstateFactory(residential_area=world.area_a)
        member = PersonFactory(name=f"兼{i}")
        PositionFactory(person=member, organisation=world.orgs["branch_a"], role=R.PART_TIME_MEMBER)
        PositionFactory(person=member, organisation=OrganisationFactory(), role=R.STAFF)
        pos = PositionFactory(organisation=world.orgs["station_a"], role=R.INSPECTOR)
        pos.grids.set([world.grids["a1"]])
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert "兼9" in body
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("org:area_list"))

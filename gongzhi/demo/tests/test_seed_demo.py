"""`seed_demo` builds the subdistrict of the report, and `summary` shows it.

The seed runs once for this module (inside a transaction rolled back at the end); each test
then works in its own savepoint.
"""

from __future__ import annotations

import json
import time
from io import StringIO
from types import SimpleNamespace

import pytest
import shapely
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from gongzhi.accounts.models import User
from gongzhi.audit.models import AuditEvent
from gongzhi.core.roles import Role
from gongzhi.core.seeding.names import id_number_is_valid
from gongzhi.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongzhi.demo.seed.digest import seed_digest
from gongzhi.org.access import compute_access
from gongzhi.org.models import (
    DualRegistration,
    Organisation,
    OrgRelation,
    PartyMembership,
    Person,
    Position,
)
from gongzhi.places.geo import area_m2, to_shape
from gongzhi.places.models import (
    Building,
    Estate,
    Grid,
    GridStation,
    Landmark,
    ResidentialArea,
    Road,
    Subdistrict,
)
from gongzhi.places.tiling import check_tiling

K = Organisation.Kind
R = Position.Role


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.perf_counter()
        with translation.override("en"):
            # A short case history: the grid centre's demo is tested in gongzhi/cases/tests.
            call_command("seed_demo", "--cases", "300", stdout=out)
        seconds = time.perf_counter() - started
        yield SimpleNamespace(
            output=out.getvalue(), seconds=seconds, audit_events=AuditEvent.objects.count()
        )
        transaction.set_rollback(True)


@pytest.fixture
def summary(seeded, db):  # noqa: ARG001
    out = StringIO()
    call_command("summary", "--json", stdout=out)
    return json.loads(out.getvalue())


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def test_summary_matches_the_numbers_of_the_report(summary):
    sd = summary["subdistrict"]
    assert sd["code"] == "310107005"
    assert sd["name"] == "曹杨新村街道"
    assert sd["area_km2"] == 2.14
    assert sd["registered_population"] == 88_000
    assert sd["resident_population"] == 107_000
    assert abs(sd["outline_area_km2"] - 2.14) / 2.14 < 0.005
    assert summary["residential_areas"] == 20
    assert summary["estates"] == 63
    assert summary["grid_stations"] == 5
    assert summary["party_organisations"] == 130
    assert summary["party_members"] == 6_240
    assert summary["alliance_member_units"] == 24
    assert summary["part_time_committee_members"] == 41
    assert summary["users"] == len(DEMO_ACCOUNTS)
    assert 150 <= summary["grids"] <= 400  # unit grids of about 10,000 m²
    assert summary["buildings"] >= 4
    assert summary["departments"] >= 5
    assert summary["people"] > 6_240
    assert summary["organisations"] > 130


def test_summary_counts_only_active_rows(summary):
    from django.utils import timezone

    Organisation.objects.filter(alliance_joined_on__isnull=False).filter(
        name="上海市测绘院"
    ).update(archived_at=timezone.now())
    out = StringIO()
    call_command("summary", "--json", stdout=out)
    after = json.loads(out.getvalue())
    assert after["alliance_member_units"] == summary["alliance_member_units"] - 1
    assert after["organisations"] == summary["organisations"] - 1


def test_summary_prints_a_readable_table(seeded, db):
    out = StringIO()
    call_command("summary", stdout=out)
    text = out.getvalue()
    assert "6,240" in text and "107,000" in text and "310107005" in text
    assert "{" not in text


def test_the_seed_says_what_it_did(seeded):
    # How long it takes is measured by bench/bench_seed.py, not asserted here.
    assert "Seeded the demo subdistrict (seed 2026)" in seeded.output
    assert "rows in" in seeded.output


def test_grids_tile_the_outline_without_gaps_or_overlaps(seeded, db):
    sd = Subdistrict.objects.get(code="310107005")
    report = check_tiling(sd.geometry, Grid.objects.values_list("code", "geometry"), 1.0)
    assert report.ok, report.issues[:5]
    assert Grid.objects.filter(kind=Grid.Kind.ROAD).exists()
    assert Grid.objects.filter(kind=Grid.Kind.ESTATE).exists()


def test_grid_codes_areas_and_stations_agree(seeded, db):
    for grid in Grid.objects.select_related("residential_area", "station", "estate"):
        area = grid.residential_area
        assert len(grid.code) == 15 and grid.code.isdigit()
        assert grid.code[:12] == f"310107005{area.code}"
        assert grid.station_id == area.grid_station_id
        if grid.kind == Grid.Kind.ESTATE:
            assert grid.estate is not None and grid.estate.residential_area_id == area.pk
        else:
            assert grid.estate is None
        assert to_shape(grid.geometry).geom_type == "Polygon"
        assert abs(grid.area_m2 - area_m2(grid.geometry)) < 1
    for station in GridStation.objects.all():
        assert station.residential_areas.count() == 4
    assert len(set(GridStation.objects.values_list("colour", flat=True))) == 5


def test_areas_partition_the_outline_and_estates_lie_in_their_areas(seeded, db):
    sd = Subdistrict.objects.get()
    outline = to_shape(sd.geometry)
    areas = {a.pk: to_shape(a.geometry) for a in ResidentialArea.objects.all()}
    union = shapely.union_all(list(areas.values()))
    assert abs(union.area - outline.area) / outline.area < 1e-6
    assert sum(a.area for a in areas.values()) == pytest.approx(outline.area, rel=1e-6)
    for estate in Estate.objects.all():
        shape = to_shape(estate.geometry)
        assert shape.difference(areas[estate.residential_area_id]).area < 1e-10
        assert 1951 <= estate.built_year <= 2010
        assert estate.households > 0 and estate.buildings > 0
        assert estate.property_company.kind == K.PROPERTY_COMPANY
    population = sum(ResidentialArea.objects.values_list("population", flat=True))
    assert population == 107_000


def test_the_outline_is_irregular_and_near_caoyang(seeded, db):
    sd = Subdistrict.objects.get()
    outline = to_shape(sd.geometry)
    centre = outline.centroid
    assert abs(centre.y - 31.245) < 0.005 and abs(centre.x - 121.405) < 0.005
    assert abs(area_m2(sd.geometry) - 2_140_000) / 2_140_000 < 0.005
    assert len(outline.exterior.coords) > 8
    assert outline.area / outline.minimum_rotated_rectangle.area < 0.95  # not a rectangle


def test_the_named_places_and_units_are_there(seeded, db):
    assert set(ResidentialArea.objects.values_list("name", flat=True)) >= {
        "杏梅园居民区",
        "杏杨居民区",
    }
    for name in (
        "上海市测绘院",
        "上海市曹杨第二中学",
        "曹杨二中附属学校",
        "上海市实验幼儿园",
        "普陀区中心医院",
        "普陀区绿化和市容管理局",
        "普陀公安分局交警支队曹杨中队",
        "普陀公安分局曹杨新村派出所",
    ):
        assert Organisation.objects.filter(name=name).exists(), name
    assert Organisation.objects.filter(short_name="新华书店").exists()
    assert (
        Organisation.objects.filter(
            sector=Organisation.Sector.RESEARCH_INSTITUTE, kind=K.RESIDENT_UNIT
        ).count()
        == 6
    )
    assert Organisation.objects.filter(sector=Organisation.Sector.ARMY_UNIT).exists()
    assert Organisation.objects.filter(sector=Organisation.Sector.TWO_NEW).count() >= 10
    for kind in (
        K.PARTY_WORKING_COMMITTEE,
        K.ADMIN_PARTY_GROUP,
        K.COMMUNITY_PARTY_COMMITTEE,
        K.PARTY_BUILDING_OFFICE,
        K.SERVICE_CENTRE,
        K.GRID_CENTRE,
        K.REPRESENTATIVE_COUNCIL,
    ):
        assert Organisation.objects.filter(kind=kind).count() == 1, kind
    assert (
        Organisation.objects.filter(kind=K.GENERAL_BRANCH, residential_area__isnull=False).count()
        == 20
    )
    assert Organisation.objects.filter(kind=K.RESIDENTS_COMMITTEE).count() == 20
    stations = Organisation.objects.filter(kind=K.GRID_STATION, grid_station__isnull=False)
    assert stations.count() == 5
    assert Building.objects.filter(kind=Building.Kind.OFFICE).exists()
    assert Building.objects.filter(kind=Building.Kind.PARK).exists()
    # The maps' roads and landmarks: the roads named in the report's addresses, the boundary
    # roads around the subdistrict, the schools, the hospital and the service centre.
    roads = dict(Road.objects.values_list("name", "kind"))
    assert roads["兰溪路"] == Road.Kind.MAIN and roads["枫桥路"] == Road.Kind.BOUNDARY
    assert len(roads) >= 10
    landmarks = dict(Landmark.objects.values_list("name", "kind"))
    assert landmarks["曹杨二中"] == Landmark.Kind.SCHOOL
    assert landmarks["中心医院"] == Landmark.Kind.HOSPITAL
    assert landmarks["社区党建服务中心"] == Landmark.Kind.SERVICE_CENTRE
    assert (
        Organisation.objects.filter(kind=K.SERVICE_STATION, residential_area__isnull=False).count()
        >= 20
    )


def test_alliance_members_and_attending_units(seeded, db):
    members = set(
        Organisation.objects.filter(alliance_joined_on__isnull=False).values_list("name", flat=True)
    )
    assert len(members) == 24
    assert {"曹杨二中附属学校", "上海市测绘院", "普陀区中心医院", "杏梅园居民区党总支"} <= members
    assert sum(name.endswith("居民区党总支") for name in members) >= 2
    attending = set(
        OrgRelation.objects.filter(
            kind=OrgRelation.Kind.ATTENDS, target__kind=K.ADMIN_PARTY_GROUP
        ).values_list("source__name", flat=True)
    )
    assert "普陀公安分局交警支队曹杨中队" in attending
    assert Organisation.objects.filter(name__in=attending, kind=K.PROPERTY_COMPANY).count() >= 3


def test_every_general_branch_has_part_time_members_from_elsewhere(seeded, db):
    for gb in Organisation.objects.filter(kind=K.GENERAL_BRANCH):
        part_time = Position.objects.filter(organisation=gb, role=R.PART_TIME_MEMBER)
        assert part_time.exists(), gb.name
        for pos in part_time:  # their other position shows where they come from
            assert Position.objects.filter(person=pos.person).exclude(pk=pos.pk).exists()
    xingyang = org("杏杨居民区党总支")
    people = Position.objects.filter(organisation=xingyang, role=R.PART_TIME_MEMBER).values(
        "person"
    )
    sources = set(
        Position.objects.filter(person__in=people)
        .exclude(organisation=xingyang)
        .values_list("organisation__name", flat=True)
    )
    origins = " ".join(sources)
    assert "普陀区绿化和市容管理局" in sources
    assert "新华书店" in origins
    assert "老年协会党支部" in origins


def test_grid_stations_have_named_people_and_inspectors_cover_their_grids(seeded, db):
    for station_org in Organisation.objects.filter(kind=K.GRID_STATION):
        roles = set(station_org.positions.values_list("role", flat=True))
        assert {
            R.RESPONSIBLE_LEADER,
            R.CADRE,
            R.AREA_HEAD,
            R.DEPARTMENT_LIAISON,
            R.INSPECTOR,
        } <= roles
        patrolled = list(
            Grid.objects.filter(
                positions__organisation=station_org, positions__role=R.INSPECTOR
            ).values_list("pk", flat=True)
        )
        station_grids = set(station_org.grid_station.grids.values_list("pk", flat=True))
        assert sorted(patrolled) == sorted(station_grids)  # each grid has exactly one inspector


def test_party_members_are_in_party_organisations(seeded, db):
    assert not PartyMembership.objects.exclude(branch__is_party_organisation=True).exists()
    in_work = PartyMembership.objects.filter(in_work=True)
    assert in_work.exists()
    registered = DualRegistration.objects.select_related("person")
    assert registered.exists()
    for reg in registered[:200]:
        assert reg.residential_area_id == reg.person.home_area_id
        assert reg.person.party_membership.in_work
    general_branch_members = PartyMembership.objects.filter(
        branch__kind__in=[K.GENERAL_BRANCH, K.PARTY_BRANCH], branch__residential_area__isnull=False
    ).count()
    assert general_branch_members > 6_240 / 2


def test_personal_data_looks_real(seeded, db):
    people = list(Person.objects.values_list("name", "gender", "birth_year", "mobile", "id_number"))
    mobiles = [p[3] for p in people]
    ids = [p[4] for p in people]
    assert len(set(mobiles)) == len(mobiles) and len(set(ids)) == len(ids)
    for name, gender, year, mobile, id_number in people:
        assert 2 <= len(name) <= 3
        assert len(mobile) == 11 and mobile[:2] in {"13", "15", "18"} and mobile.isdigit()
        assert id_number_is_valid(id_number), id_number
        assert int(id_number[6:10]) == year
        assert int(id_number[16]) % 2 == (1 if gender == "M" else 0)
        assert 1925 <= year <= 2005


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_demo_accounts_log_in_with_their_role_and_scope(seeded, db, client, account):
    r = client.post(
        reverse("accounts:login"), {"username": account.username, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 302, account.username
    user = User.objects.get(username=account.username)
    assert int(client.session["_auth_user_id"]) == user.pk
    access = compute_access(user)
    assert access.primary_role == Role(account.access)
    name = account.username
    if name == "dept_chengguan":
        assert access.department_ids == {org("普陀区城管执法局曹杨中队").pk}
    elif name == "inspector":
        assert access.station_ids == {GridStation.objects.get(number=1).pk}
    elif name == "secretary_xingmeiyuan":
        assert access.area_ids == {ResidentialArea.objects.get(name="杏梅园居民区").pk}
    elif name == "parttime_xingyang":
        assert access.area_ids == {ResidentialArea.objects.get(name="杏杨居民区").pk}
        assert Position.objects.filter(person=user.person, role=R.PART_TIME_MEMBER).exists()
    elif name == "liaison_school":
        assert access.unit_ids == {org("曹杨二中附属学校").pk}
    elif name == "service_staff":
        assert org("曹杨新村街道社区党建服务中心").pk in access.service_org_ids
    elif name == "resident":
        assert access.roles == {Role.RESIDENT}
        assert user.person.home_area is not None
    elif name == "leader":
        assert Position.objects.filter(
            person=user.person, role=R.SECRETARY, organisation__kind=K.PARTY_WORKING_COMMITTEE
        ).exists()
    elif name == "admin":
        assert user.is_superuser and user.is_staff and Role.ADMIN in access.roles
    if name != "admin":
        assert not user.is_superuser and not user.is_staff


def test_the_seed_is_one_audited_import_by_the_system(seeded, db):
    """One import event with the counts; stages that go through other apps' services (the duty
    roster) leave those services' own audit rows, by the system. The demo logins' open cases
    are made through the case services as those users: their rows say so (request seed_demo)."""
    assert seeded.audit_events >= 1
    by_people = AuditEvent.objects.filter(actor__isnull=False)
    assert by_people.exists()
    assert not by_people.exclude(request_id="seed_demo").exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, object_repr="seed_demo")
    assert event.changes["org.PartyMembership"] == {"before": 0, "after": 6_240}
    assert event.changes["places.ResidentialArea"]["after"] == 20
    assert "seed 2026" in event.note or "--seed 2026" in event.note


def test_a_second_run_changes_nothing(seeded, db):
    before, events = seed_digest(), AuditEvent.objects.count()
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    assert "310107005 already exists" in out.getvalue()
    assert seed_digest() == before
    assert AuditEvent.objects.count() == events
    assert Person.objects.count() > 6_240

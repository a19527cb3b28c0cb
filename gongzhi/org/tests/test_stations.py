"""Grid stations: the cadres (机关干部) and department liaisons (联络员) of a station get a role
scoped to its grids, enforced on the server; each station has a page with its grids, its named
people by position and its figures, which only those in scope may open."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core import permissions as perms
from gongzhi.core.roles import Role, access_for
from gongzhi.org.models import Position
from gongzhi.org.tests.factories import PersonFactory, PositionFactory

R = Position.Role
_seq = itertools.count(1)


def _case(centre: Any, grid: Any, *, overdue: bool = False) -> Case:
    n = next(_seq)
    now = timezone.now()
    fields: dict[str, Any] = {
        "number": f"CY2026-8{n:05d}",
        "tracking_code": f"STATION{n:05d}",
        "channel": Case.Channel.INSPECTOR,
        "type": Case.Type.EVENT,
        "category": centre.garbage,
        "description": "测试案件",
        "received_at": now - dt.timedelta(hours=1),
        "filed_at": now - dt.timedelta(minutes=50),
        "state": Case.State.FILED,
        "grid": grid,
        "residential_area": grid.residential_area,
        "station": grid.station,
        "subdistrict_id": grid.residential_area.subdistrict_id,
    }
    if overdue:
        fields.update(
            state=Case.State.DISPATCHED,
            department=centre.world.orgs["chengguan"],
            dispatched_at=now - dt.timedelta(minutes=40),
            handle_due_at=now - dt.timedelta(minutes=10),
            close_due_at=now - dt.timedelta(minutes=5),
            due_at=now - dt.timedelta(minutes=10),
        )
    return Case.objects.create(**fields)


@dataclass
class StationWorld:
    world: Any
    cadre: Any
    dept_liaison: Any
    leader_person: Any
    cases_a: list[Case]
    cases_b: list[Case]


def _staff(username: str, org: Any, role: str, name: str) -> Any:
    person = PersonFactory(name=name)
    PositionFactory(person=person, organisation=org, role=role)
    return UserFactory(username=username, person=person)


@pytest.fixture
def stations(world) -> StationWorld:
    centre = make_centre(world)
    st_a = world.orgs["station_a"]
    cadre = _staff("cadre", st_a, R.CADRE, "林干部")
    liaison = _staff("dept_liaison", st_a, R.DEPARTMENT_LIAISON, "何联络")
    leader = PersonFactory(name="高责任")
    PositionFactory(person=leader, organisation=st_a, role=R.RESPONSIBLE_LEADER)
    PositionFactory(person=PersonFactory(name="许负责"), organisation=st_a, role=R.AREA_HEAD)
    cases_a = [_case(centre, world.grids["a1"], overdue=True) for _ in range(2)]
    cases_a.append(_case(centre, world.grids["a2"]))
    cases_b = [_case(centre, world.grids["b1"], overdue=True)]
    return StationWorld(world, cadre, liaison, leader, cases_a, cases_b)


# --- roles and scope ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cadre", "dept_liaison"])
def test_a_cadre_or_liaison_at_a_station_gets_the_station_role_and_its_scope(stations, who):
    user = getattr(stations, "cadre" if who == "cadre" else "dept_liaison")
    access = access_for(user)
    assert Role.STATION in access.roles
    assert Role.INSPECTOR not in access.roles  # they follow the cases, they do not patrol
    assert access.station_ids == frozenset({stations.world.station_a.pk})
    assert access.is_staff_member and not access.whole_subdistrict


def test_a_cadre_sees_only_their_stations_cases(stations):
    seen = set(perms.visible(stations.cadre, Case.objects.all()).values_list("pk", flat=True))
    assert seen == {c.pk for c in stations.cases_a}


def test_a_cadre_cannot_open_a_case_of_another_station(client, stations):
    client.force_login(stations.cadre)
    own = client.get(reverse("cases:detail", args=[stations.cases_a[0].pk]))
    other = client.get(reverse("cases:detail", args=[stations.cases_b[0].pk]))
    assert own.status_code == 200
    assert other.status_code == 404


def test_the_station_role_ends_with_the_position(stations):
    pos = Position.objects.get(person=stations.cadre.person)
    pos.ends_on = timezone.localdate() - dt.timedelta(days=1)
    pos.starts_on = None
    pos.save()
    assert Role.STATION not in access_for(stations.cadre).roles


# --- the pages ------------------------------------------------------------------------------


def test_the_list_shows_a_cadre_their_station_and_a_leader_every_station(client, stations):
    w = stations.world
    client.force_login(stations.cadre)
    page = client.get(reverse("org:station_list")).content.decode()
    assert w.station_a.name in page and w.station_b.name not in page
    client.force_login(w.leader)
    page = client.get(reverse("org:station_list")).content.decode()
    assert w.station_a.name in page and w.station_b.name in page


def test_a_residents_request_for_the_stations_is_refused(client, stations):
    client.force_login(stations.world.resident)
    assert client.get(reverse("org:station_list")).status_code == 403


def test_the_station_page_names_its_people_by_position_and_lists_its_grids(client, stations):
    w = stations.world
    client.force_login(stations.cadre)
    response = client.get(reverse("org:station_detail", args=[w.station_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for role, name in [
        (R.RESPONSIBLE_LEADER, "高责任"),
        (R.CADRE, "林干部"),
        (R.AREA_HEAD, "许负责"),
        (R.DEPARTMENT_LIAISON, "何联络"),
        (R.INSPECTOR, "陈巡查"),
    ]:
        start = body.index(f'data-testid="people-{role}"')
        assert name in body[start : body.index("</ul>", start)]
    grids = body[body.index('data-testid="station-grids"') :]
    assert w.grids["a1"].code in grids and w.grids["b1"].code not in grids


def test_the_station_page_counts_its_own_cases_through_the_measures(client, stations):
    w = stations.world
    client.force_login(stations.cadre)
    body = client.get(reverse("org:station_detail", args=[w.station_a.pk])).content.decode()
    overdue = body[body.index('data-testid="figure-cases.overdue"') :]
    assert '<div class="gz-stat-value">2</div>' in overdue[:300]
    # A leader opens station B's page, with the figures linked to the list behind them.
    client.force_login(w.leader)
    body = client.get(reverse("org:station_detail", args=[w.station_b.pk])).content.decode()
    overdue = body[body.index('data-testid="figure-cases.overdue"') :][:400]
    assert ">1</a>" in overdue and f"station={w.station_b.pk}" in overdue


@pytest.mark.parametrize("who", ["cadre", "dept_liaison"])
def test_another_stations_page_is_missing_for_a_station_member(client, stations, who):
    client.force_login(getattr(stations, who))
    url = reverse("org:station_detail", args=[stations.world.station_b.pk])
    assert client.get(url).status_code == 404


def test_an_area_secretary_opens_only_the_station_serving_their_area(client, stations):
    w = stations.world
    client.force_login(w.secretary)
    assert client.get(reverse("org:station_detail", args=[w.station_a.pk])).status_code == 200
    assert client.get(reverse("org:station_detail", args=[w.station_b.pk])).status_code == 404


def test_a_department_sees_no_station(client, stations):
    client.force_login(stations.world.handler)
    body = client.get(reverse("org:station_list")).content.decode()
    assert 'data-testid="no-stations"' in body
    url = reverse("org:station_detail", args=[stations.world.station_a.pk])
    assert client.get(url).status_code == 404


def test_a_bad_month_shows_this_month(client, stations):
    client.force_login(stations.cadre)
    url = reverse("org:station_detail", args=[stations.world.station_a.pk])
    response = client.get(url, {"month": "2026-13"})
    assert response.status_code == 200
    assert timezone.localdate().strftime("%Y-%m") in response.content.decode()


@pytest.mark.parametrize("state", [Case.State.FILED, Case.State.DISPATCHED, Case.State.HANDLED])
def test_a_cadre_follows_the_cases_but_takes_no_action_on_them(stations, state):
    from gongzhi.cases.workflow import CASES

    case = stations.cases_a[0]
    Case.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    allowed = [a for a in CASES.actions if perms.can(stations.cadre, a, case)]
    assert allowed == []
    # The station's inspector, on the same case, verifies a handled one.
    if state == Case.State.HANDLED:
        assert perms.can(stations.world.inspector, "verify_pass", case)

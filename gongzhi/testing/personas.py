"""Named personas in a small subdistrict, one per role plus outsiders, for permission and page
tests. Build with `build_world()`; the `world` fixture in gongzhi/conftest.py does that.

The world: a 1 km × 1 km subdistrict split into two residential areas (west A, east B), each
with its own grid station and two estate grids; departments 城管中队 and 房管办; one resident
unit in the alliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.accounts.models import User
from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
from gongzhi.places.models import Grid
from gongzhi.places.tests.factories import (
    GridFactory,
    GridStationFactory,
    ResidentialAreaFactory,
    SubdistrictFactory,
)
from gongzhi.testing.geometry import rect

K = Organisation.Kind
R = Position.Role


@dataclass
class World:
    subdistrict: Any
    area_a: Any
    area_b: Any
    station_a: Any
    station_b: Any
    grids: dict[str, Grid]
    orgs: dict[str, Organisation]
    users: dict[str, User]

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def _user(username: str, org: Organisation | None, role: str | None, **person: Any) -> User:
    p = PersonFactory(name=person.pop("name", username), **person)
    if org is not None and role is not None:
        PositionFactory(person=p, organisation=org, role=role)
    return UserFactory(username=username, person=p)


def _area(sd: Any, station: Any, code: str, name: str, box: tuple[int, int, int, int]) -> Any:
    """A residential area of `sd` served by `station`, over the rectangle `box` (metres)."""
    return ResidentialAreaFactory(
        subdistrict=sd, code=code, name=name, grid_station=station, geometry=rect(*box)
    )


def _grid(code: str, name: str, area: Any, box: tuple[int, int, int, int]) -> Grid:
    """A grid of `area` (and of its station) over the rectangle `box` (metres)."""
    return GridFactory(
        code=code,
        name=name,
        residential_area=area,
        station=area.grid_station,
        geometry=rect(*box),
    )


def build_world() -> World:
    sd = SubdistrictFactory(geometry=rect(0, 0, 1000, 1000))
    st_a = GridStationFactory(subdistrict=sd, number=1, name="第一网格工作站")
    st_b = GridStationFactory(subdistrict=sd, number=2, name="第二网格工作站")
    area_a = _area(sd, st_a, "001", "杏梅园居民区", (0, 0, 500, 1000))
    area_b = _area(sd, st_b, "002", "杏杨居民区", (500, 0, 1000, 1000))
    grids = {
        key: _grid(code, name, area, box)
        for key, code, name, area, box in (
            ("a1", "310107005001001", "杏梅园一", area_a, (0, 0, 500, 500)),
            ("a2", "310107005001002", "杏梅园二", area_a, (0, 500, 500, 1000)),
            ("b1", "310107005002001", "杏杨一", area_b, (500, 0, 1000, 500)),
            ("b2", "310107005002002", "杏杨二", area_b, (500, 500, 1000, 1000)),
        )
    }
    pwc = OrganisationFactory(
        name="曹杨新村街道党工委", kind=K.PARTY_WORKING_COMMITTEE, is_party_organisation=True
    )
    cpc = OrganisationFactory(
        name="曹杨新村街道社区党委",
        kind=K.COMMUNITY_PARTY_COMMITTEE,
        parent=pwc,
        is_party_organisation=True,
    )
    orgs = {
        "pwc": pwc,
        "cpc": cpc,
        "centre": OrganisationFactory(name="城市网格化综合管理中心", kind=K.GRID_CENTRE),
        "station_a": OrganisationFactory(
            name="第一网格工作站", kind=K.GRID_STATION, grid_station=st_a
        ),
        "station_b": OrganisationFactory(
            name="第二网格工作站", kind=K.GRID_STATION, grid_station=st_b
        ),
        "branch_a": OrganisationFactory(
            name="杏梅园居民区党总支",
            kind=K.GENERAL_BRANCH,
            parent=cpc,
            residential_area=area_a,
            is_party_organisation=True,
        ),
        "branch_b": OrganisationFactory(
            name="杏杨居民区党总支",
            kind=K.GENERAL_BRANCH,
            parent=cpc,
            residential_area=area_b,
            is_party_organisation=True,
        ),
        "chengguan": OrganisationFactory(name="城管中队", kind=K.DEPARTMENT),
        "fangguan": OrganisationFactory(name="房管办", kind=K.DEPARTMENT),
        "school": OrganisationFactory(
            name="曹杨二中附属学校", kind=K.RESIDENT_UNIT, sector=Organisation.Sector.SCHOOL
        ),
        "centre_service": OrganisationFactory(
            name="社区党建服务中心", kind=K.SERVICE_CENTRE, parent=pwc
        ),
        "office": OrganisationFactory(name="社区党建办", kind=K.PARTY_BUILDING_OFFICE, parent=pwc),
    }
    users = {
        "operator": _user("operator", orgs["centre"], R.OPERATOR, name="王受理"),
        "duty_chief": _user("duty_chief", orgs["centre"], R.DUTY_CHIEF, name="李值班"),
        "handler": _user("handler", orgs["chengguan"], R.HANDLER, name="张城管"),
        "other_handler": _user("other_handler", orgs["fangguan"], R.HANDLER, name="赵房管"),
        "inspector": _user("inspector", orgs["station_a"], R.INSPECTOR, name="陈巡查"),
        "secretary": _user("secretary", orgs["branch_a"], R.SECRETARY, name="刘书记"),
        "other_secretary": _user("other_secretary", orgs["branch_b"], R.SECRETARY, name="周书记"),
        "liaison": _user("liaison", orgs["school"], R.UNIT_LIAISON, name="吴联络"),
        "service_staff": _user(
            "service_staff", orgs["centre_service"], R.SERVICE_STAFF, name="郑服务"
        ),
        "leader": _user("leader", pwc, R.SECRETARY, name="孙书记"),
        "auditor": _user("auditor", orgs["office"], R.AUDITOR, name="钱审计"),
        "admin": _user("admin", orgs["office"], R.ADMINISTRATOR, name="冯管理"),
        "resident": UserFactory(username="resident"),
    }
    # A resident of area A (a person with a home area but no position) and someone of area B.
    users["resident_a"] = _user("resident_a", None, None, name="居民甲", home_area=area_a)
    # Every body of the world belongs to its subdistrict (none is a district office).
    Organisation.objects.filter(subdistrict__isnull=True).update(subdistrict=sd)
    for o in orgs.values():
        o.subdistrict = sd
    return World(sd, area_a, area_b, st_a, st_b, grids, orgs, users)

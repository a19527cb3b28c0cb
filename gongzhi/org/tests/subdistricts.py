"""A second subdistrict next to the persona world (gongzhi.testing.personas), and a district
office above both, for tests of an installation that serves several subdistricts.

The persona world is 曹杨新村街道 (0–1000 m east of the origin). `build_second()` adds
长风新村街道 (2000–3000 m east): one residential area, its grid station and one grid, a grid
centre, a department, a Party working committee and an office, with their operator, handler,
leader, administrator and auditor (usernames start with "cf_"), and a district office
(普陀区城运中心, no subdistrict) whose leader ("district_leader") reaches both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.accounts.models import User
from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
from gongzhi.places.models import Grid, ResidentialArea, Subdistrict
from gongzhi.places.tests.factories import (
    GridFactory,
    GridStationFactory,
    ResidentialAreaFactory,
    SubdistrictFactory,
)
from gongzhi.testing.geometry import lnglat, rect

K = Organisation.Kind
R = Position.Role

# Strings that only the second subdistrict's objects carry: none may show to the first's staff.
MARKERS = ("长风", "310107013")


@dataclass
class Second:
    subdistrict: Subdistrict
    area: ResidentialArea
    grid: Grid
    orgs: dict[str, Organisation]
    users: dict[str, User]
    district: Organisation  # the district office (no subdistrict)
    district_leader: User

    @staticmethod
    def point() -> tuple[float, float]:
        """(lat, lng) of a point inside the second subdistrict's grid."""
        lng, lat = lnglat(2500, 500)
        return lat, lng


def _user(username: str, org: Organisation, role: str, name: str) -> User:
    p = PersonFactory(name=name)
    PositionFactory(person=p, organisation=org, role=role)
    return UserFactory(username=username, person=p)


def build_second() -> Second:
    sd = SubdistrictFactory(
        code="310107013", name="长风新村街道", geometry=rect(2000, 0, 3000, 1000)
    )
    st = GridStationFactory(subdistrict=sd, number=1, name="长风第一网格工作站")
    area = ResidentialAreaFactory(
        subdistrict=sd,
        code="001",
        name="长风一村居民区",
        grid_station=st,
        geometry=rect(2000, 0, 3000, 1000),
    )
    grid = GridFactory(
        code="310107013001001",
        name="长风一村一",
        residential_area=area,
        station=st,
        geometry=rect(2000, 0, 3000, 1000),
    )
    pwc = OrganisationFactory(
        name="长风新村街道党工委",
        kind=K.PARTY_WORKING_COMMITTEE,
        is_party_organisation=True,
        subdistrict=sd,
    )
    orgs = {
        "pwc": pwc,
        "centre": OrganisationFactory(name="长风城运中心", kind=K.GRID_CENTRE, subdistrict=sd),
        "station": OrganisationFactory(
            name="长风第一网格工作站", kind=K.GRID_STATION, grid_station=st, subdistrict=sd
        ),
        "department": OrganisationFactory(name="长风市容所", kind=K.DEPARTMENT, subdistrict=sd),
        "office": OrganisationFactory(
            name="长风党建办", kind=K.PARTY_BUILDING_OFFICE, parent=pwc, subdistrict=sd
        ),
    }
    users = {
        "cf_operator": _user("cf_operator", orgs["centre"], R.OPERATOR, "长风受理"),
        "cf_handler": _user("cf_handler", orgs["department"], R.HANDLER, "长风处置"),
        "cf_leader": _user("cf_leader", pwc, R.SECRETARY, "长风书记"),
        "cf_admin": _user("cf_admin", orgs["office"], R.ADMINISTRATOR, "长风管理"),
        "cf_auditor": _user("cf_auditor", orgs["office"], R.AUDITOR, "长风审计"),
    }
    district = OrganisationFactory(name="普陀区城运中心", kind=K.DISTRICT_OFFICE, subdistrict=None)
    leader = _user("district_leader", district, R.LEADER, "区城运主任")
    return Second(sd, area, grid, orgs, users, district, leader)


def fresh(user: Any) -> Any:
    """The user without the Access kept on it (after the world changed)."""
    user.__dict__.pop("_gongzhi_access", None)
    return user

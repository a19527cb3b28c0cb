"""A second subdistrict beside the personas' world (gongzhi.testing.personas), for the tests of
an installation that serves several: its own residential area, grid station and grid, its grid
centre, a department and a working committee, with an operator, a duty chief, a handler and a
leader; and a district office whose leader reaches both subdistricts.

Build it before any user's Access is computed (an installation of one subdistrict narrows
nothing, and an Access is kept on its user object)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.accounts.models import User
from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
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
class Other:
    subdistrict: Any
    area: Any
    station: Any
    grid: Any
    orgs: dict[str, Organisation]
    users: dict[str, User]


def _user(username: str, org: Organisation, role: str, name: str) -> User:
    person = PersonFactory(name=name)
    PositionFactory(person=person, organisation=org, role=role)
    return UserFactory(username=username, person=person)


def build_second_subdistrict() -> Other:
    """Subdistrict B (usernames b_operator, b_duty_chief, b_handler, b_leader) and the
    district office's leader (district_leader)."""
    sd = SubdistrictFactory(
        code="310107006", name="长风新村街道", geometry=rect(2000, 0, 3000, 1000)
    )
    station = GridStationFactory(subdistrict=sd, number=1, name="长风第一网格工作站")
    area = ResidentialAreaFactory(
        subdistrict=sd,
        code="001",
        name="长风一村居民区",
        grid_station=station,
        geometry=rect(2000, 0, 3000, 1000),
    )
    grid = GridFactory(
        code="310107006001001",
        name="长风一村一",
        residential_area=area,
        station=station,
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
        "centre": OrganisationFactory(
            name="长风网格化综合管理中心", kind=K.GRID_CENTRE, subdistrict=sd
        ),
        "department": OrganisationFactory(name="长风城管中队", kind=K.DEPARTMENT, subdistrict=sd),
        "district": OrganisationFactory(
            name="区城运中心", kind=K.DISTRICT_OFFICE, subdistrict=None
        ),
    }
    users = {
        "operator": _user("b_operator", orgs["centre"], R.OPERATOR, "长风受理"),
        "duty_chief": _user("b_duty_chief", orgs["centre"], R.DUTY_CHIEF, "长风值班"),
        "handler": _user("b_handler", orgs["department"], R.HANDLER, "长风城管"),
        "leader": _user("b_leader", pwc, R.SECRETARY, "长风书记"),
        "district_leader": _user("district_leader", orgs["district"], R.DIRECTOR, "区主任"),
    }
    return Other(sd, area, station, grid, orgs, users)

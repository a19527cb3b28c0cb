"""A second subdistrict, 长风新村街道 (2000–3000 m east of the origin), beside the personas' world
(gongzhi.testing.personas, 曹杨新村街道, 0–1000 m east), and a district office (no subdistrict)
whose leader reaches both: for the tests of an installation that serves several subdistricts.

Three builders, one per kind of test; each puts the subdistrict's residential area and grid
station where the others do, and its own bodies and users in it:
- `build_second_subdistrict()`: the grid centre's side (cases, duty, the cockpit, triage):
  code 310107006, a grid, the grid centre, a department, with an operator, a duty chief, a
  handler and a leader (usernames start with "b_"), and "district_leader";
- `build_second()`: isolation of the back office, the API and the pages: code 310107013, a grid,
  a grid centre, a station, a department, a Party working committee and an office, with their
  operator, handler, leader, administrator and auditor (usernames start with "cf_"), and
  "district_leader" (`MARKERS`: strings only its objects carry);
- `build_other(world)`: the alliance, sharing, the service centre and the councils: code
  310107006, a resident unit, a general branch and a service centre with a leader, a liaison and
  service staff (usernames end with "_b"), and "district".

Build one before any user's Access is computed (an installation of one subdistrict narrows
nothing, and an Access is kept on its user object; `fresh(user)` drops it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.accounts.models import User
from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.places.models import Grid, ResidentialArea, Subdistrict
from gongzhi.places.tests.factories import (
    GridStationFactory,
    SubdistrictFactory,
)
from gongzhi.testing.geometry import lnglat, rect
from gongzhi.testing.personas import World, _area, _grid, _user

K = Organisation.Kind
R = Position.Role

NAME = "长风新村街道"
BOX = (2000, 0, 3000, 1000)  # the subdistrict, its one residential area and its one grid

# Strings that only build_second()'s objects carry: none may show to the first's staff.
MARKERS = ("长风", "310107013")


def _subdistrict(code: str, *, area_code: str, area_name: str) -> tuple[Any, Any, Any]:
    """(subdistrict, grid station, residential area) of 长风新村街道 under `code`."""
    sd = SubdistrictFactory(code=code, name=NAME, geometry=rect(*BOX))
    station = GridStationFactory(subdistrict=sd, number=1, name="长风第一网格工作站")
    return sd, station, _area(sd, station, area_code, area_name, BOX)


def _area_grid(area: Any) -> Grid:
    """The area's one grid, coded after its subdistrict and area."""
    return _grid(f"{area.subdistrict.code}{area.code}001", "长风一村一", area, BOX)


def _working_committee(sd: Any) -> Organisation:
    return OrganisationFactory(
        name=f"{NAME}党工委",
        kind=K.PARTY_WORKING_COMMITTEE,
        is_party_organisation=True,
        subdistrict=sd,
    )


def fresh(user: Any) -> Any:
    """The user without the Access kept on it (after the world changed)."""
    user.__dict__.pop("_gongzhi_access", None)
    return user


# --- the grid centre's side -------------------------------------------------------------------


@dataclass
class CentreSide:
    subdistrict: Any
    area: Any
    station: Any
    grid: Any
    orgs: dict[str, Organisation]
    users: dict[str, User]


def build_second_subdistrict() -> CentreSide:
    """Subdistrict B (usernames b_operator, b_duty_chief, b_handler, b_leader) and the
    district office's leader (district_leader)."""
    sd, station, area = _subdistrict("310107006", area_code="001", area_name="长风一村居民区")
    grid = _area_grid(area)
    pwc = _working_committee(sd)
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
        "operator": _user("b_operator", orgs["centre"], R.OPERATOR, name="长风受理"),
        "duty_chief": _user("b_duty_chief", orgs["centre"], R.DUTY_CHIEF, name="长风值班"),
        "handler": _user("b_handler", orgs["department"], R.HANDLER, name="长风城管"),
        "leader": _user("b_leader", pwc, R.SECRETARY, name="长风书记"),
        "district_leader": _user("district_leader", orgs["district"], R.DIRECTOR, name="区主任"),
    }
    return CentreSide(sd, area, station, grid, orgs, users)


# --- isolation of the back office, the API and the pages -----------------------------------------


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

    def file_case(self, category: Any) -> Any:
        """A hotline case filed by the second subdistrict's operator at a point of its grid."""
        from gongzhi.cases import services
        from gongzhi.cases.models import Case

        lat, lng = self.point()
        return services.case_intake(
            actor=self.users["cf_operator"],
            channel=Case.Channel.HOTLINE,
            type=Case.Type.EVENT,
            category=category,
            description="长风公园北门垃圾满溢",
            address="长风路一号",
            reporter_name="长风居民",
            reporter_phone="13900000000",
            lat=lat,
            lng=lng,
        ).case


def build_second() -> Second:
    sd, st, area = _subdistrict("310107013", area_code="001", area_name="长风一村居民区")
    grid = _area_grid(area)
    pwc = _working_committee(sd)
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
        "cf_operator": _user("cf_operator", orgs["centre"], R.OPERATOR, name="长风受理"),
        "cf_handler": _user("cf_handler", orgs["department"], R.HANDLER, name="长风处置"),
        "cf_leader": _user("cf_leader", pwc, R.SECRETARY, name="长风书记"),
        "cf_admin": _user("cf_admin", orgs["office"], R.ADMINISTRATOR, name="长风管理"),
        "cf_auditor": _user("cf_auditor", orgs["office"], R.AUDITOR, name="长风审计"),
    }
    district = OrganisationFactory(name="普陀区城运中心", kind=K.DISTRICT_OFFICE, subdistrict=None)
    leader = _user("district_leader", district, R.LEADER, name="区城运主任")
    return Second(sd, area, grid, orgs, users, district, leader)


# --- the alliance, sharing, the service centre and the councils -----------------------------------


@dataclass
class Other:
    subdistrict: Any
    area: Any
    pwc: Organisation
    unit: Organisation
    branch: Organisation
    centre_service: Organisation
    district_office: Organisation
    leader: Any  # the other subdistrict's Party secretary (a leader there)
    liaison: Any  # the liaison of a unit there
    service_staff: Any  # staff of its Party-building service centre
    district: Any  # a leader of the district office: reaches both subdistricts


def build_other(world: World) -> Other:
    """With two subdistricts, every staff scope of `world` narrows to its positions'."""
    sd, _station, area = _subdistrict("310107006", area_code="101", area_name="长风一村")
    pwc = _working_committee(sd)
    unit = OrganisationFactory(
        name="长风中学", kind=K.RESIDENT_UNIT, sector=Organisation.Sector.SCHOOL, subdistrict=sd
    )
    branch = OrganisationFactory(
        name="长风一村党总支",
        kind=K.GENERAL_BRANCH,
        residential_area=area,
        is_party_organisation=True,
        subdistrict=sd,
    )
    centre_service = OrganisationFactory(
        name="长风社区党建服务中心", kind=K.SERVICE_CENTRE, parent=pwc, subdistrict=sd
    )
    office = OrganisationFactory(name="普陀区委组织部", kind=K.DISTRICT_OFFICE, subdistrict=None)
    return Other(
        subdistrict=sd,
        area=area,
        pwc=pwc,
        unit=unit,
        branch=branch,
        centre_service=centre_service,
        district_office=office,
        leader=_user("leader_b", pwc, R.SECRETARY, name="长风书记"),
        liaison=_user("liaison_b", unit, R.UNIT_LIAISON, name="长风联络"),
        service_staff=_user("service_staff_b", centre_service, R.SERVICE_STAFF, name="长风服务"),
        district=_user("district", office, R.DIRECTOR, name="区领导"),
    )

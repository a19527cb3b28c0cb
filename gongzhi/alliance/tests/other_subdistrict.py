"""A second subdistrict beside the personas' world (`gongzhi.testing.personas`), for the tests
that one subdistrict's staff do not reach another's rows, and a district office that reaches
both. Build it before any of the world's users' access is computed (it is kept per user
object): with two subdistricts, every staff scope narrows to the subdistricts of its positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.places.tests.factories import (
    GridStationFactory,
    ResidentialAreaFactory,
    SubdistrictFactory,
)
from gongzhi.testing.geometry import rect
from gongzhi.testing.personas import World, _user

K = Organisation.Kind
R = Position.Role


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
    sd = SubdistrictFactory(
        code="310107006", name="长风新村街道", geometry=rect(2000, 0, 3000, 1000)
    )
    station = GridStationFactory(subdistrict=sd, number=1, name="长风第一网格工作站")
    area = ResidentialAreaFactory(
        subdistrict=sd,
        code="101",
        name="长风一村",
        grid_station=station,
        geometry=rect(2000, 0, 3000, 1000),
    )
    pwc = OrganisationFactory(
        name="长风新村街道党工委",
        kind=K.PARTY_WORKING_COMMITTEE,
        is_party_organisation=True,
        subdistrict=sd,
    )
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

"""A fuller organisation on top of the world fixture: the "1+2+2" bodies, attending units,
part-time committee members with the units they come from, estates and responsible people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.org.models import Organisation, Person, Position
from gongzhi.org.tests.factories import (
    OrganisationFactory,
    OrgRelationFactory,
    PersonFactory,
    PositionFactory,
)
from gongzhi.places.models import Grid
from gongzhi.places.tests.factories import EstateFactory

K = Organisation.Kind
R = Position.Role


@dataclass
class OrgWorld:
    world: Any
    admin_group: Organisation
    police: Organisation
    property_company: Organisation
    part_time_a: Person  # from the school, in area A's general branch
    part_time_b: Person  # from the police station, in area B's general branch
    area_head_a: Person  # at grid station 1, for area A's grids
    estate_a: Any


@pytest.fixture
def org_world(world) -> OrgWorld:
    pwc = world.orgs["pwc"]
    admin_group = OrganisationFactory(
        name="街道行政组织党组", kind=K.ADMIN_PARTY_GROUP, parent=pwc, is_party_organisation=True
    )
    police = OrganisationFactory(name="曹杨新村派出所", kind=K.DEPARTMENT, short_name="派出所")
    traffic = OrganisationFactory(name="普陀交警支队", kind=K.DEPARTMENT)
    property_company = OrganisationFactory(name="曹杨物业公司", kind=K.PROPERTY_COMPANY)
    OrgRelationFactory(source=traffic, target=admin_group)
    OrgRelationFactory(source=property_company, target=admin_group)

    part_time_a = PersonFactory(name="吴兼职", mobile="13911112222")
    PositionFactory(
        person=part_time_a, organisation=world.orgs["branch_a"], role=R.PART_TIME_MEMBER
    )
    PositionFactory(person=part_time_a, organisation=world.orgs["school"], role=R.STAFF)
    part_time_b = PersonFactory(name="周民警", mobile="13933334444")
    PositionFactory(
        person=part_time_b, organisation=world.orgs["branch_b"], role=R.PART_TIME_MEMBER
    )
    PositionFactory(person=part_time_b, organisation=police, role=R.COMMUNITY_POLICE)

    area_head_a = PersonFactory(name="钱片长", mobile="13955556666")
    head = PositionFactory(
        person=area_head_a, organisation=world.orgs["station_a"], role=R.AREA_HEAD
    )
    head.grids.set([world.grids["a1"], world.grids["a2"]])
    leader = PositionFactory(
        person=PersonFactory(name="赵责任"),
        organisation=world.orgs["station_a"],
        role=R.RESPONSIBLE_LEADER,
    )
    leader.grids.set([])
    estate_a = EstateFactory(
        residential_area=world.area_a,
        name="杏梅园一村",
        households=812,
        property_company=property_company,
    )
    Grid.objects.filter(pk=world.grids["a1"].pk).update(estate=estate_a)
    return OrgWorld(
        world,
        admin_group,
        police,
        property_company,
        part_time_a,
        part_time_b,
        area_head_a,
        estate_a,
    )

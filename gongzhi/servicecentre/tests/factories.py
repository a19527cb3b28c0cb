"""Factories of the service network, and `build_network()`: the world's centre plus a
building/park station and a residential-area station, each with its own staff login, rooms,
a provider unit and person, the 悠悠午间 programme, and a published menu for next month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.org.models import Organisation, Position
from gongzhi.org.tests.factories import OrganisationFactory, PersonFactory, PositionFactory
from gongzhi.servicecentre.models import (
    CatalogueItem,
    Event,
    Menu,
    MenuItem,
    Programme,
    Room,
    ServicePoint,
)

K = Organisation.Kind


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    organisation = factory.SubFactory(OrganisationFactory, kind=K.SERVICE_STATION)
    kind = ServicePoint.Kind.BUILDING
    opening_hours = "工作日 9:00–17:00"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    point = factory.SubFactory(ServicePointFactory)
    name = factory.Sequence(lambda n: f"活动室{n + 1}")
    seats = 30


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"品牌项目{n + 1}")


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem

    title = factory.Sequence(lambda n: f"服务项目{n + 1}")
    provider_org = factory.SubFactory(OrganisationFactory, kind=K.RESIDENT_UNIT)
    minutes = 60
    capacity = 30


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Menu

    month = factory.LazyFunction(lambda: next_month())


class MenuItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuItem

    menu = factory.SubFactory(MenuFactory)
    item = factory.SubFactory(CatalogueItemFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    item = factory.SubFactory(CatalogueItemFactory)
    point = factory.SubFactory(ServicePointFactory)
    title = factory.LazyAttribute(lambda o: o.item.title)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    capacity = 2


def next_month(today: dt.date | None = None) -> dt.date:
    d = (today or timezone.localdate()).replace(day=1)
    return (d + dt.timedelta(days=32)).replace(day=1)


def staff_user(username: str, org: Organisation) -> Any:
    person = PersonFactory(name=username)
    PositionFactory(person=person, organisation=org, role=Position.Role.SERVICE_STAFF)
    return UserFactory(username=username, person=person)


@dataclass
class Network:
    centre: ServicePoint
    building: ServicePoint
    residential: ServicePoint
    centre_room: Room
    building_room: Room
    programme: Programme
    lecture: CatalogueItem
    workshop: CatalogueItem
    menu: Menu
    lecture_on_menu: MenuItem
    workshop_on_menu: MenuItem
    station_staff: Any
    other_station_staff: Any
    office_worker: Any


def build_network(world: Any, *, published: bool = True) -> Network:
    centre = ServicePointFactory(
        organisation=world.orgs["centre_service"], kind=ServicePoint.Kind.CENTRE
    )
    b_org = OrganisationFactory(
        name="中环大厦党建服务站", kind=K.SERVICE_STATION, parent=world.orgs["centre_service"]
    )
    r_org = OrganisationFactory(
        name="杏梅园居民区党建服务站", kind=K.SERVICE_STATION, parent=world.orgs["centre_service"]
    )
    building = ServicePointFactory(organisation=b_org, kind=ServicePoint.Kind.BUILDING)
    residential = ServicePointFactory(organisation=r_org, kind=ServicePoint.Kind.RESIDENTIAL)
    centre_room = RoomFactory(point=centre, name="多功能厅", seats=80)
    building_room = RoomFactory(point=building, name="白领之家", seats=40)
    programme = ProgrammeFactory(name="悠悠午间")
    provider = OrganisationFactory(name="普陀区中心医院", kind=K.RESIDENT_UNIT)
    lecture = CatalogueItemFactory(
        title="午间健康讲座", programme=programme, provider_org=provider, minutes=60, capacity=30
    )
    workshop = CatalogueItemFactory(
        title="手工香囊制作", provider_person=PersonFactory(name="何老师"), provider_org=None
    )
    menu = MenuFactory(month=next_month(), subdistrict=world.subdistrict)
    on1 = MenuItemFactory(menu=menu, item=lecture)
    on2 = MenuItemFactory(menu=menu, item=workshop)
    if published:
        menu.state = Menu.State.PUBLISHED
        menu.published_at = timezone.now()
        menu.save()
    person = PersonFactory(name="白领小林", home_area=world.area_a)
    office_worker = UserFactory(username="office_worker", person=person)
    return Network(
        centre,
        building,
        residential,
        centre_room,
        building_room,
        programme,
        lecture,
        workshop,
        menu,
        on1,
        on2,
        staff_user("station_staff", b_org),
        staff_user("other_station_staff", r_org),
        office_worker,
    )

from __future__ import annotations

import factory

from gongzhi.places.geo import area_m2
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
from gongzhi.testing.geometry import line, lnglat, rect


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ("code",)

    code = "310107005"
    name = "曹杨新村街道"
    district = "普陀区"
    city = "上海市"
    geometry = factory.LazyFunction(lambda: rect(0, 0, 1000, 1000))


class GridStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridStation

    subdistrict = factory.SubFactory(SubdistrictFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"第{o.number}网格工作站")


class ResidentialAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentialArea

    subdistrict = factory.SubFactory(SubdistrictFactory)
    # Three digits, as the column holds: the counter wraps (each test starts from an empty table).
    code = factory.Sequence(lambda n: f"{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试{n + 1}居民区")
    grid_station = factory.SubFactory(
        GridStationFactory, subdistrict=factory.SelfAttribute("..subdistrict")
    )


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    residential_area = factory.SubFactory(ResidentialAreaFactory)
    name = factory.Sequence(lambda n: f"测试{n + 1}小区")
    households = 500


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    code = factory.Sequence(lambda n: f"310107005001{n + 1:03d}")
    name = factory.Sequence(lambda n: f"网格{n + 1}")
    kind = Grid.Kind.ESTATE
    residential_area = factory.SubFactory(ResidentialAreaFactory)
    station = factory.LazyAttribute(lambda o: o.residential_area.grid_station)
    geometry = factory.LazyFunction(lambda: rect(0, 0, 100, 100))
    area_m2 = factory.LazyAttribute(lambda o: round(area_m2(o.geometry), 2))


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"测试{n + 1}大厦")


class RoadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Road

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n + 1}路")
    kind = Road.Kind.MAIN
    width_m = 20.0
    geometry = factory.LazyFunction(lambda: line((0, 500), (1000, 500)))


class LandmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Landmark

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n + 1}学校")
    kind = Landmark.Kind.SCHOOL
    lng = factory.LazyFunction(lambda: lnglat(500, 500)[0])
    lat = factory.LazyFunction(lambda: lnglat(500, 500)[1])

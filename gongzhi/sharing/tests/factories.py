"""Factories for shared resources; `school_car_park()` builds the flagship: the school's car park
open on school days 17:30–07:30 and all day on non-school days, 40 spaces, serving area A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.sharing.models import (
    AvailabilityWindow,
    Booking,
    Permit,
    PermitApplication,
    SharedResource,
)


class SharedResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharedResource

    owner = factory.SubFactory(OrganisationFactory)
    kind = SharedResource.Kind.CAR_PARK
    name = factory.Sequence(lambda n: f"共享停车场{n + 1}")
    address = "梅岭北路100号"
    capacity = 40
    violations_to_suspend = 3


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow

    resource = factory.SubFactory(SharedResourceFactory)
    weekdays = [0, 1, 2, 3, 4]
    start = dt.time(17, 30)
    end = dt.time(7, 30)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitApplication

    resource = factory.SubFactory(SharedResourceFactory)
    name = factory.Sequence(lambda n: f"申请人{n + 1}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    plate = factory.Sequence(lambda n: f"沪A{n + 10000:05d}")
    submitted_at = factory.LazyFunction(timezone.now)


class PermitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Permit

    resource = factory.SubFactory(SharedResourceFactory)
    holder_name = "居民甲"
    plate = factory.Sequence(lambda n: f"沪B{n + 10000:05d}")
    valid_from = dt.date(2026, 1, 1)
    valid_to = dt.date(2026, 12, 31)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    title = "党课"
    attendees = 10


def school_car_park(owner: Any, areas: Any = (), **kw: Any) -> SharedResource:
    """School days 17:30–07:30 (Sunday evening too, for Monday morning), all day on weekends."""
    resource = SharedResourceFactory(owner=owner, name="曹杨二中附属学校停车场", **kw)
    WindowFactory(resource=resource, weekdays=[0, 1, 2, 3, 4, 5, 6])
    WindowFactory(resource=resource, weekdays=[5, 6], start=dt.time(0), end=dt.time(0))
    if areas:
        resource.areas.set(areas)
    return resource


def at(text: str) -> dt.datetime:
    """A moment in the site's time zone: at("2026-12-07 18:00")."""
    return timezone.make_aware(dt.datetime.fromisoformat(text))

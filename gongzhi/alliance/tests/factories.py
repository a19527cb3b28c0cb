"""Factories for the alliance's tests (rows written directly: services are tested through their
own functions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.testing.geometry import lnglat

from ..models import (
    Alliance,
    JointActivity,
    Membership,
    Milestone,
    Need,
    Project,
    ProjectParty,
    Resource,
)

NIGHTS = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "19:00", "end": "07:00"}]
OFF_PEAK = [
    {"days": [0, 1, 2, 3, 4], "start": "17:30", "end": "07:30"},
    {"days": [5, 6], "start": "00:00", "end": "24:00"},
]


def point(x: float, y: float) -> dict[str, float]:
    lng, lat = lnglat(x, y)
    return {"lat": lat, "lng": lng}


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    name = "筑梦曹杨"
    founded_on = dt.date(2016, 6, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    joined_on = dt.date(2016, 6, 1)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    owner = factory.SubFactory(OrganisationFactory)
    kind = "venue"
    title = factory.Sequence(lambda n: f"资源{n + 1}")


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    title = factory.Sequence(lambda n: f"需求{n + 1}")
    category = "venue"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"项目{n + 1}")
    proposed_at = factory.LazyFunction(timezone.now)


def party(project: Project, org: Any, role: str = "provider") -> ProjectParty:
    return ProjectParty.objects.create(project=project, organisation=org, role=role)


def milestone(project: Project, title: str = "准备", progress: int = 0) -> Milestone:
    return Milestone.objects.create(project=project, title=title, progress=progress)


class JointActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointActivity

    alliance = factory.SubFactory(AllianceFactory)
    kind = "study"
    title = factory.Sequence(lambda n: f"联学{n + 1}")
    held_on = dt.date(2026, 3, 1)

from __future__ import annotations

import datetime as dt

import factory

from gongzhi.org.models import (
    DualRegistration,
    Organisation,
    OrgRelation,
    PartyMembership,
    Person,
    Position,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n + 1}")
    kind = Organisation.Kind.RESIDENT_UNIT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人{n + 1}")
    gender = Person.Gender.FEMALE
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    id_number = factory.Sequence(lambda n: str(310107198001010000 + n))  # 18 digits, however many


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Position.Role.STAFF


class PartyMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMembership

    person = factory.SubFactory(PersonFactory)
    branch = factory.SubFactory(
        OrganisationFactory, kind=Organisation.Kind.PARTY_BRANCH, is_party_organisation=True
    )


class DualRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DualRegistration

    person = factory.SubFactory(PersonFactory)
    residential_area = factory.SubFactory("gongzhi.places.tests.factories.ResidentialAreaFactory")
    registered_on = factory.LazyFunction(lambda: dt.date(2024, 3, 1))


class OrgRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgRelation

    source = factory.SubFactory(OrganisationFactory)
    target = factory.SubFactory(OrganisationFactory)
    kind = OrgRelation.Kind.ATTENDS

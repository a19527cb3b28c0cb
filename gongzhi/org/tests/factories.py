from __future__ import annotations

import factory

from gongzhi.org.models import Organisation, PartyMembership, Person, Position


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
    mobile = factory.Sequence(lambda n: f"1380000{n:04d}")
    id_number = factory.Sequence(lambda n: f"31010719800101{n:04d}")


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

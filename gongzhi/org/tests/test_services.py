"""Writes to people, positions, Party membership, dual registration and org relations: refused
with a clear message and nothing written, or written and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.org import services
from gongzhi.org.models import (
    DualRegistration,
    Organisation,
    OrgRelation,
    PartyMembership,
    Person,
    Position,
)
from gongzhi.org.tests.factories import PartyMembershipFactory, PersonFactory

R = Position.Role
D = dt.date


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English, their msgids: these tests are about the rules (the
    Chinese wording is tested in gongzhi/core/tests/test_translations.py)."""
    with translation.override("en"):
        yield


def _audit_count() -> int:
    return AuditEvent.objects.count()


# --- people ---------------------------------------------------------------------------------


def test_person_create_normalises_and_audits(world):
    person = services.person_create(
        actor=world.admin,
        name=" 黄新 ",
        mobile="139 1234 5678",
        id_number="31010719900101123x",
        home_area=world.area_a,
    )
    assert person.name == "黄新"
    assert person.mobile == "13912345678"
    assert person.id_number == "31010719900101123X"
    event = AuditEvent.objects.for_object(person).get()
    assert event.action == "create" and event.actor == world.admin


@pytest.mark.parametrize(
    "fields,word",
    [
        ({"name": ""}, "name"),
        ({"name": "甲", "mobile": "1234"}, "11 digits"),
        ({"name": "甲", "mobile": "23812345678"}, "11 digits"),
        ({"name": "甲", "id_number": "31010719900101123"}, "ID number"),
        ({"name": "甲", "id_number": "3101071990010112AB"}, "ID number"),
        ({"name": "甲", "email": "not-an-email"}, "email"),
    ],
)
def test_person_create_refuses_bad_input(world, fields, word):
    before = (Person.objects.count(), _audit_count())
    with pytest.raises(ServiceError) as exc:
        services.person_create(actor=world.admin, **fields)
    assert word.lower() in str(exc.value.message).lower() or exc.value.field_errors
    assert (Person.objects.count(), _audit_count()) == before


def test_person_create_refuses_duplicates(world):
    existing = world.secretary.person
    with pytest.raises(ServiceError, match="ID number"):
        services.person_create(actor=world.admin, name="别人", id_number=existing.id_number)
    with pytest.raises(ServiceError, match="name and mobile"):
        services.person_create(actor=world.admin, name=existing.name, mobile=existing.mobile)
    # The same name alone is fine: names repeat in a subdistrict of 100,000 people.
    assert services.person_create(actor=world.admin, name=existing.name).pk


def test_person_update_refuses_unknown_fields_and_duplicates(world):
    person = world.handler.person
    with pytest.raises(ServiceError, match="cannot be changed"):
        services.person_update(actor=world.admin, person=person, archived_at=timezone.now())
    with pytest.raises(ServiceError, match="ID number"):
        services.person_update(
            actor=world.admin, person=person, id_number=world.secretary.person.id_number
        )


def test_only_administrators_change_people(world):
    person = world.handler.person
    with pytest.raises(NotAllowed):
        services.person_update(actor=world.handler, person=person, note="x")
    with pytest.raises(NotAllowed):
        services.person_create(actor=world.secretary, name="某人")
    services.person_update(actor=world.admin, person=person, note="checked")
    person.refresh_from_db()
    assert person.note == "checked"


# --- positions ------------------------------------------------------------------------------


def test_position_term_must_not_end_before_it_starts(world):
    person = PersonFactory()
    before = (Position.objects.count(), _audit_count())
    with pytest.raises(ServiceError, match="end before it starts") as exc:
        services.position_create(
            actor=world.admin,
            person=person,
            organisation=world.orgs["branch_a"],
            role=R.COMMITTEE_MEMBER,
            starts_on=D(2024, 5, 1),
            ends_on=D(2024, 4, 30),
        )
    assert "ends_on" in exc.value.field_errors
    assert (Position.objects.count(), _audit_count()) == before
    pos = services.position_create(
        actor=world.admin,
        person=person,
        organisation=world.orgs["branch_a"],
        role=R.COMMITTEE_MEMBER,
        starts_on=D(2024, 5, 1),
        ends_on=D(2024, 5, 1),
    )
    with pytest.raises(ServiceError, match="end before it starts"):
        services.position_update(actor=world.admin, position=pos, ends_on=D(2023, 1, 1))


def test_overlapping_positions_are_refused_and_successive_terms_allowed(world):
    person = PersonFactory(name="连任")
    branch = world.orgs["branch_a"]
    kw = {"actor": world.admin, "person": person, "organisation": branch, "role": R.SECRETARY}
    services.position_create(**kw, starts_on=D(2018, 1, 1), ends_on=D(2020, 12, 31))
    with pytest.raises(ServiceError, match="already holds this role"):
        services.position_create(**kw, starts_on=D(2020, 6, 1))
    with pytest.raises(ServiceError, match="already holds this role"):
        services.position_create(**kw)  # open-ended overlaps everything
    services.position_create(**kw, starts_on=D(2021, 1, 1))
    # A different role in the same body at the same time is fine.
    services.position_create(**{**kw, "role": R.PART_TIME_MEMBER}, starts_on=D(2021, 1, 1))
    assert Position.objects.filter(person=person).count() == 3


def test_position_refuses_archived_organisations_and_foreign_grids(world):
    person = PersonFactory()
    closed = Organisation.objects.create(name="已撤销", kind=Organisation.Kind.DEPARTMENT)
    Organisation.objects.filter(pk=closed.pk).update(archived_at=timezone.now())
    closed.refresh_from_db()
    with pytest.raises(ServiceError, match="archived"):
        services.position_create(actor=None, person=person, organisation=closed, role=R.STAFF)
    with pytest.raises(ServiceError, match="grid station"):
        services.position_create(
            actor=None,
            person=person,
            organisation=world.orgs["station_a"],
            role=R.INSPECTOR,
            grids=[world.grids["b1"]],
        )
    pos = services.position_create(
        actor=None,
        person=person,
        organisation=world.orgs["station_a"],
        role=R.INSPECTOR,
        grids=[world.grids["a1"]],
    )
    assert list(pos.grids.all()) == [world.grids["a1"]]
    assert AuditEvent.objects.for_object(pos).filter(actor_label="system").count() == 2


def test_ending_a_term_keeps_the_position_as_past(world):
    pos = Position.objects.get(person=world.secretary.person)
    services.position_end(actor=world.admin, position=pos, ends_on=timezone.localdate())
    pos.refresh_from_db()
    assert pos.ends_on == timezone.localdate() and pos.archived_at is None
    assert AuditEvent.objects.for_object(pos).filter(action="update").exists()


def test_only_administrators_create_positions(world):
    with pytest.raises(NotAllowed):
        services.position_create(
            actor=world.secretary,
            person=world.resident_a.person,
            organisation=world.orgs["branch_a"],
            role=R.PART_TIME_MEMBER,
        )


# --- Party membership and dual registration -------------------------------------------------


def test_party_membership_rules(world):
    person = PersonFactory()
    with pytest.raises(ServiceError, match="not a Party organisation"):
        services.party_membership_record(
            actor=world.admin, person=person, branch=world.orgs["school"]
        )
    with pytest.raises(ServiceError, match="future"):
        services.party_membership_record(
            actor=world.admin,
            person=person,
            branch=world.orgs["branch_a"],
            joined_on=timezone.localdate() + dt.timedelta(days=1),
        )
    m = services.party_membership_record(
        actor=world.admin, person=person, branch=world.orgs["branch_a"], joined_on=D(2010, 7, 1)
    )
    with pytest.raises(ServiceError, match="already recorded as a Party member"):
        services.party_membership_record(
            actor=world.admin, person=person, branch=world.orgs["branch_b"]
        )
    assert AuditEvent.objects.for_object(m).filter(action="create").exists()


def test_an_archived_membership_is_recorded_again(world):
    person = PersonFactory()
    m = PartyMembershipFactory(person=person, branch=world.orgs["branch_a"])
    PartyMembership.objects.filter(pk=m.pk).update(archived_at=timezone.now())
    again = services.party_membership_record(
        actor=world.admin, person=person, branch=world.orgs["branch_b"], in_work=True
    )
    assert again.pk == m.pk and again.archived_at is None
    assert again.branch == world.orgs["branch_b"] and again.in_work


def test_dual_registration_rules(world):
    person = PersonFactory()
    kw = {"actor": world.admin, "person": person, "residential_area": world.area_b}
    with pytest.raises(ServiceError, match="Only Party members"):
        services.dual_registration_create(**kw)
    m = PartyMembershipFactory(person=person, in_work=False)
    with pytest.raises(ServiceError, match="in-work"):
        services.dual_registration_create(**kw)
    PartyMembership.objects.filter(pk=m.pk).update(in_work=True)
    reg = services.dual_registration_create(**kw, registered_on=D(2024, 3, 5))
    assert AuditEvent.objects.for_object(reg).filter(action="create").exists()
    with pytest.raises(ServiceError, match="already registered"):
        services.dual_registration_create(**kw)
    with pytest.raises(ServiceError, match="future"):
        services.dual_registration_create(
            **{**kw, "residential_area": world.area_a},
            registered_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert DualRegistration.objects.filter(person=person).count() == 1


# --- relations ------------------------------------------------------------------------------


def test_attending_relation_rules(world):
    group = Organisation.objects.create(
        name="行政组织党组", kind=Organisation.Kind.ADMIN_PARTY_GROUP, parent=world.orgs["pwc"]
    )
    unit = world.orgs["chengguan"]
    with pytest.raises(ServiceError, match="itself"):
        services.org_relation_create(actor=world.admin, source=group, target=group)
    rel = services.org_relation_create(
        actor=world.admin, source=unit, target=group, since=D(2017, 1, 1)
    )
    with pytest.raises(ServiceError, match="already exists"):
        services.org_relation_create(actor=world.admin, source=unit, target=group)
    with pytest.raises(ServiceError, match="before the start"):
        services.org_relation_end(actor=world.admin, relation=rel, until=D(2016, 1, 1))
    services.org_relation_end(actor=world.admin, relation=rel, until=D(2024, 12, 31))
    rel.refresh_from_db()
    assert rel.archived_at is not None and rel.until == D(2024, 12, 31)
    # Ended, it can start again.
    again = services.org_relation_create(actor=world.admin, source=unit, target=group)
    assert again.pk != rel.pk
    assert OrgRelation.objects.filter(source=unit, target=group).count() == 2
    with pytest.raises(NotAllowed):
        services.org_relation_create(actor=world.liaison, source=world.orgs["school"], target=group)


def test_attending_units_of_a_body(org_world):
    from gongzhi.org.selectors import attending_units

    names = [o.name for o in attending_units(org_world.admin_group)]
    assert sorted(names) == sorted(["普陀交警支队", "曹杨物业公司"])
    rel = OrgRelation.objects.get(source=org_world.property_company)
    services.org_relation_end(actor=None, relation=rel)
    assert [o.name for o in attending_units(org_world.admin_group)] == ["普陀交警支队"]

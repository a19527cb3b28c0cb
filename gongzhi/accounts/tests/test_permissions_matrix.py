"""The permission module, role by role: what each persona sees and may do.

The tables below state the expected answer for every persona of the world fixture (and an
anonymous visitor) against objects in and out of their scope. A change in a rule changes one of
these answers, and the table has to be changed with it, deliberately.

People in the world (by the key used below):
  a_member   committee member of area A's general branch        (area A)
  b_member   committee member of area B's general branch        (area B)
  dual_b     in-work Party member, dual-registered with area B  (area B)
  resident_a lives in area A, no position                        (area A)
  secretary / other_secretary  secretaries of the general branches of A / B
  inspector  inspector at grid station 1 (serves area A)
  handler / other_handler  城管中队 / 房管办
  liaison    the school's liaison; service_staff  the service centre
  operator, duty_chief, leader, auditor, admin  subdistrict-wide
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.core import permissions as perms
from gongzhi.core.roles import access_for
from gongzhi.org.models import DualRegistration, Organisation, Person, Position
from gongzhi.org.tests.factories import (
    DualRegistrationFactory,
    PartyMembershipFactory,
    PersonFactory,
    PositionFactory,
)
from gongzhi.places.models import ResidentialArea

R = Position.Role

PERSONAS = [
    "operator",
    "duty_chief",
    "handler",
    "other_handler",
    "inspector",
    "secretary",
    "other_secretary",
    "liaison",
    "service_staff",
    "leader",
    "auditor",
    "admin",
    "resident",
    "resident_a",
    "anonymous",
]

PEOPLE = {
    "a_member",
    "b_member",
    "dual_b",
    "resident_a",
    "secretary",
    "other_secretary",
    "inspector",
    "handler",
    "other_handler",
    "liaison",
    "service_staff",
    "operator",
    "duty_chief",
    "leader",
    "auditor",
    "admin",
}
NOBODY: set[str] = set()

# persona: (residential areas visible, people visible, people whose full numbers they may reveal)
EXPECTED: dict[str, tuple[set[str], set[str], set[str]]] = {
    "operator": ({"A", "B"}, PEOPLE, PEOPLE),
    "duty_chief": ({"A", "B"}, PEOPLE, PEOPLE),
    "handler": (set(), {"handler"}, {"handler"}),
    "other_handler": (set(), {"other_handler"}, {"other_handler"}),
    "inspector": ({"A"}, {"inspector", "secretary", "a_member"}, {"inspector"}),
    "secretary": (
        {"A"},
        {"secretary", "a_member", "resident_a", "inspector"},
        {"secretary", "a_member", "resident_a", "inspector"},
    ),
    "other_secretary": (
        {"B"},
        {"other_secretary", "b_member", "dual_b"},
        {"other_secretary", "b_member", "dual_b"},
    ),
    "liaison": (set(), {"liaison"}, {"liaison"}),
    "service_staff": ({"A", "B"}, {"service_staff"}, {"service_staff"}),
    "leader": ({"A", "B"}, PEOPLE, {"leader"}),
    "auditor": ({"A", "B"}, PEOPLE, {"auditor"}),
    "admin": ({"A", "B"}, PEOPLE, PEOPLE),
    "resident": (set(), NOBODY, NOBODY),
    "resident_a": (set(), {"resident_a"}, {"resident_a"}),
    "anonymous": (set(), NOBODY, NOBODY),
}

# persona: organisations (by world key) whose record they may change; every signed-in user sees
# every organisation, an anonymous visitor none.
ORG_CHANGE: dict[str, set[str]] = {p: set() for p in PERSONAS}
ORG_CHANGE["liaison"] = {"school"}
ORG_CHANGE["admin"] = {"school", "chengguan", "branch_a", "branch_b", "pwc"}
CHECKED_ORGS = ["school", "chengguan", "branch_a", "branch_b", "pwc"]


@pytest.fixture
def people(world) -> dict[str, Person]:
    a_member = PersonFactory(name="甲委员")
    PositionFactory(person=a_member, organisation=world.orgs["branch_a"], role=R.COMMITTEE_MEMBER)
    b_member = PersonFactory(name="乙委员")
    PositionFactory(person=b_member, organisation=world.orgs["branch_b"], role=R.COMMITTEE_MEMBER)
    dual_b = PersonFactory(name="乙报到")
    PartyMembershipFactory(person=dual_b, in_work=True)
    DualRegistrationFactory(person=dual_b, residential_area=world.area_b)
    out = {"a_member": a_member, "b_member": b_member, "dual_b": dual_b}
    for key in PEOPLE - set(out):
        out[key] = getattr(world, key).person
    assert set(out) == PEOPLE
    return out


def _user(world, persona):
    return AnonymousUser() if persona == "anonymous" else getattr(world, persona)


def _areas(world) -> dict[str, ResidentialArea]:
    return {"A": world.area_a, "B": world.area_b}


@pytest.mark.parametrize("persona", PERSONAS)
def test_residential_areas_each_persona_sees(world, persona):
    user = _user(world, persona)
    areas_seen, _, _ = EXPECTED[persona]
    by_pk = {a.pk: k for k, a in _areas(world).items()}
    assert {
        by_pk[pk] for pk in perms.visible(user, ResidentialArea).values_list("pk", flat=True)
    } == areas_seen
    for key, area in _areas(world).items():
        assert perms.can(user, "view", area) is (key in areas_seen), key
        assert perms.can(user, "change", area) is (persona == "admin"), key
    if areas_seen:
        area = _areas(world)[sorted(areas_seen)[0]]
        assert perms.get_visible_or_404(user, ResidentialArea, pk=area.pk) == area


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_each_persona_sees(world, people, persona):
    user = _user(world, persona)
    _, people_seen, _ = EXPECTED[persona]
    by_pk = {p.pk: k for k, p in people.items()}
    seen = list(perms.visible(user, Person).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)), "each person once"
    assert {by_pk[pk] for pk in seen} == people_seen
    for key, person in people.items():
        assert perms.can(user, "view", person) is (key in people_seen), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_reveal_and_change_people(world, people, persona):
    user = _user(world, persona)
    _, _, reveal = EXPECTED[persona]
    for key, person in people.items():
        assert perms.can(user, "reveal", person) is (key in reveal), key
        assert perms.can(user, "change", person) is (persona == "admin"), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_organisations_each_persona_sees_and_changes(world, persona):
    user = _user(world, persona)
    visible = set(perms.visible(user, Organisation).values_list("pk", flat=True))
    everything = set(Organisation.objects.values_list("pk", flat=True))
    assert visible == (set() if persona == "anonymous" else everything)
    for key in CHECKED_ORGS:
        org = world.orgs[key]
        assert perms.can(user, "view", org) is (persona != "anonymous"), key
        assert perms.can(user, "change", org) is (key in ORG_CHANGE[persona]), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_positions_and_registrations_follow_their_person(world, people, persona):
    user = _user(world, persona)
    _, people_seen, _ = EXPECTED[persona]
    seen_ids = {people[k].pk for k in people_seen}
    positions = perms.visible(user, Position).values_list("person_id", flat=True)
    assert set(positions) == set(
        Position.objects.filter(person_id__in=seen_ids).values_list("person_id", flat=True)
    )
    registration = DualRegistration.objects.get(person=people["dual_b"])
    assert perms.can(user, "view", registration) is ("dual_b" in people_seen)


def test_personas_cover_every_user_of_the_world(world):
    assert set(world.users) | {"anonymous"} == set(PERSONAS)


# --- what makes someone come into or fall out of scope -------------------------------------


def test_an_ended_term_takes_people_out_of_the_area_scope(world, people):
    Position.objects.filter(person=people["a_member"]).update(
        ends_on="2020-12-31", starts_on="2018-01-01"
    )
    assert not perms.can(world.secretary, "view", people["a_member"])
    assert not perms.can(world.secretary, "reveal", people["a_member"])


def test_an_archived_dual_registration_gives_no_visibility(world, people):
    from django.utils import timezone

    DualRegistration.objects.filter(person=people["dual_b"]).update(archived_at=timezone.now())
    assert not perms.can(world.other_secretary, "view", people["dual_b"])


def test_a_position_in_an_archived_organisation_gives_no_visibility(world, people):
    from django.utils import timezone

    b2 = Organisation.objects.create(
        name="已撤销支部", kind=Organisation.Kind.PARTY_BRANCH, residential_area=world.area_b
    )
    person = PersonFactory(name="旧支部委员")
    PositionFactory(person=person, organisation=b2, role=R.COMMITTEE_MEMBER)
    assert perms.can(world.other_secretary, "view", person)
    Organisation.objects.filter(pk=b2.pk).update(archived_at=timezone.now())
    assert not perms.can(world.other_secretary, "view", person)


def test_a_part_time_member_gets_the_area_scope(world, people):
    member = PersonFactory(name="兼职委员甲")
    user = UserFactory(username="part_timer", person=member)
    PositionFactory(person=member, organisation=world.orgs["branch_a"], role=R.PART_TIME_MEMBER)
    PositionFactory(person=member, organisation=world.orgs["school"], role=R.STAFF)
    assert perms.can(user, "view", world.area_a)
    assert not perms.can(user, "view", world.area_b)
    assert perms.can(user, "view", people["a_member"])
    assert not perms.can(user, "view", people["b_member"])


# --- scoping stays one query and never repeats a row -----------------------------------------


def test_scoped_people_come_once_and_in_one_query_however_many_links(world, people):
    a_member = people["a_member"]
    # Linked to area A in every way at once: two more positions, home area, dual registration.
    PositionFactory(person=a_member, organisation=world.orgs["branch_a"], role=R.PART_TIME_MEMBER)
    PositionFactory(person=a_member, organisation=world.orgs["station_a"], role=R.AREA_HEAD)
    Person.objects.filter(pk=a_member.pk).update(home_area=world.area_a)
    PartyMembershipFactory(person=a_member, in_work=True)
    DualRegistrationFactory(person=a_member, residential_area=world.area_a)
    for persona in ("secretary", "inspector", "operator"):
        user = getattr(world, persona)
        access_for(user)  # computed once per request, as in a page
        with CaptureQueriesContext(connection) as ctx:
            rows = list(perms.visible(user, Person).values_list("pk", flat=True))
        assert len(ctx.captured_queries) == 1, persona
        assert rows.count(a_member.pk) == 1, persona


def test_scope_query_count_does_not_grow_with_data(world, people):
    user = world.secretary
    access_for(user)
    with CaptureQueriesContext(connection) as before:
        list(perms.visible(user, Person))
        perms.can(user, "reveal", people["a_member"])
    for i in range(15):
        p = PersonFactory(name=f"多{i}")
        PositionFactory(person=p, organisation=world.orgs["branch_a"], role=R.COMMITTEE_MEMBER)
        DualRegistrationFactory(person=p, residential_area=world.area_a)
    with CaptureQueriesContext(connection) as after:
        seen = list(perms.visible(user, Person))
        perms.can(user, "reveal", people["a_member"])
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(seen) == len({p.pk for p in seen}) == 4 + 15

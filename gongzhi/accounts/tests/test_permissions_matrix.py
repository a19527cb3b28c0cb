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

The last part is the matrix of every page and API operation (walked from the URL configuration,
route_matrix.py) × one persona per role × an object in and out of the persona's scope: RULES
says who may do what on each route, and a route without a rule fails the test by name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.accounts.tests.route_matrix import (
    ARGUMENTS,
    MATRIX_PERSONAS,
    MISSING,
    ROLE_PERSONAS,
    Route,
    Scene,
    build_scene,
    checked_routes,
    every_route,
    openapi_schema_once,
    signed_in,
)
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


# --- every route × every role × in and out of scope ------------------------------------------
#
# The routes come from the URL configuration (route_matrix.every_route): a page or API
# operation that has no rule below fails `test_every_route_has_a_rule`, by name. A rule says
# who may GET the route (and POST to it, where it takes a POST) with an object in scope, and who
# may with an object out of scope. Everyone else must be refused: an anonymous visitor is sent
# to the login page (401 from the API), a signed-in user gets 403 or 404, never 200.

ANYONE = frozenset(MATRIX_PERSONAS)
USERS = ANYONE - {"anonymous"}
STAFF = USERS - {"resident"}
NOBODY_ = frozenset[str]()
_SHORT = {
    "op": "operator",
    "dc": "duty_chief",
    "ha": "handler",
    "in": "inspector",
    "se": "secretary",
    "li": "liaison",
    "ss": "service_staff",
    "re": "resident",
    "le": "leader",
    "au": "auditor",
    "ad": "admin",
    "an": "anonymous",
    "st": "cadre",
}


def who(names: str) -> frozenset[str]:
    """who("op dc") → the operator and the duty chief (see _SHORT)."""
    return frozenset(_SHORT[n] for n in names.split())


@dataclass(frozen=True)
class Rule:
    """Who is answered what on one route.

    get   who is answered `ok` to a GET (with the object in scope, when the route has one);
          None: the route does not answer GET (405), not requested
    post  who gets past the permission check with a POST of an empty form or body (answered
          anything but a refusal: a form with errors is fine); None: not requested (the route
          does not take POST, or reads the body before it checks who asks)
    obj   the kind of object (see Scene) in the route's first argument not in ARGUMENTS; the
          route is then asked with the object in scope ("in") and out of it ("out")
    out   who is answered `ok` to a GET, and gets past the check with a POST, with the object
          out of scope (the subdistrict-wide roles, usually)
    Without `obj` such arguments get a key no row has: nobody may be answered `ok`.
    """

    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    obj: str | None = None
    out: frozenset[str] = NOBODY_
    ok: int = 200
    args: tuple[tuple[str, Any], ...] = ()
    data: tuple[tuple[str, Any], ...] = ()  # the POST's form or JSON body (default empty)
    url: str | None = None  # for a pattern that has no name
    elsewhere: str | None = (
        None  # where the others are sent instead (their own page), if not refused
    )


def _arg_names(route: Route) -> list[str]:
    pattern = route.pattern.pattern
    return list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)


def _url(route: Route, rule: Rule, scene: Scene, variant: str, persona: str) -> str:
    if rule.url is not None:
        return rule.url
    if route.key == route.path:  # a pattern without a name
        return "/" + route.path
    names = _arg_names(route)
    kwargs: dict[str, Any] = {k: ARGUMENTS[k] for k in names if k in ARGUMENTS}
    keys = [k for k in names if k not in ARGUMENTS]
    for i, k in enumerate(keys):
        kwargs[k] = scene.value(rule.obj, variant, persona) if rule.obj and i == 0 else MISSING
    kwargs.update(dict(rule.args))
    return reverse(route.key, kwargs=kwargs)


def _request(
    client: Client, method: str, url: str, api_token: str | None, data: dict[str, Any]
) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
    try:
        if method == "GET":
            r = client.get(url, headers=headers)
        elif url.startswith("/api/"):
            body = json.dumps(data)
            r = client.generic(method, url, body, content_type="application/json", headers=headers)
        else:
            r = client.post(url, data, headers=headers)
    except Exception as exc:  # noqa: BLE001  (an error page is a finding, reported by route)
        return 500, f"{type(exc).__name__}: {exc}"[:300]
    return r.status_code, r.get("Location", "")


def _refused(status: int, location: str) -> bool:
    return status in (401, 403, 404, 405) or (status == 302 and "/login" in location)


def _answer(rule: Rule, method: str, persona: str, variant: str, got: tuple[int, str]) -> str:
    """ "" when `got` is what the rule says, else what is wrong."""
    status, location = got
    if status >= 500:
        return f"error {status} {location}"
    allowed = rule.get if method == "GET" else rule.post
    assert allowed is not None
    may = persona in (rule.out if variant == "out" else allowed)
    if method == "GET":
        is_ok = status == rule.ok and not (status == 302 and "/login" in location)
        if may and not is_ok:
            return f"expected {rule.ok}, got {status} {location}"
        sent_away = bool(rule.elsewhere) and status == 302 and location == rule.elsewhere
        if not may and not _refused(status, location) and not sent_away:
            return f"expected a refusal, got {status} {location}"
        return ""
    if may and _refused(status, location):
        return f"expected the POST taken, got {status} {location}"
    if not may and not _refused(status, location):
        return f"expected the POST refused, got {status} {location}"
    return ""


def _check_persona(world, scene: Scene, persona: str, routes: list[Route]) -> list[str]:
    """Every route for one persona (one login, one API token): the list of what is wrong."""
    client, token = signed_in(world, persona)
    wrong: list[str] = []
    # Signing out signs the client out: last.
    for route in sorted(routes, key=lambda r: r.key == "accounts:logout"):
        rule = rule_for(route)
        methods = [m for m in ("GET", "POST") if getattr(rule, m.lower()) is not None]
        for variant in ("in", "out") if rule.obj else ("-",):
            url = _url(route, rule, scene, variant, persona)
            for method in methods:
                got = _request(
                    client, method, url, token if route.is_api else None, dict(rule.data)
                )
                problem = _answer(rule, method, persona, variant, got)
                if problem:
                    wrong.append(f"{route.key} {method} {url} [{variant}]: {problem}")
    return wrong


def _checked_routes() -> list[Route]:
    return checked_routes()


def rule_for(route: Route) -> Rule | None:
    if route.key.startswith("admin:") or route.path.startswith("admin/"):
        return RULES.get(route.key, ADMIN_SITE)
    return RULES.get(route.key)


def test_the_matrix_has_a_persona_for_every_role():
    from gongzhi.core.roles import Role

    assert set(ROLE_PERSONAS) == {r.value for r in Role}, "add the new role's persona"


def _unruled(routes: list[Route]) -> list[str]:
    return sorted(r.key for r in routes if rule_for(r) is None)


def test_every_route_has_a_rule():
    keys = {r.key for r in _checked_routes()}
    keys |= {r.key for r in every_route() if r.key in RULES}
    missing = _unruled(_checked_routes())
    assert not missing, "routes without a rule in RULES: " + ", ".join(missing)
    stale = sorted(k for k in RULES if k not in keys)
    assert not stale, "rules of routes that are gone: " + ", ".join(stale)


def test_the_matrix_names_a_new_route_and_a_wrong_answer():
    from django.urls import path

    new = Route("cases:new_thing", path("cases/new-thing/", lambda r: None), "", None)
    assert _unruled([new]) == ["cases:new_thing"]
    staff_only = Rule(get=STAFF, post=who("op"), obj="case", out=who("op"))
    assert _answer(staff_only, "GET", "resident", "-", (200, ""))
    assert _answer(staff_only, "GET", "handler", "out", (200, ""))
    assert _answer(staff_only, "GET", "handler", "in", (403, ""))
    assert not _answer(staff_only, "GET", "anonymous", "in", (302, "/accounts/login/?next=/"))
    assert _answer(staff_only, "GET", "anonymous", "in", (302, "/cases/"))
    assert _answer(staff_only, "POST", "handler", "in", (302, "/cases/1/"))
    assert not _answer(staff_only, "POST", "operator", "out", (400, ""))
    assert _answer(staff_only, "GET", "operator", "in", (500, "KeyError"))


@pytest.fixture(scope="module", autouse=True)
def _openapi_schema_once():
    with openapi_schema_once():
        yield


@pytest.mark.parametrize("persona", MATRIX_PERSONAS)
def test_every_route_answers_each_role_as_its_rule_says(world, persona):
    scene = build_scene(world)
    routes = [r for r in _checked_routes() if rule_for(r) is not None]
    wrong = _check_persona(world, scene, persona, routes)
    if os.environ.get("PERMS_MATRIX_DUMP"):
        with open(os.environ["PERMS_MATRIX_DUMP"] + f".{persona}", "w") as f:
            json.dump(wrong, f, ensure_ascii=False, indent=0)
    assert not wrong, f"{len(wrong)} answers differ from RULES:\n" + "\n".join(wrong)


RULES: dict[str, Rule] = {
    "core:home": Rule(get=USERS, post=USERS),
    "core:healthz": Rule(get=ANYONE),
    "core:readyz": Rule(get=ANYONE),
    "core:metrics": Rule(get=ANYONE),  # allowed addresses: the tests' own
    "api_tokens:list": Rule(get=USERS, post=USERS),
    "api_tokens:revoke": Rule(post=USERS, obj="token"),
    "accounts:login": Rule(get=ANYONE, post=ANYONE),
    "accounts:second_factor": Rule(get=NOBODY_, post=NOBODY_),
    "accounts:two_factor": Rule(get=USERS, post=USERS),
    "places/areas/": Rule(get=ANYONE, ok=301, post=ANYONE),
    "places/areas/<int:pk>/": Rule(get=ANYONE, ok=301, post=ANYONE, url="/places/areas/1/"),
    "places:map": Rule(get=USERS, post=USERS),
    "places:map_data": Rule(get=USERS),
    "places:locate": Rule(get=USERS, ok=400),  # no point given: a clear 400
    "org:area_list": Rule(get=USERS),
    "org:area_detail": Rule(
        get=who("op dc in st se ss le au ad"), obj="area", out=who("op dc ss le au ad")
    ),
    "org:chart": Rule(get=STAFF),
    "org:people": Rule(get=STAFF),
    "org:person": Rule(get=who("op dc in st se le au ad"), obj="person", out=who("op dc le au ad")),
    "org:person_reveal": Rule(
        post=who("op dc se ad"), obj="person", out=who("op dc ad"), data=(("field", "mobile"),)
    ),
    "org:organisation": Rule(get=STAFF, obj="organisation", out=STAFF),
    "cases:queue": Rule(get=STAFF),
    "cases:intake": Rule(get=who("op dc"), post=who("op dc")),
    "cases:intake_suggestion": Rule(post=who("op dc")),
    "cases:bulk_dispatch": Rule(post=who("op dc")),
    "cases:detail": Rule(
        get=who("op dc ha in st se le au ad"), obj="case", out=who("op dc le au ad")
    ),
    "cases:act": Rule(post=who("ha"), obj="case"),
    "cases:dispatch_people": Rule(get=who("op dc"), obj="case", out=who("op dc")),
    "cases:reveal_phone": Rule(post=who("op dc ha ad"), obj="case", out=who("op dc ad")),
    "cases:photo": Rule(get=NOBODY_),
    "cases:inbox": Rule(get=who("ha")),
    "cases:tasks": Rule(get=who("in")),
    "cases:inspector_report": Rule(get=who("in"), post=who("in")),
    "cases:report": Rule(get=ANYONE, post=ANYONE),
    "cases:track_lookup": Rule(get=ANYONE, post=ANYONE),
    "cases:track": Rule(get=ANYONE, obj="tracking", out=ANYONE),
    "cases:rate": Rule(post=ANYONE, obj="tracking", out=ANYONE),
    "cases:public_photo": Rule(get=NOBODY_),
    "report": Rule(get=ANYONE, ok=302, post=ANYONE),
    "audit:list": Rule(get=who("au ad"), post=who("au ad")),
    "audit:detail": Rule(get=who("au ad"), post=who("au ad"), obj="audit", out=who("au ad")),
    "cases_stats:index": Rule(get=who("op dc ha le"), post=who("op dc ha le")),
    "cases_stats:export": Rule(get=who("op dc ha le"), post=who("op dc ha le")),
    "notifications:inbox": Rule(get=USERS),
    "notifications:badge": Rule(get=USERS),
    "notifications:read_all": Rule(post=USERS),
    "notifications:preferences": Rule(get=USERS, post=USERS),
    "notifications:read": Rule(post=USERS, obj="notification"),
    "notifications:open": Rule(post=USERS, obj="notification"),
    "duty:desk": Rule(get=who("op dc le au ad")),
    "duty:emergencies": Rule(get=who("op dc le au ad")),
    "duty:emergency_acknowledge": Rule(post=NOBODY_),
    "duty:log_add": Rule(post=who("op dc le au ad")),
    "duty:shift": Rule(get=NOBODY_),
    "duty:handover": Rule(post=NOBODY_),
    "duty:assign": Rule(post=NOBODY_),
    "duty:handover_acknowledge": Rule(post=NOBODY_),
    "duty:roster": Rule(get=who("op dc le au ad")),
    "duty:roster_generate": Rule(post=who("dc ad")),
    "duty:unassign": Rule(post=NOBODY_),
    "duty:swap_request": Rule(post=NOBODY_),
    "duty:mine": Rule(get=who("op dc le au ad")),
    "duty:swap_accept": Rule(post=NOBODY_),
    "duty:swap_refuse": Rule(post=NOBODY_),
    "duty:swap_cancel": Rule(post=NOBODY_),
    "alliance:index": Rule(get=STAFF, post=STAFF),
    "alliance:resources": Rule(get=STAFF, post=STAFF),
    "alliance:resource_new": Rule(post=STAFF),
    "alliance:resource": Rule(get=NOBODY_, post=NOBODY_),
    "alliance:resource_edit": Rule(post=NOBODY_),
    "alliance:resource_archive": Rule(post=NOBODY_),
    "alliance:activity_new": Rule(post=NOBODY_),
    "alliance:member_new": Rule(post=NOBODY_),
    "alliance:member_leave": Rule(post=NOBODY_),
    "alliance:charter_new": Rule(post=NOBODY_),
    "alliance:project_new": Rule(post=who("se li ss le ad")),
    "alliance:milestone_new": Rule(post=NOBODY_),
    "alliance:needs": Rule(get=STAFF, post=STAFF),
    "alliance:need_new": Rule(post=STAFF),
    "alliance:need_raise": Rule(post=NOBODY_),
    "alliance:need": Rule(get=NOBODY_, post=NOBODY_),
    "alliance:need_match": Rule(post=NOBODY_),
    "alliance:projects": Rule(get=STAFF, post=STAFF),
    "alliance:project": Rule(get=NOBODY_, post=NOBODY_),
    "alliance:act": Rule(post=NOBODY_),
    "alliance:rate": Rule(post=NOBODY_),
    "alliance:quarterly": Rule(get=STAFF, post=STAFF),
    "alliance:dual": Rule(get=STAFF, post=STAFF),
    "alliance:dual_mine": Rule(get=USERS, post=USERS),
    "alliance:dual_unit": Rule(post=USERS),
    "alliance:dual_confirm": Rule(post=NOBODY_),
    "alliance:photo": Rule(get=NOBODY_, post=NOBODY_),
    "alliance:activity_photo": Rule(get=NOBODY_, post=NOBODY_),
    "alliance:public": Rule(get=ANYONE, post=ANYONE),
    "alliance:public_project": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:index": Rule(get=USERS, post=USERS),
    "sharing:gate": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:resource_new": Rule(get=who("li ad"), post=who("li ad")),
    "sharing:resource": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:resource_edit": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:apply": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:book": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:window_add": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:exception_add": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:draw_new": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:window_archive": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:withdraw": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:application_phone": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:proof": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:draw": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:permit": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:permit_act": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:violation_act": Rule(get=NOBODY_, post=NOBODY_),
    "sharing:booking_act": Rule(get=NOBODY_, post=NOBODY_),
    "servicecentre:events": Rule(get=ANYONE),
    "servicecentre:event": Rule(get=NOBODY_),
    "servicecentre:register": Rule(post=NOBODY_),
    "servicecentre:check_in": Rule(get=NOBODY_, post=NOBODY_),
    "servicecentre:photos_add": Rule(post=NOBODY_),
    "servicecentre:photo": Rule(get=NOBODY_, post=NOBODY_),
    "servicecentre:cancel": Rule(post=NOBODY_),
    "servicecentre:feedback": Rule(post=NOBODY_),
    "servicecentre:mine": Rule(get=USERS),
    "servicecentre:menus": Rule(get=who("le au ad"), post=who("le au ad")),
    "servicecentre:menu": Rule(get=NOBODY_, post=NOBODY_),
    "servicecentre:menu_add_item": Rule(post=NOBODY_),
    "servicecentre:menu_publish": Rule(post=NOBODY_),
    "servicecentre:order_place": Rule(post=NOBODY_),
    "servicecentre:order_clashes": Rule(get=NOBODY_),
    "servicecentre:order_act": Rule(post=NOBODY_),
    "servicecentre:volunteers": Rule(get=USERS, post=USERS),
    "servicecentre:volunteer_join": Rule(post=USERS),
    "servicecentre:volunteer_desk": Rule(get=who("ad"), post=who("ad")),
    "servicecentre:certificate": Rule(get=NOBODY_),
    "servicecentre:shift_sign_up": Rule(post=USERS),
    "servicecentre:signup_act": Rule(post=NOBODY_),
    "servicecentre:stats": Rule(get=who("le au ad")),
    "servicecentre:points": Rule(get=who("le au ad")),
    "meetings:index": Rule(get=USERS, post=USERS),
    "meetings:body": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:meeting_new": Rule(post=NOBODY_),
    "meetings:plan": Rule(post=NOBODY_),
    "meetings:meeting": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:meeting_post": Rule(post=NOBODY_),
    "meetings:attachment": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:vote_post": Rule(post=NOBODY_),
    "meetings:items": Rule(get=USERS, post=USERS),
    "meetings:item": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:item_act": Rule(post=NOBODY_),
    "meetings:topics": Rule(get=USERS, post=USERS),
    "meetings:topic": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:topic_post": Rule(post=NOBODY_),
    "meetings:public": Rule(get=ANYONE, post=ANYONE),
    "meetings:receptions": Rule(get=USERS, post=USERS),
    "meetings:reception": Rule(get=NOBODY_, post=NOBODY_),
    "meetings:opinion_post": Rule(post=NOBODY_),
    "meetings:training": Rule(get=USERS, post=USERS),
    "meetings:training_session": Rule(get=NOBODY_, post=NOBODY_),
    "triage:imports": Rule(get=who("op dc ad"), post=who("op dc ad")),
    "triage:batch": Rule(get=NOBODY_),
    "triage:batch_progress": Rule(get=NOBODY_),
    "triage:batch_report": Rule(get=NOBODY_),
    "triage:batch_commit": Rule(post=NOBODY_),
    "triage:export_cases": Rule(get=STAFF),
    "triage:export_indicators": Rule(get=STAFF),
    "triage:suggestions": Rule(get=who("op dc ad"), post=who("op dc ad")),
    "triage:suggestion_decide": Rule(post=NOBODY_),
    "triage:classifier": Rule(get=who("ad")),
    "triage:hot_spots": Rule(get=who("op dc le au ad")),
    "org:station_list": Rule(get=STAFF),  # each sees the stations in their scope
    "org:station_detail": Rule(
        get=who("op dc in se le au ad st"), obj="station", out=who("op dc le au ad")
    ),
    "dashboards:area_mine": Rule(get=who("se"), ok=302),
    "dashboards:area": Rule(get=who("se le op dc au ad"), obj="area", out=who("le op dc au ad")),
    # The table is the leaders'; the rest of the staff are sent to their own warnings.
    "dashboards:accountability": Rule(
        get=who("le ad"), elsewhere="/cockpit/accountability/warnings/"
    ),
    # Without a subject and a measure: a message (400); each subject's cases are checked in
    # dashboards/tests/test_accountability.py.
    "dashboards:accountability_cases": Rule(get=STAFF, ok=400),
    "dashboards:accountability_evaluate": Rule(post=who("le ad")),
    "dashboards:warnings": Rule(get=STAFF),
    "dashboards:warning_acknowledge": Rule(post=NOBODY_),
    "dashboards:reports": Rule(get=who("op dc ha se le"), post=who("op dc ha se le")),
    "dashboards:report_progress": Rule(get=NOBODY_),
    "dashboards:report_download": Rule(get=NOBODY_),
    "dashboards:index": Rule(get=who("op dc ha se le"), post=NOBODY_),
    "dashboards:cases": Rule(get=who("op dc ha se le"), post=NOBODY_),
    "dashboards:map_figures": Rule(get=who("op dc ha se le"), post=NOBODY_),
    "worktime:this_year": Rule(get=USERS, ok=302),
    "worktime:year": Rule(get=STAFF),
    "worktime:notice": Rule(get=who("ad"), post=who("ad")),
    "open311:root": Rule(get=ANYONE, post=ANYONE),
    "open311:discovery": Rule(get=ANYONE, post=ANYONE),
    "open311:services": Rule(get=ANYONE, post=ANYONE),
    "open311:service": Rule(get=NOBODY_, post=ANYONE),
    "open311:requests": Rule(get=ANYONE, post=NOBODY_),
    "open311:request": Rule(get=NOBODY_, post=ANYONE),
    "open311:token": Rule(get=NOBODY_, post=ANYONE),
    "open311:updates": Rule(get=ANYONE, post=ANYONE),
    "open311/v2/^(?P<rest>.*)$": Rule(url="/open311/v2/nothing", get=NOBODY_, post=NOBODY_),
    "api-v1:openapi-json": Rule(get=ANYONE),
    "api-v1:openapi-view": Rule(get=ANYONE),
    "api-v1:me": Rule(get=USERS),
    "api-v1:case_list": Rule(get=USERS),
    "api-v1:case_create": Rule(post=USERS),
    "api-v1:triage_suggest": Rule(post=who("op dc ad"), data=(("description", "路边有垃圾"),)),
    "api-v1:import_list": Rule(get=who("op dc au ad")),
    "api-v1:import_detail": Rule(get=NOBODY_),
    "api-v1:hot_spots": Rule(get=who("op dc le au ad")),
    "api-v1:case_create_upload": Rule(post=USERS),
    "api-v1:case_detail": Rule(
        get=who("op dc ha in st se le au ad"), obj="case", out=who("op dc le au ad")
    ),
    "api-v1:case_timeline": Rule(
        get=who("op dc ha in st se le au ad"), obj="case", out=who("op dc le au ad")
    ),
    "api-v1:case_photos": Rule(
        get=who("op dc ha in st se le au ad"), obj="case", out=who("op dc le au ad")
    ),
    "api-v1:case_photo_file": Rule(get=NOBODY_),
    "api-v1:case_reveal_phone": Rule(post=who("op dc ha ad"), obj="case", out=who("op dc ad")),
    "api-v1:case_file": Rule(post=NOBODY_),
    "api-v1:case_not_accept": Rule(post=NOBODY_),
    "api-v1:case_merge": Rule(post=USERS),
    "api-v1:case_dispatch": Rule(post=USERS),
    "api-v1:case_accept": Rule(post=who("ha"), obj="case"),
    "api-v1:case_return": Rule(post=NOBODY_),
    "api-v1:case_request_extension": Rule(post=USERS),
    "api-v1:case_approve_extension": Rule(post=NOBODY_),
    "api-v1:case_refuse_extension": Rule(post=NOBODY_),
    "api-v1:case_handle": Rule(post=USERS),
    "api-v1:case_district_reply": Rule(post=USERS),
    "api-v1:case_verify_pass": Rule(post=NOBODY_),
    "api-v1:case_verify_fail": Rule(post=NOBODY_),
    "api-v1:case_evaluate": Rule(post=USERS),
    "api-v1:case_reopen": Rule(post=NOBODY_),
    "api-v1:case_suspend": Rule(post=NOBODY_),
    "api-v1:case_resume": Rule(post=NOBODY_),
    "api-v1:case_escalate": Rule(post=NOBODY_),
    "api-v1:case_supervise": Rule(post=NOBODY_),
    "api-v1:case_acknowledge": Rule(post=NOBODY_),
    "api-v1:case_comment": Rule(post=NOBODY_),
    "api-v1:category_list": Rule(get=USERS),
    "api-v1:category_detail": Rule(get=USERS, obj="category", out=USERS),
    "api-v1:station_list": Rule(get=USERS),
    "api-v1:grid_list": Rule(get=USERS),
    "api-v1:grid_detail": Rule(get=USERS, obj="grid", out=USERS),
    "api-v1:area_list": Rule(get=USERS),
    "api-v1:area_detail": Rule(
        get=who("op dc in st se ss le au ad"), obj="area", out=who("op dc ss le au ad")
    ),
    "api-v1:locate": Rule(get=USERS, ok=422),  # no point given
    "api-v1:organisation_list": Rule(get=STAFF),
    "api-v1:organisation_detail": Rule(get=STAFF, obj="organisation", out=STAFF),
    "api-v1:person_list": Rule(get=STAFF),
    "api-v1:person_detail": Rule(
        get=who("op dc in st se le au ad"), obj="person", out=who("op dc le au ad")
    ),
    "api-v1:person_reveal": Rule(
        post=who("op dc se ad"), obj="person", out=who("op dc ad"), data=(("field", "mobile"),)
    ),
    "api-v1:resource_list": Rule(get=STAFF),
    "api-v1:resource_create": Rule(post=USERS),
    "api-v1:need_list": Rule(get=STAFF),
    "api-v1:need_create": Rule(post=USERS),
    "api-v1:project_list": Rule(get=USERS),
    "api-v1:project_detail": Rule(get=NOBODY_),
    "api-v1:need_matches": Rule(get=NOBODY_),
    "api-v1:need_confirm_match": Rule(post=USERS),
    "api-v1:project_agree": Rule(post=NOBODY_),
    "api-v1:project_start": Rule(post=NOBODY_),
    "api-v1:project_progress": Rule(post=USERS),
    "api-v1:project_complete": Rule(post=USERS),
    "api-v1:project_evaluate": Rule(post=NOBODY_),
    "api-v1:project_cancel": Rule(post=NOBODY_),
    "api-v1:sharing_resource_list": Rule(get=USERS),
    "api-v1:sharing_resource_detail": Rule(get=NOBODY_),
    "api-v1:sharing_permit_list": Rule(get=USERS),
    "api-v1:sharing_permit_detail": Rule(get=NOBODY_),
    "api-v1:sharing_gate_event_list": Rule(get=USERS),
    "api-v1:sharing_gate_check": Rule(post=USERS),
    "api-v1:permit_suspend": Rule(post=NOBODY_),
    "api-v1:permit_reinstate": Rule(post=NOBODY_),
    "api-v1:permit_revoke": Rule(post=NOBODY_),
    "api-v1:permit_renew": Rule(post=USERS),
    "api-v1:permit_expire": Rule(post=NOBODY_),
    "api-v1:service_menu_list": Rule(get=USERS),
    "api-v1:service_menu": Rule(get=NOBODY_),
    "api-v1:menu_publish": Rule(post=NOBODY_),
    "api-v1:service_order_place": Rule(post=USERS),
    "api-v1:service_order_list": Rule(get=USERS),
    "api-v1:order_schedule": Rule(post=NOBODY_),
    "api-v1:order_decline": Rule(post=NOBODY_),
    "api-v1:order_withdraw": Rule(post=NOBODY_),
    "api-v1:service_event_list": Rule(get=USERS),
    "api-v1:service_event": Rule(get=NOBODY_),
    "api-v1:service_register": Rule(post=NOBODY_),
    "api-v1:service_registration_list": Rule(get=USERS),
    "api-v1:service_cancel": Rule(post=NOBODY_),
    "api-v1:service_check_in": Rule(post=USERS),
    "api-v1:service_volunteer_list": Rule(get=USERS),
    "api-v1:service_volunteer_join": Rule(post=USERS),
    "api-v1:service_shift_list": Rule(get=USERS),
    "api-v1:service_shift_sign_up": Rule(post=NOBODY_),
    "api-v1:meeting_list": Rule(get=USERS),
    "api-v1:meeting_detail": Rule(get=NOBODY_),
    "api-v1:meeting_rsvp": Rule(post=USERS),
    "api-v1:vote_ballot": Rule(post=USERS),
    "api-v1:action_item_list": Rule(get=USERS),
    "api-v1:action_item_detail": Rule(get=NOBODY_),
    "api-v1:action_item_start": Rule(post=NOBODY_),
    "api-v1:action_item_report": Rule(post=NOBODY_),
    "api-v1:action_item_complete": Rule(post=NOBODY_),
    "api-v1:action_item_reopen": Rule(post=NOBODY_),
    "api-v1:action_item_cancel": Rule(post=NOBODY_),
    "api-v1:action_item_file_case": Rule(post=USERS),
    "api-v1:action_item_propose_project": Rule(post=NOBODY_),
    "api-v1:topic_list": Rule(get=USERS),
    "api-v1:topic_create": Rule(post=USERS),
    "api-v1:topic_opinion": Rule(post=USERS),
    "api-v1:api-root": Rule(get=NOBODY_, post=NOBODY_),
    "set_language": Rule(get=ANYONE, ok=302, post=ANYONE),
    "accounts:logout": Rule(),  # signs the client out
}

# The admin site: every page passes the same AdminSite.has_permission (administrators).
ADMIN_SITE = Rule(get=who("ad"))


@pytest.mark.parametrize("persona", ["handler", "inspector", "secretary"])
def test_scoped_lists_show_the_case_in_scope_and_not_the_other(world, persona):
    """The lists answer 200 to everyone on staff: what they list is scoped (the matrix checks
    the answers, this the content of the case lists)."""
    from gongzhi.api.tests.conftest import token_for
    from gongzhi.cases.models import Case

    scene = build_scene(world)
    mine = Case.objects.get(pk=scene.objects["case"]["in"]).number
    other = Case.objects.get(pk=scene.objects["case"]["out"]).number
    client = Client()
    client.force_login(world.users[persona])
    page = client.get(reverse("cases:queue")).content.decode()
    assert mine in page and other not in page
    token = token_for(world.users[persona], "lists")
    api = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert mine in api.content.decode() and other not in api.content.decode()

"""An installation serving two subdistricts: the staff of one never see the other's.

World A is the persona world (曹杨新村街道); world B is 长风新村街道 (gongzhi/org/tests/
subdistricts.py) with a case of its own, filed, dispatched and audited like any. As A's
operator, leader, auditor and administrator, every page and every API list the URL
configuration knows that takes no argument (route_matrix.py) is requested, and no answer may
carry B's marks: its case's number, tracking code and description, its places' and bodies'
names and codes, its people's names. B's objects asked for by id (the routes the permission
matrix asks with an object) are refused. The district office's leader sees both subdistricts.

Routes of the domains that do not yet narrow to a subdistrict are listed in PENDING (this list
only shrinks: a route that no longer leaks fails until it is taken off).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from gongzhi.accounts.tests.route_matrix import ARGUMENTS, Route, every_route
from gongzhi.accounts.tests.test_permissions_matrix import (
    Scene,
    _arg_names,
    _refused,
    _url,
    rule_for,
)
from gongzhi.cases import services
from gongzhi.cases.tests.conftest import advance, make_centre
from gongzhi.testing.personas import build_world
from gongzhi.testing.second_subdistrict import MARKERS, build_second, fresh

PERSONAS = ("operator", "leader", "auditor", "admin")

# Routes that still show another subdistrict's rows: their domains narrow them next. (None
# left; the list only shrinks.)
PENDING: set[str] = set()
# Routes that rightly offer every subdistrict's rows: an in-work Party member registers with the
# residential area they live in (双报到), which may be in any subdistrict of the district.
EVERY_SUBDISTRICT = {"alliance:dual_mine"}
# Routes that still show another subdistrict's object asked for by id.
PENDING_OBJECTS: set[str] = set()

# Routes not requested: signing out ends the session; the rest answer with files or streams
# that are checked elsewhere.
SKIPPED = {"accounts:logout", "logout"} | EVERY_SUBDISTRICT

# The kinds of object whose routes are asked for B's object by id (the catalogue is shared,
# tokens and notices are personal, a tracking code is the public's).
KINDS = ("case", "area", "grid", "station", "organisation", "person", "audit")


@pytest.fixture(scope="module")
def _shared(django_db_setup, django_db_blocker):
    """Both subdistricts, built once in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        centre = make_centre(world)
        case_a = advance(centre.intake(grid="a1"), "dispatched", centre)
        two = build_second()
        for u in world.users.values():
            fresh(u)
        cf = two.users["cf_operator"]
        case_b = two.file_case(centre.garbage)
        services.case_file(actor=cf, case=case_b)
        case_b.refresh_from_db()
        services.case_dispatch(
            actor=cf, case=case_b, department=two.orgs["department"].pk, override_reason="本街道"
        )
        case_b.refresh_from_db()
        from gongzhi.audit.models import AuditEvent

        audit_a = AuditEvent.objects.filter(object_id=str(case_a.pk)).order_by("pk").first()
        audit_b = AuditEvent.objects.filter(object_id=str(case_b.pk)).order_by("pk").first()
        assert audit_b is not None and audit_b.subdistrict_id == two.subdistrict.pk
        scene = Scene(
            {
                "case": {"in": case_a.pk, "out": case_b.pk},
                "area": {"in": world.area_a.pk, "out": two.area.pk},
                "grid": {"in": world.grids["a1"].pk, "out": two.grid.pk},
                "station": {"in": world.station_a.pk, "out": two.grid.station_id},
                "organisation": {"in": world.orgs["branch_a"].pk, "out": two.orgs["centre"].pk},
                "person": {
                    "in": world.secretary.person_id,
                    "out": two.users["cf_operator"].person_id,
                },
                "audit": {"in": audit_a.pk if audit_a else 0, "out": audit_b.pk},
            }
        )
        marks = (*MARKERS, case_b.number, case_b.tracking_code)
        yield world, two, case_a, case_b, scene, marks
        transaction.set_rollback(True)


@pytest.fixture
def shared(_shared, db):
    world, two, *_rest = _shared
    for u in [*world.users.values(), *two.users.values(), two.district_leader]:
        fresh(u)
    return _shared


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _takes_no_object(route: Route) -> bool:
    """No argument, or only arguments that name no object (a format, a year, a kind …)."""
    return all(name in ARGUMENTS for name in _arg_names(route))


def _public(route: Route) -> bool:
    """A page for anyone (the public report form and its map): it serves the installation."""
    rule = rule_for(route)
    return rule is not None and rule.get is not None and "anonymous" in rule.get


def _listing_routes() -> list[Route]:
    """Every page (exports among them), and every API operation answering GET, that takes no
    object (but the public's)."""
    out = []
    for route in every_route():
        if route.key in SKIPPED or not _takes_no_object(route) or _public(route):
            continue
        if route.is_api and "GET" not in (route.methods or ()):
            continue
        if route.key.startswith("admin:") and not route.key.endswith(("_changelist", "index")):
            continue
        out.append(route)
    return out


def _get(client: Client, route: Route) -> tuple[int, str]:
    url = "/" + route.path if route.key == route.path else _reverse(route)
    try:
        r = client.get(url)
        if r.status_code != 200:
            return r.status_code, ""
        raw = b"".join(r.streaming_content) if r.streaming else r.content  # exports stream
    except Exception as exc:  # noqa: BLE001  (reported by route)
        return 500, f"{type(exc).__name__}: {exc}"[:200]
    return 200, raw.decode("utf-8", "replace")


def _reverse(route: Route) -> str:
    from django.urls import reverse

    names = _arg_names(route)
    return reverse(route.key, kwargs={k: ARGUMENTS[k] for k in names})


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_api_list_shows_the_other_subdistrict(shared, persona):
    world, _two, _case_a, _case_b, _scene, marks = shared
    client = _client(world.users[persona])
    leaks: dict[str, list[str]] = {}
    errors = []
    for route in _listing_routes():
        status, body = _get(client, route)
        if status >= 500:
            errors.append(f"{route.key}: {status} {body}")
            continue
        found = [m for m in marks if m in body]
        if found:
            at = body.index(found[0])
            leaks[route.key] = [*found, body[max(0, at - 60) : at + 30].replace("\n", " ")]
    assert errors == []
    unexpected = {k: v for k, v in leaks.items() if k not in PENDING}
    assert unexpected == {}, (
        f"{persona} of subdistrict A sees subdistrict B's rows on: {unexpected}"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_other_subdistricts_objects_are_refused(shared, persona):
    world, _two, _case_a, _case_b, scene, _marks = shared
    client = _client(world.users[persona])
    wrong = []
    for route in every_route():
        rule = rule_for(route)
        if rule is None or rule.obj not in KINDS or rule.get is None:
            continue
        if route.key in PENDING_OBJECTS:
            continue
        url = _url(route, rule, scene, "out", persona)
        try:
            r = client.get(url)
            got = (r.status_code, r.get("Location", ""))
        except Exception as exc:  # noqa: BLE001
            got = (500, f"{type(exc).__name__}: {exc}"[:200])
        if not _refused(*got):
            wrong.append(f"{route.key} {url}: {got[0]} {got[1]}")
    assert wrong == [], f"{persona} of subdistrict A reaches B's objects: {wrong}"


def test_pending_routes_still_leak(shared):
    """Take a route off PENDING (PENDING_OBJECTS) once its domain narrows it."""
    world, _two, _case_a, _case_b, scene, marks = shared
    clients = {p: _client(world.users[p]) for p in PERSONAS}
    routes = {r.key: r for r in _listing_routes()}
    clean = []
    for key in sorted(PENDING):
        if key not in routes:
            clean.append(key)
            continue
        bodies = [_get(c, routes[key])[1] for c in clients.values()]
        if not any(m in b for b in bodies for m in marks):
            clean.append(key)
    by_key = {r.key: r for r in every_route()}
    for key in sorted(PENDING_OBJECTS):
        route, rule = by_key.get(key), None
        if route is not None:
            rule = rule_for(route)
        if route is None or rule is None:
            clean.append(key)
            continue
        got = clients["operator"].get(_url(route, rule, scene, "out", "operator"))
        if _refused(got.status_code, got.get("Location", "")):
            clean.append(key)
    assert clean == [], f"No longer leaking, take off PENDING: {clean}"


def test_the_district_office_sees_both_subdistricts(shared):
    _world, two, case_a, case_b, _scene, _marks = shared
    client = _client(two.district_leader)
    listed = client.get("/api/v1/cases?limit=100").json()
    numbers = {c["number"] for c in listed["items"]}
    assert {case_a.number, case_b.number} <= numbers
    assert client.get(f"/api/v1/cases/{case_b.pk}").status_code == 200
    assert client.get(f"/api/v1/cases/{case_a.pk}").status_code == 200


def test_subdistrict_b_sees_its_own_and_not_a(shared):
    world, two, case_a, case_b, _scene, _marks = shared
    client = _client(two.users["cf_leader"])
    listed = client.get("/api/v1/cases?limit=100").json()
    assert {c["number"] for c in listed["items"]} == {case_b.number}
    assert client.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert world.area_a.name not in client.get("/api/v1/areas").content.decode()

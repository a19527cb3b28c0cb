"""Schemathesis against /api/v1/openapi.json, in-process (the WSGI application on the test
database): for every operation, generated requests (valid ones, and invalid ones the schema
forbids) sent with a token must never get a 5xx and every answer must match the schema; the
same operations sent without credentials must all be refused with 401.

Path and body ids are mapped, half of the time, onto objects that exist (cases in every state,
categories, departments, people), so the operations also run their successful paths. The
examples per operation are limited to keep the whole module under a minute.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongzhi.api import services
from gongzhi.cases import sla
from gongzhi.cases.tests.conftest import advance, make_centre
from gongzhi.testing.personas import build_world

# GONGZHI_SCHEMATHESIS_FULL=1: more examples, plus schemathesis's coverage phase (boundary
# values, unexpected methods: ~80 requests per operation, minutes instead of ~30 s).
FULL = os.environ.get("GONGZHI_SCHEMATHESIS_FULL") == "1"
EXAMPLES = 100 if FULL else 20
SCHEMA_URL = "/api/v1/openapi.json"


def _load(*, modes: list[str], coverage: bool) -> Any:
    loaded = schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())
    loaded.config.generation.update(modes=modes, deterministic=True, database="none")
    loaded.config.phases.coverage.enabled = coverage
    return loaded


# Valid requests and requests the schema forbids (wrong types, missing fields, out of range).
schema = _load(modes=["positive", "negative"], coverage=FULL)
# Valid requests only: enough to reach every operation.
auth_schema = _load(modes=["positive"], coverage=False)


@dataclass
class Data:
    token: str  # the duty chief's: most operations can succeed
    outsider: str  # a resident's, who reported none of the cases
    ids: dict[str, list[int]]


def _build() -> Data:
    world = build_world()
    centre = make_centre(world)
    cases = []
    for i, state in enumerate(
        [
            "received",
            "filed",
            "dispatched",
            "accepted",
            "handled",
            "closed",
            "suspended",
            "escalated",
            "returned",
            "evaluated",
        ]
    ):
        grid = ("a1", "a2", "b1", "b2")[i % 4]
        case = centre.intake(grid=grid, reporter_phone="13812345678", urgency="urgent")
        cases.append(advance(case, state, centre).pk)
    for person in world.users["secretary"].person, world.users["handler"].person:
        person.mobile = "13912345678"
        person.save()
    user = world.duty_chief  # the widest role: most operations can succeed
    from gongzhi.cases.models import Category, ExtensionRequest
    from gongzhi.org.models import Organisation, Person
    from gongzhi.places.models import Grid, ResidentialArea

    return Data(
        token=services.token_create(actor=user, user=user, name="schemathesis").secret,
        outsider=services.token_create(
            actor=world.resident, user=world.resident, name="schemathesis"
        ).secret,
        ids={
            "case_id": cases,
            "category": list(Category.objects.values_list("pk", flat=True)),
            "category_id": list(Category.objects.values_list("pk", flat=True)),
            "department": [world.orgs["chengguan"].pk, world.orgs["fangguan"].pk],
            "organisation_id": list(Organisation.objects.values_list("pk", flat=True)),
            "person_id": list(Person.objects.values_list("pk", flat=True)),
            "grid_id": list(Grid.objects.values_list("pk", flat=True)),
            "area_id": list(ResidentialArea.objects.values_list("pk", flat=True)),
            "request": list(ExtensionRequest.objects.values_list("pk", flat=True)),
        },
    )


@pytest.fixture(scope="module")
def _shared(django_db_setup, django_db_blocker):
    """One world for the module, built inside a transaction rolled back at the end; each
    operation's test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def data(_shared, db, settings):
    from django.core.cache import cache

    settings.GONGZHI = {**settings.GONGZHI, "API_REQUESTS_PER_MINUTE": 0}
    sla.invalidate()
    cache.clear()
    # In-process requests share the test's connection and transaction: Django must not close
    # it at the start and end of each request (its test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _shared
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _point_at_real_objects(case: Any, data: Data) -> None:
    """Half of the generated ids (the even ones) become ids of objects that exist."""

    def real(name: str, value: Any) -> Any:
        pool = data.ids.get(name)
        if pool and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            return pool[value % len(pool)]
        return value

    if case.path_parameters:
        for name, value in list(case.path_parameters.items()):
            case.path_parameters[name] = real(name, value)
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            case.body[name] = real(name, value)


HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


@schema.parametrize()
@HYPOTHESIS
def test_no_server_error_and_every_answer_matches_the_schema(case, data):
    _point_at_real_objects(case, data)
    response = case.call(headers={"Authorization": f"Bearer {data.token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@auth_schema.parametrize()
@settings(HYPOTHESIS, max_examples=3)
def test_nothing_is_answered_without_credentials(case, data):
    _point_at_real_objects(case, data)
    if case.headers:
        case.headers.pop("Authorization", None)
    response = case.call()
    assert response.status_code == 401, (case.method, case.path, response.status_code)
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message"]


STAFF_ONLY = ("/api/v1/organisations", "/api/v1/people")


@auth_schema.parametrize()
@settings(HYPOTHESIS, max_examples=4)
def test_an_outsider_gets_nothing_that_is_not_theirs(case, data):
    """A resident who reported none of the cases: every case of the world is 404, the
    organisation and its people 403, and no action or reveal ever succeeds."""
    _point_at_real_objects(case, data)
    response = case.call(headers={"Authorization": f"Bearer {data.outsider}"})
    status, path = response.status_code, case.operation.path
    where = (case.method, case.formatted_path, status)
    assert status < 500, where
    if path.startswith("/api/v1/cases/{case_id}"):
        assert status in (404, 422), where
    elif path.startswith(STAFF_ONLY):
        assert status in (403, 404, 422), where
    elif case.method.upper() == "GET" and path == "/api/v1/cases":
        assert status == 422 or response.json()["items"] == [], where

"""What filing a case through the API does without the general machinery: the answer written
straight to JSON, the token read in one prepared statement, roles and places kept per process.
Each gives the same result as the general way, and a revoked token or a changed role is
still seen in time."""

from __future__ import annotations

import datetime as dt
import gc
import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.api import schemas as s
from gongzhi.api import services
from gongzhi.api.cases import CASE_RELATED, case_detail_out
from gongzhi.api.models import IdempotencyRecord
from gongzhi.cases.models import Case
from gongzhi.core.cache import TableCache
from gongzhi.core.roles import Role
from gongzhi.org.access import compute_access
from gongzhi.org.models import Position

from .conftest import ApiClient


def _invalidate_every_cache() -> None:
    for obj in gc.get_objects():
        if isinstance(obj, TableCache):
            obj.invalidate()


@pytest.fixture
def cached(settings):
    """Production's per-process caches (the tests otherwise check versions on every read),
    emptied before and after: each test has rows of its own."""
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 60.0}
    _invalidate_every_cache()
    yield settings
    _invalidate_every_cache()


def _report(centre, grid: str, description: str, **more):
    lat, lng = centre.point_in(grid)
    return {
        "channel": "hotline",
        "type": "complaint",
        "category": centre.garbage.pk,
        "description": description,
        "lat": lat,
        "lng": lng,
        **more,
    }


@pytest.mark.parametrize("caches", [False, True])
def test_the_answer_to_a_filing_is_what_the_schemas_give(api, centre, request, caches):
    if caches:
        request.getfixturevalue("cached")
    op = api("operator")
    first = op.post("/cases", _report(centre, "a2", "小区门口垃圾堆放三天无人清运"))
    assert first.status_code == 201, first.content
    r = op.post(
        "/cases",
        _report(centre, "a2", "小区门口垃圾堆放无人清运", reporter_name="张三明"),
        **{"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert [d["case"]["id"] for d in body["duplicates"]] == [first.json()["case"]["id"]]
    # The same values the schema dumps to: validating and dumping again changes nothing …
    assert s.IntakeOut.model_validate(body).model_dump(mode="json") == body
    # … and the same case as the schema gives for it, read again from the database.
    case = Case.objects.select_related(*CASE_RELATED).get(pk=body["case"]["id"])
    assert (
        case_detail_out(centre.world.operator, case, new=True).model_dump(mode="json")
        == (body["case"])
    )
    assert body["case"]["grid"]["code"] == centre.world.grids["a2"].code
    assert body["case"]["station"]["name"] == centre.world.grids["a2"].station.name
    # The stored answer is the answer.
    stored = IdempotencyRecord.objects.get()
    assert bytes(stored.body) == r.content and stored.status == 201
    assert stored.headers == {"Location": r["Location"]}


def test_a_revoked_token_is_refused_on_the_next_request_with_the_caches_on(world, cached):
    new = services.token_create(actor=world.operator, user=world.operator, name="bridge")
    client = ApiClient(new.secret)
    assert client.get("/me").status_code == 200
    services.token_revoke(actor=world.operator, token=new.token)
    assert client.get("/me").status_code == 401
    other = ApiClient(services.token_create(actor=world.leader, user=world.leader, name="x").secret)
    assert other.get("/me").status_code == 200
    world.leader.is_active = False
    world.leader.save()
    assert other.get("/me").status_code == 401


def test_the_token_is_read_with_its_user_and_person(world):
    new = services.token_create(actor=world.operator, user=world.operator, name="bridge")
    token = services.authenticate(new.secret)
    assert token.pk == new.token.pk and token.user == world.operator
    assert token.user.person == world.operator.person
    assert str(token.user) == str(world.operator)
    assert token.created_at == new.token.created_at
    resident = services.token_create(actor=world.resident, user=world.resident, name="r")
    assert services.authenticate(resident.secret).user.person is None


@pytest.mark.parametrize(
    "persona",
    [
        "operator",
        "duty_chief",
        "handler",
        "inspector",
        "secretary",
        "liaison",
        "service_staff",
        "leader",
        "auditor",
        "admin",
        "resident",
    ],
)
def test_roles_from_the_kept_positions_are_the_roles_from_the_query(world, settings, persona):
    user = world.users[persona]
    direct = compute_access(user)
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 60.0}
    _invalidate_every_cache()
    assert compute_access(user) == direct
    later = timezone.localdate() + dt.timedelta(days=400)
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 0}
    direct_later = compute_access(user, later)
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 60.0}
    assert compute_access(user, later) == direct_later
    _invalidate_every_cache()


def test_a_role_change_is_seen_within_the_check_interval(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 0.05}
    _invalidate_every_cache()
    handler = world.handler
    assert Role.DEPARTMENT in compute_access(handler).roles
    position = Position.objects.get(person=handler.person, role=Position.Role.HANDLER)
    position.ends_on = timezone.localdate() - dt.timedelta(days=1)
    position.save()
    time.sleep(0.06)
    assert Role.DEPARTMENT not in compute_access(handler).roles
    _invalidate_every_cache()


def test_a_filing_reads_no_roles_places_or_key_records_with_the_caches_on(api, centre, cached):
    op = api("operator")
    report = _report(centre, "a2", "井盖缺失")
    assert op.post("/cases", report).status_code == 201  # the caches are filled
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with CaptureQueriesContext(connection) as queries:
        assert op.post("/cases", {**report, "description": "井盖又缺失"}, **key).status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if "org_position" in q or "places_grid" in q]
    on_records = [q.split()[0] for q in sql if "api_idempotencyrecord" in q]
    assert on_records == ["INSERT"]  # the record is written once, with the answer
    assert len([q for q in sql if "api_apitoken" in q]) == 1

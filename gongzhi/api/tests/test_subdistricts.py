"""A token acts as its user, so it reads and files within the user's subdistricts: a token of
subdistrict B's operator files a report with no place into B, lists B's cases only and gets a
404 for A's; A's tokens likewise; the district office's token reads both. Administrators see
the tokens of their subdistricts' users only."""

from __future__ import annotations

import pytest

from gongzhi.api.models import ApiToken
from gongzhi.core import permissions as perms
from gongzhi.testing.second_subdistrict import build_second, fresh

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _report(centre, **kw):
    payload = {
        "channel": "hotline",
        "type": "event",
        "category": centre.garbage.pk,
        "description": "人行道上堆放建筑垃圾",
        "address": "某路某号",
        "reporter_name": "市民",
        "reporter_phone": "13900001111",
    }
    payload.update(kw)
    return payload


def _ids(response):
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["items"]}


def test_tokens_file_and_read_within_their_subdistrict(centre, world):
    two = build_second()
    for u in world.users.values():
        fresh(u)
    cf = ApiClient(token_for(two.users["cf_operator"]))
    op = ApiClient(token_for(world.operator))
    r = cf.post("/cases", _report(centre))
    assert r.status_code == 201, r.content
    in_b = r.json()["case"]["id"]
    r = op.post("/cases", _report(centre, description="小区门口垃圾满溢"))
    assert r.status_code == 201, r.content
    in_a = r.json()["case"]["id"]
    from gongzhi.cases.models import Case

    assert Case.objects.get(pk=in_b).subdistrict_id == two.subdistrict.pk
    assert Case.objects.get(pk=in_a).subdistrict_id == world.subdistrict.pk
    assert _ids(cf.get("/cases")) == {in_b}
    assert _ids(op.get("/cases")) == {in_a}
    assert cf.get(f"/cases/{in_a}").status_code == 404
    assert op.get(f"/cases/{in_b}").status_code == 404
    assert op.get(f"/cases/{in_b}/timeline").status_code == 404
    district = ApiClient(token_for(two.district_leader))
    assert _ids(district.get("/cases")) >= {in_a, in_b}


def test_administrators_see_their_subdistricts_tokens(world):
    two = build_second()
    mine = token_for(world.operator, "a's")
    theirs = token_for(two.users["cf_operator"], "b's")
    names = set(perms.visible(fresh(world.admin), ApiToken).values_list("name", flat=True))
    assert "a's" in names and "b's" not in names
    names = set(perms.visible(two.users["cf_admin"], ApiToken).values_list("name", flat=True))
    assert "b's" in names and "a's" not in names
    assert mine and theirs

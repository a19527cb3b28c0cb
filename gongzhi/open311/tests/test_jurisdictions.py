"""Each subdistrict the installation serves is a jurisdiction, named by its code: a request
POSTed with it is filed there, GET requests (and one request, and the updates) with it list
only its requests; the installation's own jurisdiction_id, or none, covers them all; any other
is the spec's 404."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.testing.second_subdistrict import build_second

from .conftest import as_text, body, errors

pytestmark = pytest.mark.django_db

B_CODE = "310107013"


@pytest.fixture
def two(site):
    return build_second()


def _numbers(response, fmt="json"):
    assert response.status_code == 200, response.content.decode()
    return {r["service_request_id"] for r in as_text(body(response, fmt))}


def test_a_subdistricts_code_files_the_request_there(site, two):
    lat, lng = two.point()
    in_b = site.created_case(site.post("json", jurisdiction_id=B_CODE, lat=lat, long=lng), "json")
    assert in_b.subdistrict_id == two.subdistrict.pk and in_b.grid_id == two.grid.pk
    # Without a location, the jurisdiction says where.
    placeless = site.post(
        "json", jurisdiction_id=B_CODE, lat=None, long=None, address_string="长风公园门口"
    )
    assert site.created_case(placeless, "json").subdistrict_id == two.subdistrict.pk
    # Where the installation's own id (or none) is given, the location decides.
    in_a = site.created_case(site.post("json", jurisdiction_id="caoyang.putuo.shanghai"), "json")
    assert in_a.subdistrict_id == site.world.subdistrict.pk


def test_a_location_outside_the_jurisdiction_is_refused(site, two):
    response = site.post("json", jurisdiction_id=B_CODE)  # a point in subdistrict A
    assert response.status_code == 400
    with translation.override("en"):  # the interface answers in English
        expected = gettext("The location is outside the jurisdiction_id's subdistrict.")
    assert ("400", expected) in errors(response, "json")


def test_an_unknown_jurisdiction_is_not_found(site, two):
    for response in (
        site.get("requests", "json", jurisdiction_id="310107999"),
        site.post("json", jurisdiction_id="310107999"),
    ):
        assert response.status_code == 404
        [(code, description)] = errors(response, "json")
        assert code == "404" and "310107999" in description


def test_get_requests_lists_the_jurisdictions_own(site, two):
    lat, lng = two.point()
    b = site.created_case(site.post("json", jurisdiction_id=B_CODE, lat=lat, long=lng), "json")
    a = site.created_case(site.post("json"), "json")
    assert _numbers(site.get("requests", "json", jurisdiction_id=B_CODE)) == {b.number}
    a_code = site.world.subdistrict.code
    assert _numbers(site.get("requests", "json", jurisdiction_id=a_code)) == {a.number}
    assert _numbers(site.get("requests", "json")) == {a.number, b.number}
    assert _numbers(site.get(f"requests/{b.number}", "json", jurisdiction_id=B_CODE)) == {b.number}
    assert site.get(f"requests/{b.number}", "json", jurisdiction_id=a_code).status_code == 404
    updates = as_text(
        body(site.get("servicerequestupdates", "json", jurisdiction_id=B_CODE), "json")
    )
    assert {u["service_request_id"] for u in updates} <= {b.number}

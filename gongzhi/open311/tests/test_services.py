"""Discovery, the service list and service definitions, in both formats."""

from __future__ import annotations

import re

import pytest

from gongzhi.open311.models import ServiceOptions

from .conftest import as_text, attribute, body, errors

FORMATS = ["xml", "json"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_its_formats_and_where_to_get_a_key(site, fmt):
    response = site.get("discovery", fmt)
    assert response.status_code == 200
    doc = as_text(body(response, fmt))
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    assert W3C.match(doc["changeset"])
    assert doc["key_service"] and doc["contact"]
    [endpoint] = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_the_endpoint_root_serves_the_discovery_document(site):
    response = site.http.get("/open311/v2/")
    assert response.status_code == 200
    assert body(response, "xml") == body(site.get("discovery"), "xml")


def test_both_formats_carry_the_same_documents(site):
    """JSON is the Spark mapping of the XML: same fields, same values, lists as arrays."""
    for path in ("discovery", "services", f"services/{site.garbage.code}"):
        xml = body(site.get(path, "xml"), "xml")
        json_doc = as_text(body(site.get(path, "json"), "json"))
        assert xml == json_doc, path


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_public_leaves_grouped_by_their_parent(site, fmt):
    ServiceOptions.objects.create(
        category=site.manhole, type="batch", keywords="井盖, 窨井", service_notice="当天修复"
    )
    doc = body(site.get("services", fmt), fmt)
    by_code = {s["service_code"]: s for s in doc}
    assert set(by_code) == {"E0102", "B0101"}  # not the groups, not the staff-only leaf
    garbage = as_text(by_code["E0102"])
    assert garbage == {
        "service_code": "E0102",
        "service_name": "暴露垃圾",
        "description": "道路、绿地、小区公共区域的暴露垃圾",
        "metadata": "true",
        "type": "realtime",
        "keywords": None,
        "group": "市容环境",
    }
    manhole = as_text(by_code["B0101"])
    assert manhole["metadata"] == "false"
    assert manhole["type"] == "batch" and manhole["keywords"] == "井盖, 窨井"
    assert manhole["group"] == "公用设施"
    if fmt == "json":
        assert by_code["E0102"]["metadata"] is True  # a real boolean


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes_in_order(site, fmt):
    doc = as_text(body(site.get("services/E0102", fmt), fmt))
    assert doc["service_code"] == "E0102"
    attrs = doc["attributes"]
    assert [a["code"] for a in attrs] == [
        "BAGS",
        "KIND",
        "NUISANCE",
        "SEEN",
        "PLATE",
        "NOTE",
        "SAFETY",
    ]
    assert [a["order"] for a in attrs] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [a["datatype"] for a in attrs] == [
        "number",
        "singlevaluelist",
        "multivaluelist",
        "datetime",
        "string",
        "text",
        "string",
    ]
    bags, kind, nuisance = attrs[0], attrs[1], attrs[2]
    assert bags["required"] == "true" and bags["variable"] == "true"
    assert bags["description"] == "大约有几袋垃圾？" and "values" not in bags
    assert kind["values"] == [
        {"key": "household", "name": "生活垃圾"},
        {"key": "construction", "name": "建筑垃圾"},
    ]
    assert nuisance["required"] == "false" and len(nuisance["values"]) == 3
    assert attrs[6]["variable"] == "false"  # information only


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_without_attributes_has_an_empty_definition(site, fmt):
    doc = body(site.get("services/B0101", fmt), fmt)
    assert doc == {"service_code": "B0101", "attributes": []}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["NOPE", "E01", "E0199"])
def test_an_unknown_group_or_staff_only_service_code_is_404(site, fmt, code):
    response = site.get(f"services/{code}", fmt)
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", f"service_code {code} was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_jurisdiction_is_404_the_right_one_or_none_is_fine(site, fmt):
    wrong = site.get("services", fmt, jurisdiction_id="sfgov.org")
    assert wrong.status_code == 404
    assert errors(wrong, fmt) == [("404", "jurisdiction_id sfgov.org was not found.")]
    assert site.get("services", fmt, jurisdiction_id="caoyang.putuo.shanghai").status_code == 200
    assert site.get("services", fmt, jurisdiction_id="").status_code == 200  # empty = absent


def test_the_jurisdiction_comes_from_the_settings(site, settings):
    settings.GONGZHI = {**settings.GONGZHI, "OPEN311_JURISDICTION": "xinjing.changning.sh"}
    assert site.get("services", jurisdiction_id="xinjing.changning.sh").status_code == 200
    assert site.get("services", jurisdiction_id="caoyang.putuo.shanghai").status_code == 404


def test_an_archived_attribute_leaves_the_definition_and_the_changeset_moves(site):
    from gongzhi.audit import services as audit

    before = as_text(body(site.get("discovery", "json"), "json"))["changeset"]
    plate = site.garbage.open311_attributes.get(code="PLATE")
    audit.archive(actor=site.world.admin, obj=plate)
    codes = [a["code"] for a in body(site.get("services/E0102", "json"), "json")["attributes"]]
    assert "PLATE" not in codes
    extra = attribute(site.manhole, code="COLOUR", datatype="string", order=1, description="颜色")
    assert as_text(body(site.get("discovery", "json"), "json"))["changeset"] >= before
    assert body(site.get("services/B0101", "json"), "json")["attributes"][0]["code"] == extra.code


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_resources_answer_the_spec_404(site, fmt):
    response = site.http.get(f"/open311/v2/nothing/here.{fmt}")
    assert response.status_code == 404
    [(code, description)] = errors(response, fmt)
    assert code == "404" and "/open311/v2/nothing/here" in description
    assert site.http.get("/open311/v2/services.csv").status_code == 404
    assert site.http.get("/open311/v2/services").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_method_a_resource_does_not_answer_is_400(site, fmt):
    response = site.http.post(site.url("services", fmt), {"x": "1"})
    assert response.status_code == 400
    assert errors(response, fmt) == [("400", "This resource answers GET only.")]
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_get_endpoint_answers_in_its_format_and_applies_the_same_rules(site, fmt):
    case = site.created_case(site.post(fmt), fmt)
    paths = [
        "discovery",
        "services",
        "services/E0102",
        "requests",
        f"requests/{case.number}",
        f"tokens/{case.open311.token}",
        "servicerequestupdates",
    ]
    for path in paths:
        ok = site.get(path, fmt, jurisdiction_id="caoyang.putuo.shanghai", api_key=site.key)
        assert ok.status_code == 200, path
        assert body(ok, fmt) is not None
        assert ok["Access-Control-Allow-Origin"] == "*"
        wrong_place = site.get(path, fmt, jurisdiction_id="sfgov.org")
        assert wrong_place.status_code == 404, path
        assert errors(wrong_place, fmt) == [("404", "jurisdiction_id sfgov.org was not found.")]
        bad_key = site.get(path, fmt, api_key="0000.nope")
        assert bad_key.status_code == 403, path
        assert errors(bad_key, fmt) == [("403", "Invalid api_key received -- can't proceed.")]

"""Clients no one here wrote, against a live server: the `georeport` package from PyPI reads
services, definitions, requests and one request (in JSON and in XML); the POST side is plain
HTTP from the standard library, shaped exactly like the spec's example request."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

import pytest
import requests as http_requests
from georeport import GeoReport

from gongzhi.cases.models import Case

from .conftest import advance

JURISDICTION = "caoyang.putuo.shanghai"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Talk to the live server directly, whatever proxy the machine's environment names."""
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def spec_post(base: str, fields: list[tuple[str, str]], fmt: str = "xml") -> tuple[int, bytes]:
    """POST /requests.{fmt} as the spec's example: form-encoded UTF-8, attribute[...] keys."""
    data = urlencode(fields).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1, the live server)
        f"{base}/requests.{fmt}",
        data=data,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def report_fields(site, **extra: str) -> list[tuple[str, str]]:
    lat, lng = site.point("a2")
    fields = [
        ("api_key", site.key),
        ("jurisdiction_id", JURISDICTION),
        ("service_code", "E0102"),
        ("lat", str(lat)),
        ("long", str(lng)),
        ("address_string", "枣阳路200号"),
        ("email", "li.si@example.cn"),
        ("device_id", "tt222111"),
        ("account_id", "123456"),
        ("first_name", "四"),
        ("last_name", "李"),
        ("phone", "13912345678"),
        ("description", "枣阳路人行道上堆了一大堆装修垃圾，已经两天了"),
        ("media_url", "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"),
        ("attribute[BAGS]", "12"),
        ("attribute[KIND]", "construction"),
        ("attribute[NUISANCE][]", "smell"),
        ("attribute[NUISANCE][]", "flies"),
    ]
    fields += list(extra.items())
    return fields


def test_georeport_reads_in_json_what_a_spec_shaped_post_filed(transactional_db, live_server, site):
    base = f"{live_server.url}/open311/v2"
    closed = advance(site, site.report(), "closed")

    status, raw = spec_post(base, report_fields(site))
    assert status == 200, raw.decode()
    root = ET.fromstring(raw)  # noqa: S314  (our own server's answer)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert root.findtext("request/account_id") == "123456"
    case = Case.objects.get(number=number)
    assert case.open311.attributes["NUISANCE"] == ["smell", "flies"]
    assert case.reporter_name == "李四" and case.grid == site.world.grids["a2"]

    client = GeoReport(base, jurisdiction=JURISDICTION, output_format="json")
    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"E0102", "B0101"}
    assert {s["group"] for s in services} == {"市容环境", "公用设施"}
    definition = client.get_service_definition("E0102")
    assert definition["service_code"] == "E0102"
    assert [a["code"] for a in definition["attributes"]][:3] == ["BAGS", "KIND", "NUISANCE"]
    assert definition["attributes"][1]["values"][0] == {"key": "household", "name": "生活垃圾"}

    open_requests = client.get_service_requests(status="open", service_code="E0102")
    assert [r["service_request_id"] for r in open_requests] == [number]
    assert {r["service_request_id"] for r in client.get_service_requests()} == {
        number,
        closed.number,
    }
    both = client.get_service_requests(service_request_id=f"{number},{closed.number}")
    assert len(both) == 2

    one = client.get_service_request(number)
    assert one["description"] == "枣阳路人行道上堆了一大堆装修垃圾，已经两天了"
    assert one["status"] == "open" and one["address"] == "枣阳路200号"
    assert one["media_url"] == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert one["requested_datetime"].endswith("+08:00")
    assert client.get_service_request(closed.number)["status"] == "closed"

    with pytest.raises(http_requests.HTTPError) as exc:
        client.get_service_request("CY2000-000001")
    assert exc.value.response.status_code == 404
    [error] = exc.value.response.json()
    assert error["code"] == 404 and "CY2000-000001" in error["description"]


def test_georeport_reads_the_same_in_xml(transactional_db, live_server, site):
    base = f"{live_server.url}/open311/v2"
    status, raw = spec_post(base, report_fields(site), fmt="json")
    assert status == 200, raw.decode()
    [created] = json.loads(raw)
    number = created["service_request_id"]

    client = GeoReport(base, jurisdiction=JURISDICTION, output_format="xml")
    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"E0102", "B0101"}
    assert {s["metadata"] for s in services} == {"true", "false"}
    definition = client.get_service_definition("E0102")
    attributes = definition["attributes"]["attribute"]
    assert attributes[0]["code"] == "BAGS" and attributes[0]["required"] == "true"
    assert [v["key"] for v in attributes[1]["values"]["value"]] == ["household", "construction"]
    # xmltodict (the client's parser) gives one element as a dict rather than a list.
    listed = client.get_service_requests(status="open")
    assert listed["service_request_id"] == number
    one = client.get_service_request(number)
    assert one["service_code"] == "E0102" and one["status"] == "open"
    assert one["description"] == "枣阳路人行道上堆了一大堆装修垃圾，已经两天了"
    assert one["zipcode"] is None  # an empty element


def test_plain_http_errors_come_back_as_the_spec_shows(transactional_db, live_server, site):
    base = f"{live_server.url}/open311/v2"
    no_key = [(k, v) for k, v in report_fields(site) if k != "api_key"]
    status, raw = spec_post(base, no_key)
    assert status == 403
    root = ET.fromstring(raw)  # noqa: S314
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert root.findtext("error/description")  # in the site's language

    several = [
        (k, v)
        for k, v in report_fields(site)
        if k not in ("lat", "long", "address_string", "attribute[BAGS]")
    ]
    status, raw = spec_post(base, several, fmt="json")
    assert status == 400
    assert [e["code"] for e in json.loads(raw)] == [400, 400]
    assert Case.objects.count() == 0


def test_the_key_in_the_query_string_as_older_clients_send_it(transactional_db, live_server, site):
    """The 2011 `open311` client puts api_key and jurisdiction_id in the POST's query string."""
    parts = urlsplit(live_server.url)
    body = urlencode([(k, v) for k, v in report_fields(site) if k not in ("api_key",)])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/open311/v2/requests.xml?" + urlencode({"api_key": site.key}),
            body=body.encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    assert response.status == 200, raw.decode()
    assert response.getheader("Content-Type") == "text/xml; charset=utf-8"
    number = ET.fromstring(raw).findtext("request/service_request_id")  # noqa: S314
    assert Case.objects.get(number=number).open311.client == site.client

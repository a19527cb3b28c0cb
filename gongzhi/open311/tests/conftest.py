from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from gongzhi.cases import services as case_services
from gongzhi.cases import sla
from gongzhi.cases.models import Case, Category
from gongzhi.cases.tests.factories import CategoryFactory
from gongzhi.open311 import services
from gongzhi.open311.models import Open311Client, ServiceAttribute
from gongzhi.testing.geometry import lnglat

BASE = "/open311/v2/"
# Containers of repeated elements: arrays in JSON (the Spark convention).
CONTAINERS = {
    "services",
    "attributes",
    "values",
    "service_requests",
    "service_request_updates",
    "errors",
    "endpoints",
    "formats",
}


def spark(element: ET.Element) -> Any:
    """The JSON the spec's Spark convention makes of this XML, with every value as text."""
    children = list(element)
    if element.tag in CONTAINERS:
        return [spark(child) for child in children]
    if children:
        return {child.tag: spark(child) for child in children}
    return element.text if element.text not in (None, "") else None


def as_text(value: Any) -> Any:
    """JSON values as XML carries them: numbers and booleans as text."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


def body(response: Any, fmt: str) -> Any:
    """The parsed document, after checking the format's content type and UTF-8."""
    raw = response.content
    raw.decode("utf-8")  # raises if not UTF-8
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(raw)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return spark(ET.fromstring(raw))  # noqa: S314  (our own test output)


def errors(response: Any, fmt: str) -> list[tuple[str, str]]:
    """The (code, description) pairs of an error document, as text in both formats."""
    doc = as_text(body(response, fmt))
    assert isinstance(doc, list) and doc, doc
    return [(e["code"], e["description"]) for e in doc]


@dataclass
class Site:
    world: Any
    http: Client
    garbage: Category  # public, with attributes (E0102 暴露垃圾 → 城管中队)
    manhole: Category  # public, no attributes (B0101 上水井盖 → 房管办)
    staff_only: Category  # residents may not report it
    client: Open311Client
    key: str
    hotline_client: Open311Client
    hotline_key: str

    def point(self, grid: str = "a1") -> tuple[float, float]:
        x, y = {"a1": (250, 250), "a2": (250, 750), "b1": (750, 250), "b2": (750, 750)}[grid]
        lng, lat = lnglat(x, y)
        return lat, lng

    def url(self, path: str, fmt: str = "xml") -> str:
        return f"{BASE}{path}.{fmt}"

    def get(self, path: str, fmt: str = "xml", **params: Any) -> Any:
        return self.http.get(self.url(path, fmt), params)

    def form(self, **params: Any) -> list[tuple[str, str]]:
        """Form fields for a valid report of 暴露垃圾 (required attributes answered)."""
        lat, lng = self.point()
        fields: dict[str, Any] = {
            "api_key": self.key,
            "service_code": self.garbage.code,
            "lat": lat,
            "long": lng,
            "description": "兰溪路垃圾箱旁暴露垃圾堆积",
            "attribute[BAGS]": "3",
            "attribute[KIND]": "household",
        }
        fields.update(params)
        pairs: list[tuple[str, str]] = []
        for key, value in fields.items():
            if value is None:
                continue
            for v in value if isinstance(value, list) else [value]:
                pairs.append((key, str(v)))
        return pairs

    def post(self, fmt: str = "xml", query: dict[str, str] | None = None, **params: Any) -> Any:
        url = self.url("requests", fmt)
        if query:
            url += "?" + urlencode(query)
        return self.http.post(
            url,
            data=urlencode(self.form(**params)),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
        )

    def created_case(self, response: Any, fmt: str) -> Case:
        assert response.status_code == 200, response.content.decode()
        doc = as_text(body(response, fmt))
        return Case.objects.get(number=doc[0]["service_request_id"])

    def report(self, *, channel: str = Case.Channel.RESIDENT, **kw: Any) -> Case:
        """A case taken in by the centre's own pages (not through Open311)."""
        lat, lng = self.point(kw.pop("grid", "a1"))
        fields: dict[str, Any] = {
            "channel": channel,
            "type": Case.Type.EVENT,
            "category": self.garbage,
            "description": "杏梅园小区门口垃圾满溢",
            "lat": lat,
            "lng": lng,
            "address": "兰溪路100弄",
            "find_duplicates": False,
        }
        actor = kw.pop("actor", self.world.operator)
        fields.update(kw)
        return case_services.case_intake(actor=actor, **fields).case


def attribute(category: Category, **kw: Any) -> ServiceAttribute:
    attr = ServiceAttribute(category=category, **kw)
    attr.full_clean()
    attr.save()
    return attr


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(world) -> Site:
    events = CategoryFactory(
        code="E01", name="市容环境", kind=Category.Kind.EVENT, department=world.orgs["chengguan"]
    )
    garbage = CategoryFactory(
        code="E0102",
        name="暴露垃圾",
        kind=Category.Kind.EVENT,
        parent=events,
        group=events,
        level=2,
        description="道路、绿地、小区公共区域的暴露垃圾",
    )
    parts = CategoryFactory(code="B01", name="公用设施", kind=Category.Kind.COMPONENT)
    manhole = CategoryFactory(
        code="B0101",
        name="上水井盖",
        kind=Category.Kind.COMPONENT,
        parent=parts,
        group=parts,
        level=2,
        department=world.orgs["fangguan"],
    )
    staff_only = CategoryFactory(
        code="E0199",
        name="内部巡查事项",
        kind=Category.Kind.EVENT,
        parent=events,
        group=events,
        level=2,
        public=False,
    )
    sla.invalidate()
    attribute(
        garbage,
        code="BAGS",
        datatype="number",
        required=True,
        order=1,
        description="大约有几袋垃圾？",
    )
    attribute(
        garbage,
        code="KIND",
        datatype="singlevaluelist",
        required=True,
        order=2,
        description="垃圾种类",
        values=[
            {"key": "household", "name": "生活垃圾"},
            {"key": "construction", "name": "建筑垃圾"},
        ],
    )
    attribute(
        garbage,
        code="NUISANCE",
        datatype="multivaluelist",
        order=3,
        description="还有哪些影响？",
        values=[
            {"key": "smell", "name": "异味"},
            {"key": "flies", "name": "蚊蝇"},
            {"key": "leak", "name": "渗漏"},
        ],
    )
    attribute(garbage, code="SEEN", datatype="datetime", order=4, description="最早何时发现？")
    attribute(garbage, code="PLATE", datatype="string", order=5, description="倾倒车辆车牌")
    attribute(garbage, code="NOTE", datatype="text", order=6, description="其他说明")
    attribute(
        garbage,
        code="SAFETY",
        datatype="string",
        variable=False,
        order=7,
        description="请勿自行清理，注意安全。",
    )
    client, key = services.client_create(actor=world.admin, name="随申办", contact="app@example.cn")
    hotline_client, hotline_key = services.client_create(
        actor=world.admin, name="12345热线", channel=Case.Channel.HOTLINE
    )
    http = Client(enforce_csrf_checks=True)  # CSRF is not what protects these endpoints
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the msgids, whatever the catalogue says
    return Site(
        world=world,
        http=http,
        garbage=garbage,
        manhole=manhole,
        staff_only=staff_only,
        client=client,
        key=key,
        hotline_client=hotline_client,
        hotline_key=hotline_key,
    )


def advance(site: Site, case: Case, to: str) -> Case:
    """Take a case through the workflow as the right people would."""
    w = site.world
    steps = {
        "filed": ["file"],
        "dispatched": ["file", "dispatch"],
        "handled": ["file", "dispatch", "accept", "handle"],
        "closed": ["file", "dispatch", "accept", "handle", "verify"],
        "not_accepted": ["not_accept"],
    }[to]
    for step in steps:
        case.refresh_from_db()
        if step == "file":
            case_services.case_file(actor=w.operator, case=case)
        elif step == "dispatch":
            case_services.case_dispatch(
                actor=w.operator, case=case, department=w.orgs["chengguan"].pk
            )
        elif step == "accept":
            case_services.case_accept(actor=w.handler, case=case)
        elif step == "handle":
            case_services.case_handle(
                actor=w.handler, case=case, result="已清运，联系人13812345678"
            )
        elif step == "verify":
            case_services.case_verify(actor=w.inspector, case=case, passed=True, note="现场已清理")
        elif step == "not_accept":
            case_services.case_not_accept(actor=w.duty_chief, case=case, reason="不属于受理范围")
    case.refresh_from_db()
    assert case.state == to
    return case

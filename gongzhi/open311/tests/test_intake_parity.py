"""One intake, three doors: the same report through the centre's web form, the REST API and
Open311 (and the public web form where it has the field) gets the same verdict — accepted and
stored alike, or refused on the same fields — because `cases.intake` holds every rule and the
channels only translate their wire format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.api import services as api_services
from gongzhi.cases.models import Case
from gongzhi.testing.geometry import lnglat

CHANNEL = Case.Channel.RESIDENT  # the Open311 client's channel; the others file on the same
OPEN311_FIELDS = {
    "lat and long": "location",
    "description": "description",
    "email": "reporter_email",
    "phone": "reporter_phone",
    "service_code": "category",
    "address_string": "address",
}


def _fields(names: Any) -> frozenset[str]:
    """Each channel's names for the fields, as the intake names them (the line above a web
    form, which sums the problems up, names none)."""
    return frozenset("location" if n in ("lat", "lng") else n for n in names if n != "__all__")


class Doors:
    def __init__(self, site: Any) -> None:
        self.site = site
        w = site.world
        self.web = Client()
        self.web.force_login(w.operator)
        self.public = Client()
        self.token = api_services.token_create(actor=w.operator, user=w.operator, name="p").secret
        self.api = Client()

    def report(self, **kw: Any) -> dict[str, Any]:
        """A valid report of a missing manhole cover, with the given changes (None: leave out)."""
        lng, lat = lnglat(250, 250)
        data: dict[str, Any] = {
            "category": self.site.manhole.pk,
            "description": "兰溪路口上水井盖缺失",
            "lat": lat,
            "lng": lng,
            "reporter_phone": "",
            "reporter_email": "",
        }
        data.update(kw)
        return {k: v for k, v in data.items() if v is not None}

    def through_web(self, r: dict[str, Any]) -> tuple[Any, Case | None]:
        data = {"channel": CHANNEL, "type": "help", "urgency": "normal", **r}
        response = self.web.post(reverse("cases:intake"), data)
        if response.status_code == 302:
            return True, Case.objects.latest("pk")
        assert response.status_code == 400, response.status_code
        return _fields(response.context["form"].errors), None

    def through_public_form(self, r: dict[str, Any]) -> tuple[Any, Case | None]:
        response = self.public.post(reverse("cases:report"), r)
        if response.status_code == 302:
            return True, Case.objects.latest("pk")
        assert response.status_code == 400, response.status_code
        return _fields(response.context["form"].errors), None

    def through_api(self, r: dict[str, Any]) -> tuple[Any, Case | None]:
        response = self.api.post(
            "/api/v1/cases",
            json.dumps({"channel": CHANNEL, **r}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if response.status_code == 201:
            return True, Case.objects.get(pk=response.json()["case"]["id"])
        assert response.status_code == 422, response.content
        return _fields(e["field"] for e in response.json()["errors"]), None

    def through_open311(self, r: dict[str, Any]) -> tuple[Any, Case | None]:
        params = {
            "service_code": self.site.staff_only.code
            if r.get("category") == self.site.staff_only.pk
            else self.site.manhole.code,
            "lat": r.get("lat"),
            "long": r.get("lng"),
            "description": r.get("description"),
            "phone": r.get("reporter_phone") or None,
            "email": r.get("reporter_email") or None,
        }
        response = self.site.post("json", **params)
        if response.status_code == 200:
            return True, Case.objects.get(number=response.json()[0]["service_request_id"])
        assert response.status_code in (400, 404), response.content
        messages = [e["description"] for e in response.json()]
        names = {
            field
            for m in messages
            for prefix, field in OPEN311_FIELDS.items()
            if m.startswith(prefix)
        }
        assert len(names) == len(set(messages)), messages  # every message is on a known field
        return frozenset(names), None


DOORS = ("through_web", "through_api", "through_open311")


def _verdicts(doors: Doors, report: dict[str, Any], *, public: bool) -> dict[str, Any]:
    out = {}
    for door in DOORS + (("through_public_form",) if public else ()):
        before = Case.objects.count()
        verdict, case = getattr(doors, door)(report)
        if verdict is not True:
            assert Case.objects.count() == before, f"{door} wrote a refused report"
        out[door] = (verdict, case)
    return out


BAD = [
    # (what, changes to a valid report, the fields refused, whether the public form has them)
    ("half a coordinate", {"lng": None}, {"location"}, True),
    ("a point outside the subdistrict", {"lat": 37.7652, "lng": -122.4212}, {"location"}, True),
    ("a bad e-mail address", {"reporter_email": "not-an-email"}, {"reporter_email"}, False),
    ("HTML", {"description": "井盖<b>缺失</b><script>alert(1)</script>"}, {"description"}, True),
    ("4,001 characters", {"description": "井" * 4001}, {"description"}, True),
    ("a blank description", {"description": "   \n "}, {"description"}, True),
    ("a phone number that is none", {"reporter_phone": "call me"}, {"reporter_phone"}, True),
    (
        "everything at once",
        {"lng": None, "description": "<i>x</i>"},
        {"location", "description"},
        True,
    ),
]


@pytest.mark.parametrize(("what", "changes", "refused", "public"), BAD, ids=[b[0] for b in BAD])
def test_the_same_bad_report_is_refused_on_the_same_fields_by_every_channel(
    site, what, changes, refused, public
):
    doors = Doors(site)
    verdicts = _verdicts(doors, doors.report(**changes), public=public)
    assert {door: v for door, (v, _) in verdicts.items()} == dict.fromkeys(
        verdicts, frozenset(refused)
    ), what


@pytest.mark.parametrize("phone", ["+86 138 1234 5678", "１３８１２３４５６７８", "138-1234-5678"])
def test_phone_numbers_written_as_people_write_them_are_stored_alike(site, phone):
    doors = Doors(site)
    verdicts = _verdicts(doors, doors.report(reporter_phone=phone), public=True)
    stored = {door: case.reporter_phone for door, (ok, case) in verdicts.items() if ok is True}
    assert stored == dict.fromkeys(verdicts, "13812345678")


def test_a_category_residents_may_not_report_is_refused_by_every_channel(site):
    doors = Doors(site)
    verdicts = _verdicts(doors, doors.report(category=site.staff_only.pk), public=True)
    assert {door: v for door, (v, _) in verdicts.items()} == dict.fromkeys(
        verdicts, frozenset({"category"})
    )


def test_an_empty_description_is_refused_except_where_geo_report_makes_it_optional(site):
    doors = Doors(site)
    verdicts = _verdicts(doors, doors.report(description=""), public=True)
    refused = {door: v for door, (v, _) in verdicts.items() if door != "through_open311"}
    assert refused == dict.fromkeys(refused, frozenset({"description"}))
    # GeoReport v2: description is optional; the request is described by its service.
    ok, case = verdicts["through_open311"]
    assert ok is True and case.description == site.manhole.name


def test_a_good_report_is_stored_alike_by_every_channel(site):
    doors = Doors(site)
    verdicts = _verdicts(doors, doors.report(description="井盖缺失，a < b"), public=True)
    cases = [case for ok, case in verdicts.values() if ok is True]
    assert len(cases) == 4
    assert {(c.type, c.category_id, c.description, c.grid_id, c.channel) for c in cases} == {
        (
            Case.Type.COMPONENT,
            site.manhole.pk,
            "井盖缺失，a < b",
            site.world.grids["a1"].pk,
            CHANNEL,
        )
    }

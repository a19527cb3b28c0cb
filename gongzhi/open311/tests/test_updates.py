"""mySociety's GET servicerequestupdates: the public timeline events of published requests."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case

from .conftest import advance, as_text, body, errors

FORMATS = ["xml", "json"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def updates(site, fmt, **params):
    response = site.get("servicerequestupdates", fmt, **params)
    assert response.status_code == 200, response.content.decode()
    return as_text(body(response, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_public_step_is_an_update_with_the_status_after_it(site, fmt):
    case = advance(site, site.report(), "closed")
    docs = updates(site, fmt)
    assert [set(d) for d in docs] == [
        {
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        }
    ] * len(docs)
    events = list(case.events.filter(public=True).order_by("at", "id"))
    assert [d["update_id"] for d in docs] == [str(e.pk) for e in events]
    assert {d["service_request_id"] for d in docs} == {case.number}
    assert [(d["status"], d["description"]) for d in docs] == [
        ("OPEN", "Received"),
        ("OPEN", "File"),
        ("IN_PROGRESS", "Dispatch"),
        ("IN_PROGRESS", "已清运，联系人138****5678"),
        ("FIXED", "现场已清理"),
    ]
    assert all(W3C.match(d["updated_datetime"]) for d in docs)
    assert all(d["media_url"] is None for d in docs)
    # Internal steps (the department accepting the work) are not updates.
    assert not any(d["update_id"] == str(case.events.get(action="accept").pk) for d in docs)


def test_refusals_and_merges_have_their_own_statuses(site):
    refused = advance(site, site.report(), "not_accepted")
    master, merged = site.report(), site.report()
    case_services.case_merge(actor=site.world.operator, case=merged, master=master)
    last = {d["service_request_id"]: d for d in updates(site, "json")}
    assert last[refused.number]["status"] == "NOT_COUNCILS_RESPONSIBILITY"
    assert last[refused.number]["description"] == "不属于受理范围"
    assert last[merged.number]["status"] == "DUPLICATE"
    assert last[merged.number]["description"] == f"Merged into {master.number}"


def test_updates_of_unpublished_cases_are_not_listed(site):
    site.report(channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    site.report(channel=Case.Channel.INSPECTOR, category=site.staff_only)
    assert updates(site, "json") == []


def test_an_update_with_a_photo_links_its_public_copy(site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(out, format="JPEG")
    photo = SimpleUploadedFile("r.jpg", out.getvalue(), content_type="image/jpeg")
    case = advance(site, site.report(), "dispatched")
    case_services.case_accept(actor=site.world.handler, case=case)
    case_services.case_handle(
        actor=site.world.handler, case=case, result="已清运", photo_uploads=[photo]
    )
    handled = [d for d in updates(site, "json") if d["description"] == "已清运"]
    stored = case.photos.get()
    assert handled[0]["media_url"] == f"http://testserver{stored.public_image.url}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_start_and_end_date_select_updates_by_their_time(site, fmt):
    with time_machine.travel(timezone.now() - dt.timedelta(days=30), tick=False):
        old = site.report()
    new = site.report()
    everything = {d["service_request_id"] for d in updates(site, fmt)}
    assert everything == {old.number, new.number}
    since = (timezone.now() - dt.timedelta(days=1)).isoformat(timespec="seconds")
    assert {d["service_request_id"] for d in updates(site, fmt, start_date=since)} == {new.number}
    too_long = site.get(
        "servicerequestupdates",
        fmt,
        start_date="2026-01-01T00:00:00Z",
        end_date="2026-06-01T00:00:00Z",
    )
    assert too_long.status_code == 400
    assert errors(too_long, fmt) == [
        ("400", "start_date and end_date may not span more than 90 days.")
    ]
    bad = site.get("servicerequestupdates", fmt, end_date="soon")
    assert errors(bad, fmt) == [
        ("400", "end_date must be a W3C date-time, e.g. 2010-01-01T00:00:00Z.")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates_take_the_same_key_and_jurisdiction_rules(site, fmt):
    site.report()
    assert len(updates(site, fmt, api_key=site.key, jurisdiction_id="caoyang.putuo.shanghai")) == 1
    assert site.get("servicerequestupdates", fmt, api_key="wrong").status_code == 403
    assert site.get("servicerequestupdates", fmt, jurisdiction_id="x.org").status_code == 404

"""GET requests and GET requests/{id}: the fields as the spec names them, the filters, the 90-day
window, the 1,000 cap, and what is (not) published."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.places.selectors import default_subdistrict_id

from .conftest import advance, as_text, body, errors

FORMATS = ["xml", "json"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def ids(response, fmt) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["service_request_id"] for r in as_text(body(response, fmt))]


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_open_request_in_the_spec_field_names(site, fmt):
    case = advance(site, site.report(), "dispatched")
    [doc] = as_text(body(site.get(f"requests/{case.number}", fmt), fmt))
    assert list(doc) == FIELDS
    lat, lng = site.point()
    dispatch = case.events.get(action="dispatch")
    assert doc == {
        "service_request_id": case.number,
        "status": "open",
        "status_notes": "Dispatch",
        "service_name": "暴露垃圾",
        "service_code": "E0102",
        "description": "杏梅园小区门口垃圾满溢",
        "agency_responsible": "城管中队",
        "service_notice": "Reports of this kind are normally handled within 2 working days.",
        "requested_datetime": local(case.received_at),
        "updated_datetime": local(dispatch.at),
        "expected_datetime": local(case.handle_due_at),
        "address": "兰溪路100弄",
        "address_id": site.world.grids["a1"].code,
        "zipcode": None,
        "lat": repr(round(lat, 7)),
        "long": repr(round(lng, 7)),
        "media_url": None,
    }
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(doc[name]) and doc[name].endswith("+08:00")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_closed_request_is_closed_when_it_was_closed(site, fmt):
    case = advance(site, site.report(), "closed")
    [doc] = as_text(body(site.get(f"requests/{case.number}", fmt), fmt))
    assert doc["status"] == "closed"
    assert doc["status_notes"] == "现场已清理"
    assert doc["updated_datetime"] == local(case.closed_at)
    assert doc["expected_datetime"] == local(case.handle_due_at)


def test_refused_and_merged_requests_are_closed_with_the_reason(site):
    refused = advance(site, site.report(), "not_accepted")
    master = site.report(description="另一位居民报告的同一堆垃圾")
    merged = site.report()
    case_services.case_merge(actor=site.world.operator, case=merged, master=master)
    docs = {d["service_request_id"]: d for d in as_text(body(site.get("requests", "json"), "json"))}
    assert docs[refused.number]["status"] == "closed"
    assert docs[refused.number]["status_notes"] == "不属于受理范围"
    assert docs[refused.number]["expected_datetime"] is None
    assert docs[merged.number]["status"] == "closed"
    assert docs[merged.number]["status_notes"] == f"Merged into {master.number}"
    assert docs[master.number]["status"] == "open"
    assert docs[master.number]["status_notes"] == "Received"
    # Before dispatch, the expected time is what the handling time limit promises.
    assert W3C.match(docs[master.number]["expected_datetime"])
    assert docs[master.number]["agency_responsible"] is None


def test_public_text_masks_phone_and_id_numbers(site):
    case = site.report(
        description="联系我13812345678或021-62541234，身份证310107199001011234，楼号12号"
    )
    case = advance(site, case, "handled")
    [doc] = as_text(body(site.get(f"requests/{case.number}", "json"), "json"))
    assert (
        doc["description"] == "联系我138****5678或021****1234，身份证310***********1234，楼号12号"
    )
    assert doc["status_notes"] == "已清运，联系人138****5678"


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_url_is_the_public_copy_of_the_first_photo_never_the_original(
    site, fmt, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = site.report(photo_uploads=[jpeg()])
    photo = case.photos.get()
    [doc] = as_text(body(site.get(f"requests/{case.number}", fmt), fmt))
    assert doc["media_url"] == f"http://testserver{photo.public_image.url}"
    assert photo.original.name not in doc["media_url"]
    settings.SITE_URL = "https://gongzhi.caoyang.example"
    [doc] = as_text(body(site.get(f"requests/{case.number}", fmt), fmt))
    assert doc["media_url"].startswith("https://gongzhi.caoyang.example/media/cases/public/")


def test_without_a_photo_media_url_is_the_one_the_client_sent(site):
    case = site.created_case(site.post(media_url="https://img.example.cn/p/9.jpg"), "xml")
    [doc] = as_text(body(site.get(f"requests/{case.number}", "json"), "json"))
    assert doc["media_url"] == "https://img.example.cn/p/9.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_is_published_and_what_stays_internal(site, fmt):
    resident = site.report()
    inspector = site.report(channel=Case.Channel.INSPECTOR, actor=site.world.inspector)
    patrol = site.report(channel=Case.Channel.JOINT_PATROL)
    hotline = site.report(channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    emergency = site.report(channel=Case.Channel.EMERGENCY)
    staff_only = site.report(channel=Case.Channel.INSPECTOR, category=site.staff_only)
    by_12345 = site.created_case(site.post(api_key=site.hotline_key, external_ref="W-1"), "xml")
    listed = ids(site.get("requests", fmt), fmt)
    assert set(listed) == {resident.number, inspector.number, patrol.number, by_12345.number}
    for hidden in (hotline, emergency, staff_only):
        response = site.get(f"requests/{hidden.number}", fmt)
        assert response.status_code == 404
        assert errors(response, fmt) == [
            ("404", f"service_request_id {hidden.number} was not found.")
        ]


def test_the_published_channels_come_from_the_settings(site, settings):
    hotline = site.report(channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    settings.GONGZHI = {**settings.GONGZHI, "OPEN311_PUBLISHED_CHANNELS": ["hotline"]}
    assert ids(site.get("requests"), "xml") == [hotline.number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_id_is_404(site, fmt):
    response = site.get("requests/CY2026-999999", fmt)
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "service_request_id CY2026-999999 was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_is_the_most_recent_90_days(site, fmt):
    recent = site.report(received_at=ago(89))
    site.report(received_at=ago(91))
    assert ids(site.get("requests", fmt), fmt) == [recent.number]
    assert ids(site.get("requests", fmt, start_date="", end_date=""), fmt) == [recent.number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_start_and_end_date_select_by_requested_datetime(site, fmt):
    old = site.report(received_at=ago(200))
    older = site.report(received_at=ago(250))
    site.report(received_at=ago(1))
    in_range = ids(
        site.get(
            "requests",
            fmt,
            start_date=(ago(260)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_date=local(ago(195)),
        ),
        fmt,
    )
    assert in_range == [old.number, older.number]  # newest first
    # One bound alone makes a 90-day span from it.
    assert ids(site.get("requests", fmt, start_date=local(ago(251))), fmt) == [
        old.number,
        older.number,
    ]
    assert ids(site.get("requests", fmt, end_date=local(ago(201))), fmt) == [older.number]
    # An offset sent unencoded ("+" read as a space) is still understood.
    raw = site.http.get(
        site.url("requests", fmt) + "?start_date=" + local(ago(251)).replace("+", "%20")
    )
    assert ids(raw, fmt) == [old.number, older.number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_span_over_90_days_or_backwards_or_malformed_is_400(site, fmt):
    too_long = site.get(
        "requests", fmt, start_date="2026-01-01T00:00:00Z", end_date="2026-04-01T00:00:01Z"
    )
    assert too_long.status_code == 400
    assert errors(too_long, fmt) == [
        ("400", "start_date and end_date may not span more than 90 days.")
    ]
    exactly = site.get(
        "requests", fmt, start_date="2026-01-01T00:00:00Z", end_date="2026-04-01T00:00:00Z"
    )
    assert exactly.status_code == 200
    backwards = site.get(
        "requests", fmt, start_date="2026-02-01T00:00:00Z", end_date="2026-01-01T00:00:00Z"
    )
    assert errors(backwards, fmt) == [("400", "end_date is before start_date.")]
    malformed = site.get("requests", fmt, start_date="last week", end_date="01/02/2026")
    assert malformed.status_code == 400
    assert errors(malformed, fmt) == [
        ("400", "start_date must be a W3C date-time, e.g. 2010-01-01T00:00:00Z."),
        ("400", "end_date must be a W3C date-time, e.g. 2010-01-01T00:00:00Z."),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_and_service_code_filters(site, fmt):
    open_case = site.report()
    closed = advance(site, site.report(), "closed")
    manhole = site.report(category=site.manhole, type=Case.Type.COMPONENT)
    assert set(ids(site.get("requests", fmt, status="open"), fmt)) == {
        open_case.number,
        manhole.number,
    }
    assert ids(site.get("requests", fmt, status="closed"), fmt) == [closed.number]
    assert len(ids(site.get("requests", fmt, status="open,closed"), fmt)) == 3
    assert (
        len(ids(site.http.get(site.url("requests", fmt) + "?status=open&status=closed"), fmt)) == 3
    )
    bad = site.get("requests", fmt, status="pending")
    assert bad.status_code == 400
    assert errors(bad, fmt) == [
        ("400", "status must be open or closed (comma-delimited), not pending.")
    ]
    assert ids(site.get("requests", fmt, service_code="B0101"), fmt) == [manhole.number]
    assert len(ids(site.get("requests", fmt, service_code="B0101,E0102"), fmt)) == 3
    assert ids(site.get("requests", fmt, service_code="X9"), fmt) == []
    assert ids(site.get("requests", fmt, service_code="B0101", status="closed"), fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_overrides_every_other_filter(site, fmt):
    old_closed = advance(site, site.report(received_at=ago(300)), "closed")
    recent = site.report()
    hidden = site.report(channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    found = ids(
        site.get(
            "requests",
            fmt,
            service_request_id=f"{old_closed.number}, {recent.number},{hidden.number},CY1-000001",
            status="open",
            service_code="B0101",
            start_date="2020-01-01T00:00:00Z",
            end_date="2020-01-02T00:00:00Z",
        ),
        fmt,
    )
    assert found == [recent.number, old_closed.number]


def test_at_most_1000_requests_newest_first_in_a_fixed_number_of_queries(
    site, django_assert_max_num_queries
):
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            number=f"CY2026-{n:06d}",
            channel=Case.Channel.RESIDENT,
            type=Case.Type.EVENT,
            category=site.garbage,
            description=f"第{n}处暴露垃圾",
            tracking_code=secrets.token_hex(5).upper(),
            received_at=now - dt.timedelta(minutes=n),
            subdistrict_id=default_subdistrict_id(),
        )
        for n in range(1, 1002)
    )
    with django_assert_max_num_queries(12):
        response = site.get("requests", "json")
    found = ids(response, "json")
    assert len(found) == 1000
    assert found[0] == "CY2026-000001" and found[-1] == "CY2026-001000"
    assert len(ids(site.get("requests", "xml"), "xml")) == 1000


def test_both_formats_list_the_same_requests(site):
    advance(site, site.report(), "closed")
    site.created_case(site.post(), "xml")
    assert body(site.get("requests", "xml"), "xml") == as_text(
        body(site.get("requests", "json"), "json")
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_chinese_text_round_trips_in_utf8(site, fmt):
    text = "曹杨新村街道·杏梅园：垃圾“满溢”，请尽快处理😀\n第二行 <0度 & 其他"
    case = site.created_case(site.post(fmt, description=text, address_string="梅岭北路400弄"), fmt)
    [doc] = body(site.get(f"requests/{case.number}", fmt), fmt)
    assert doc["description"] == text
    assert doc["address"] == "梅岭北路400弄"
    assert "曹杨新村街道".encode() in site.get(f"requests/{case.number}", fmt).content

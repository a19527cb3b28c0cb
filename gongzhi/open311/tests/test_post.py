"""POST requests: a client files a report, form-encoded, as the spec shows; every error case."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.open311 import services
from gongzhi.open311.models import Open311Request, ServiceOptions

from .conftest import as_text, body, errors

FORMATS = ["xml", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_report_becomes_a_case_and_answers_its_id(site, fmt):
    response = site.post(
        fmt,
        email="zhang.san@example.cn",
        first_name="三",
        last_name="张",
        phone="138 1234 5678",
        device_id="dev-42",
        account_id="u-1001",
        media_url="https://img.example.cn/p/1.jpg",
        **{"attribute[NUISANCE][]": ["smell", "flies"]},
    )
    assert response.status_code == 200, response.content
    [doc] = as_text(body(response, fmt))
    assert set(doc) == {"service_request_id", "service_notice", "account_id"}
    assert doc["account_id"] == "u-1001"
    assert (
        doc["service_notice"] == "Reports of this kind are normally handled within 2 working days."
    )
    case = Case.objects.get(number=doc["service_request_id"])
    assert case.channel == Case.Channel.RESIDENT and case.type == Case.Type.EVENT
    assert case.category == site.garbage and case.grid == site.world.grids["a1"]
    assert case.description == "兰溪路垃圾箱旁暴露垃圾堆积"
    assert case.reporter_name == "张三" and case.reporter_phone == "13812345678"
    assert case.reporter_email == "zhang.san@example.cn" and case.created_by is None
    o311 = case.open311
    assert o311.client == site.client and o311.device_id == "dev-42"
    assert o311.attributes == {"BAGS": "3", "KIND": "household", "NUISANCE": ["smell", "flies"]}
    assert o311.media_url == "https://img.example.cn/p/1.jpg"
    # Staff see the answers and the media link on the case's timeline (not the public one).
    note = CaseEvent.objects.get(case=case, action="comment")
    assert not note.public and note.actor_label == "Open311 · 随申办"
    assert note.note.splitlines() == [
        "大约有几袋垃圾？: 3",
        "垃圾种类: 生活垃圾",
        "还有哪些影响？: 异味、蚊蝇",
        "Media: https://img.example.cn/p/1.jpg",
    ]
    assert AuditEvent.objects.for_object(case).filter(action="create").exists()
    assert AuditEvent.objects.for_object(o311).filter(action="create").exists()


def test_the_spec_example_request_body_works_as_sent(site):
    """The spec's example POST, with this endpoint's key, service and a point inside it."""
    lat, lng = site.point("b2")
    raw = (
        f"api_key={site.key}&jurisdiction_id=caoyang.putuo.shanghai&service_code=E0102"
        f"&lat={lat}&long={lng}&address_string=1234+5th+street&email=smit333%40sfgov.edu"
        "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
        "&phone=13912345678&description=A+large+sinkhole+is+destroying+the+street"
        "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
        "&attribute[BAGS]=123456&attribute[KIND]=construction"
    )
    response = site.http.post(
        "/open311/v2/requests.xml",
        data=raw,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    case = site.created_case(response, "xml")
    assert case.address == "1234 5th street" and case.grid == site.world.grids["b2"]
    assert case.reporter_name == "john smith"
    assert case.open311.attributes == {"BAGS": "123456", "KIND": "construction"}
    assert case.open311.account_id == "123456"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_key_and_jurisdiction_may_come_in_the_query_string(site, fmt):
    response = site.post(
        fmt, api_key=None, query={"api_key": site.key, "jurisdiction_id": "caoyang.putuo.shanghai"}
    )
    assert site.created_case(response, fmt).open311.client == site.client


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_a_key_it_is_403_and_nothing_is_filed(site, fmt):
    response = site.post(fmt, api_key=None)
    assert response.status_code == 403
    assert errors(response, fmt) == [("403", "api_key was not provided.")]
    assert site.post(fmt, api_key="").status_code == 403  # empty = absent
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_inactive_or_archived_key_is_403(site, fmt):
    invalid = [("403", "Invalid api_key received -- can't proceed.")]
    altered = site.key[:-1] + ("y" if site.key[-1] != "y" else "z")
    for key in ("nonsense", altered, site.key.split(".")[1], site.key.split(".")[0]):
        response = site.post(fmt, api_key=key)
        assert response.status_code == 403 and errors(response, fmt) == invalid
    services.client_update(actor=site.world.admin, client=site.client, active=False)
    assert errors(site.post(fmt), fmt) == invalid
    services.client_update(actor=site.world.admin, client=site.client, active=True)
    from gongzhi.audit import services as audit

    audit.archive(actor=site.world.admin, obj=site.client)
    assert errors(site.post(fmt), fmt) == invalid
    assert Case.objects.count() == 0


def test_a_rotated_key_replaces_the_old_one_at_once(site):
    new = services.client_rotate_key(actor=site.world.admin, client=site.client)
    assert site.post(api_key=site.key).status_code == 403
    assert site.post(api_key=new).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_service_code_is_400_an_unknown_one_404(site, fmt):
    missing = site.post(fmt, service_code=None)
    assert missing.status_code == 400
    assert errors(missing, fmt) == [("400", "service_code was not provided.")]
    for code in ("X99", "E01", "E0199"):  # unknown, a group, not open to residents
        response = site.post(fmt, service_code=code)
        assert response.status_code == 404
        assert errors(response, fmt) == [("404", f"service_code {code} was not found.")]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_jurisdiction_is_404(site, fmt):
    response = site.post(fmt, jurisdiction_id="sfgov.org")
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "jurisdiction_id sfgov.org was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_location_is_required(site, fmt):
    response = site.post(fmt, lat=None, long=None)
    assert response.status_code == 400
    assert errors(response, fmt) == [
        ("400", "A location is required: lat and long, address_string or address_id.")
    ]
    assert site.post(fmt, lat="", long="", address_string="").status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("lat", "long", "message"),
    [
        ("31.24", None, "lat and long must be given together."),
        (None, "121.41", "lat and long must be given together."),
        ("north", "121.41", "lat and long must be WGS84 decimal degrees."),
        ("91", "121.41", "lat and long must be WGS84 decimal degrees."),
        ("nan", "121.41", "lat and long must be WGS84 decimal degrees."),
        (
            "37.76524078",
            "-122.4212043",
            "lat and long are outside the subdistrict this endpoint serves.",
        ),
    ],
)
def test_bad_lat_long_is_400(site, fmt, lat, long, message):
    response = site.post(fmt, lat=lat, long=long)
    assert response.status_code == 400
    assert errors(response, fmt) == [("400", message)]
    assert Case.objects.count() == 0


def test_an_address_string_alone_is_a_location(site):
    case = site.created_case(site.post(lat=None, long=None, address_string="梅岭北路400号"), "xml")
    assert case.address == "梅岭北路400号" and case.lat is None and case.grid is None


def test_a_unit_grid_code_is_an_address_id(site):
    grid = site.world.grids["b1"]
    case = site.created_case(site.post(lat=None, long=None, address_id=grid.code), "xml")
    assert case.grid == grid and case.address == grid.name
    assert case.open311.address_id == grid.code
    response = site.post(lat=None, long=None, address_id="310107005009009")
    assert response.status_code == 400
    assert errors(response, "xml") == [
        ("400", "address_id 310107005009009 is not a known unit-grid code.")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_error_is_reported_at_once_and_nothing_is_written(site, fmt):
    response = site.post(
        fmt,
        description="垃圾" * 2001,
        email="not-an-email",
        long=None,
        **{"attribute[BAGS]": None, "attribute[KIND]": None},
    )
    assert response.status_code == 400
    assert errors(response, fmt) == [
        ("400", "lat and long must be given together."),
        ("400", "description may have at most 4,000 characters (it has 4002)."),
        ("400", "email is not a valid email address."),
        ("400", "attribute[BAGS] is required: 大约有几袋垃圾？"),
        ("400", "attribute[KIND] is required: 垃圾种类"),
    ]
    assert Case.objects.count() == 0 and Open311Request.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_attribute_values_are_checked_by_datatype(site, fmt):
    response = site.post(
        fmt,
        **{
            "attribute[BAGS]": "many",
            "attribute[KIND]": ["household", "construction"],
            "attribute[NUISANCE][]": ["smell", "noise"],
            "attribute[SEEN]": "yesterday",
            "attribute[PLATE]": "沪A\n12345",
            "attribute[NOTE]": "x" * 4001,
        },
    )
    assert response.status_code == 400
    assert errors(response, fmt) == [
        ("400", "attribute[BAGS] must be a number."),
        ("400", "attribute[KIND] takes a single value."),
        ("400", "attribute[NUISANCE] has values that are not in the list: noise"),
        (
            "400",
            "attribute[SEEN] must be an ISO 8601 date and time, e.g. 2026-05-01T09:30:00+08:00.",
        ),
        ("400", "attribute[PLATE] must be a single line."),
        ("400", "attribute[NOTE] may have at most 4000 characters."),
    ]
    wrong_key = site.post(fmt, **{"attribute[KIND]": "toxic"})
    assert errors(wrong_key, fmt) == [
        ("400", "attribute[KIND] must be one of: household, construction")
    ]


def test_valid_values_of_every_datatype_are_kept(site):
    case = site.created_case(
        site.post(
            **{
                "attribute[BAGS]": "2.5",
                "attribute[KIND]": None,
                "attribute[KIND][]": "construction",  # one value sent the list way
                "attribute[NUISANCE]": "leak",  # a multivaluelist sent with one value
                "attribute[SEEN]": "2026-05-01T09:30:00Z",
                "attribute[PLATE]": "沪A12345",
                "attribute[NOTE]": "第一行\n第二行",
                "attribute[SAFETY]": "ignored: it asks for no input",
                "attribute[UNKNOWN]": "ignored: not in the definition",
            }
        ),
        "xml",
    )
    assert case.open311.attributes == {
        "BAGS": "2.5",
        "KIND": "construction",
        "NUISANCE": ["leak"],
        "SEEN": "2026-05-01T09:30:00+00:00",
        "PLATE": "沪A12345",
        "NOTE": "第一行\n第二行",
    }


def test_the_description_may_have_4000_characters_and_line_breaks(site):
    text = ("路" * 1999 + "\r\n") * 2  # 4,000 characters once line breaks are \n
    case = site.created_case(site.post(description=text), "xml")
    assert len(case.description) == 3999  # the trailing line break is trimmed
    assert case.description.count("\n") == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_html_in_the_description_is_refused_not_silently_stripped(site, fmt):
    response = site.post(fmt, description='垃圾<script>alert("x")</script>')
    assert response.status_code == 400
    assert errors(response, fmt) == [
        ("400", "description must be plain text, without HTML or code.")
    ]
    ok = site.post(fmt, description="气温<0度时垃圾结冰，a < b")
    assert site.created_case(ok, fmt).description == "气温<0度时垃圾结冰，a < b"


def test_without_a_description_the_case_is_described_by_its_service(site):
    case = site.created_case(site.post(description=None), "xml")
    assert case.description == "暴露垃圾"


@pytest.mark.parametrize("fmt", FORMATS)
def test_contact_fields_are_checked(site, fmt):
    response = site.post(
        fmt, phone="111111111", media_url="ftp://example.cn/x.jpg", first_name="名" * 51
    )
    assert errors(response, fmt) == [
        ("400", "phone is not a valid mainland mobile or landline number."),
        ("400", "media_url must be an http or https URL."),
        ("400", "first_name may have at most 50 characters."),
    ]
    ok = site.post(fmt, phone="+86 139-1234-5678", email="", media_url="")
    assert site.created_case(ok, fmt).reporter_phone == "13912345678"


def test_a_post_that_declares_another_charset_is_still_read_as_utf8(site):
    data = urlencode(site.form(description="杨柳青路口垃圾😀")).encode("utf-8")
    response = site.http.generic(
        "POST",
        "/open311/v2/requests.json",
        data,
        content_type="application/x-www-form-urlencoded; charset=iso-8859-1",
    )
    assert site.created_case(response, "json").description == "杨柳青路口垃圾😀"


def test_a_12345_client_files_hotline_cases_once_per_work_order(site):
    first = site.post(api_key=site.hotline_key, external_ref="12345-2026-0001")
    case = site.created_case(first, "xml")
    assert case.channel == Case.Channel.HOTLINE and case.external_ref == "12345-2026-0001"
    again = site.post(api_key=site.hotline_key, external_ref="12345-2026-0001", description="重复")
    assert site.created_case(again, "xml") == case
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.description == "兰溪路垃圾箱旁暴露垃圾堆积"


def test_a_12345_work_order_already_taken_in_by_phone_is_not_filed_twice(site):
    by_phone = site.report(channel=Case.Channel.HOTLINE, external_ref="12345-2026-0002")
    posted = site.post(api_key=site.hotline_key, external_ref="12345-2026-0002")
    assert site.created_case(posted, "xml") == by_phone
    assert by_phone.open311.client == site.hotline_client  # now readable through Open311


def test_a_client_reference_makes_a_retry_return_the_same_request(site):
    first = site.created_case(site.post(external_ref="app-7"), "xml")
    assert first.channel == Case.Channel.RESIDENT and first.external_ref == ""
    assert site.created_case(site.post(external_ref="app-7"), "xml") == first
    other_client, other_key = services.client_create(actor=site.world.admin, name="城市管家")
    assert site.created_case(site.post(api_key=other_key, external_ref="app-7"), "xml") != first
    assert Case.objects.count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_batch_service_answers_a_token_until_the_centre_files_the_case(site, fmt):
    ServiceOptions.objects.create(category=site.garbage, type=ServiceOptions.Type.BATCH)
    response = site.post(fmt)
    assert response.status_code == 200
    [doc] = as_text(body(response, fmt))
    assert "service_request_id" not in doc and doc["token"]
    o311 = Open311Request.objects.get(token=doc["token"])
    # Not public yet: the token answers without an id, the request is not listed.
    [pending] = as_text(body(site.get(f"tokens/{doc['token']}", fmt), fmt))
    assert pending == {"token": doc["token"]}
    assert site.get(f"requests/{o311.case.number}", fmt).status_code == 404
    case_services.case_file(actor=site.world.operator, case=o311.case)
    [ready] = as_text(body(site.get(f"tokens/{doc['token']}", fmt), fmt))
    assert ready == {"service_request_id": o311.case.number, "token": doc["token"]}
    assert site.get(f"requests/{o311.case.number}", fmt).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_404(site, fmt):
    response = site.get("tokens/abc123", fmt)
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "token abc123 was not found.")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_realtime_request_can_also_be_found_by_its_token(site, fmt):
    case = site.created_case(site.post(fmt), fmt)
    [doc] = as_text(body(site.get(f"tokens/{case.open311.token}", fmt), fmt))
    assert doc == {"service_request_id": case.number, "token": case.open311.token}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_over_its_rate_limit_gets_403_with_code_429(site, fmt):
    services.client_update(actor=site.world.admin, client=site.client, per_minute=2)
    assert site.post(fmt).status_code == 200
    assert site.get("services", fmt, api_key=site.key).status_code == 200  # reads count too
    response = site.post(fmt)
    assert response.status_code == 403
    [(code, description)] = errors(response, fmt)
    assert code == "429" and description.startswith("Rate limit exceeded")
    assert 0 < int(response["Retry-After"]) <= 60
    assert Case.objects.count() == 1
    # Another client has its own allowance.
    assert site.post(fmt, api_key=site.hotline_key).status_code == 200


def test_the_hourly_limit_applies_too(site):
    services.client_update(actor=site.world.admin, client=site.client, per_hour=1)
    assert site.post().status_code == 200
    response = site.post()
    assert response.status_code == 403 and errors(response, "xml")[0][0] == "429"
    assert 0 < int(response["Retry-After"]) <= 3600


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_without_a_key_are_limited_per_address(site, fmt, settings):
    settings.GONGZHI = {**settings.GONGZHI, "OPEN311_ANONYMOUS_PER_MINUTE": 3}
    for _ in range(3):
        assert site.get("services", fmt).status_code == 200
    response = site.get("requests", fmt)
    assert response.status_code == 403 and errors(response, fmt)[0][0] == "429"
    assert site.get("services", fmt, api_key=site.key).status_code == 200  # a key has its own
    bad = site.get("services", fmt, api_key="nope")
    assert bad.status_code == 403 and errors(bad, fmt)[0][0] == "403"


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_to_a_single_request_is_400(site, fmt):
    case = site.created_case(site.post(fmt), fmt)
    response = site.http.post(site.url(f"requests/{case.number}", fmt), {"api_key": site.key})
    assert response.status_code == 400
    assert errors(response, fmt) == [("400", "This resource answers GET only.")]


def test_an_unexpected_failure_is_the_spec_general_error_not_a_500(site, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(case_services, "case_intake", broken)
    response = site.post("json")
    assert response.status_code == 400
    assert errors(response, "json") == [
        ("400", "General service error: the request could not be processed.")
    ]

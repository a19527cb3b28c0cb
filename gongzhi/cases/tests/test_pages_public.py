"""The public pages: a resident without an account reports a problem, gets a tracking code,
follows the progress and rates the outcome; POSTs are limited per address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.conftest import advance
from gongzhi.cases.tests.test_pages_support import (
    case_pages,  # noqa: F401  (autouse fixture)
    fresh,
    photo_upload,
)

pytestmark = pytest.mark.django_db
REPORT = reverse("cases:report")


def report_data(centre, **overrides):
    lat, lng = centre.point_in("a1")
    data = {
        "category": centre.garbage.pk,
        "type": "help",
        "description": "小区门口垃圾三天没人收",
        "lat": f"{lat:.7f}",
        "lng": f"{lng:.7f}",
        "reporter_name": "王小明",
        "reporter_phone": "13612345678",
    }
    data.update(overrides)
    return data


def test_the_report_page_is_open_to_everyone_and_linked_from_the_login_page(client, centre):
    response = client.get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-gz-map="pin"' in page
    assert "暴露垃圾" in page  # a public category
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{REPORT}"' in login
    assert "Report a problem" in login


def test_a_resident_reports_with_a_photo_and_gets_a_tracking_code(client, centre, world):
    response = client.post(REPORT, {**report_data(centre), "photos": photo_upload()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:track", args=[case.tracking_code]) + "?new=1"
    assert case.channel == Case.Channel.RESIDENT
    assert case.type == Case.Type.EVENT  # the category is an urban-management event
    assert case.grid == world.grids["a1"]
    assert case.reporter_user is None
    assert case.reporter_phone == "13612345678"
    assert case.photos.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert case.tracking_code in page
    assert "Thank you, your report was received." in page
    assert page.count('data-testid="photo-thumb"') == 1
    # The timeline says who received it without naming anybody.
    received = CaseEvent.objects.get(case=case, action="receive")
    assert received.actor is None


def test_a_logged_in_resident_reports_as_themselves(client, centre, world):
    client.force_login(world.resident)
    client.post(REPORT, report_data(centre))
    case = Case.objects.get()
    assert case.reporter_user == world.resident


def test_bad_reports_are_answered_next_to_the_fields_and_nothing_is_saved(client, centre):
    response = client.post(REPORT, report_data(centre, description="  "))
    assert response.status_code == 400
    assert 'data-testid="error-description"' in response.content.decode()
    response = client.post(REPORT, report_data(centre, lat="", lng=""))
    assert response.status_code == 400
    assert "Please mark the place on the map or give an address." in response.content.decode()
    response = client.post(REPORT, report_data(centre, lat="30.1", lng="120.1"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-location"' in page and "Outside the subdistrict." in page
    response = client.post(REPORT, report_data(centre, reporter_phone="call me"))
    assert response.status_code == 400
    assert 'data-testid="error-reporter_phone"' in response.content.decode()
    assert not Case.objects.exists()


def test_staff_only_categories_cannot_be_reported_by_the_public(client, centre):
    centre.garbage.public = False
    centre.garbage.save()
    response = client.post(REPORT, report_data(centre))
    assert response.status_code == 400
    assert 'data-testid="error-category"' in response.content.decode()
    assert not Case.objects.exists()


def test_reports_are_limited_per_address(client, centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_REPORTS_PER_HOUR": 2}
    for _ in range(2):
        assert client.post(REPORT, report_data(centre)).status_code == 302
    response = client.post(REPORT, report_data(centre))
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert Case.objects.count() == 2
    # Another address is not affected.
    other = client.post(REPORT, report_data(centre), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


# --- Following a report ------------------------------------------------------------------------


def test_the_tracking_page_shows_public_events_only(client, centre, world):
    case = centre.intake(reporter_name="王小明", reporter_phone="13612345678")
    case = advance(case, "accepted", centre)
    services.case_comment(actor=world.operator, case=case, note="内部备注：请城管加急")
    services.case_return(actor=world.handler, case=case, reason="内部退单原因")
    response = client.get(reverse("cases:track", args=[case.tracking_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Received" in page and "File" in page and "Dispatch" in page
    assert "内部备注" not in page and "内部退单原因" not in page
    # No names and no personal data.
    assert "王受理" not in page and "张城管" not in page
    assert "王小明" not in page and "13612345678" not in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_unknown_code_is_404_and_codes_are_case_insensitive(client, centre):
    case = centre.intake()
    assert client.get(reverse("cases:track", args=["NOTACODE99"])).status_code == 404
    lookup = client.post(reverse("cases:track_lookup"), {"code": case.tracking_code.lower()})
    assert lookup.status_code == 302
    assert lookup["Location"] == reverse("cases:track", args=[case.tracking_code])
    missing = client.post(reverse("cases:track_lookup"), {"code": "NOTACODE99"})
    assert missing.status_code == 404
    assert "No report has this tracking code." in missing.content.decode()


def test_lookups_are_limited_per_address(client, centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_LOOKUPS_PER_10_MIN": 3}
    for _ in range(3):
        client.post(reverse("cases:track_lookup"), {"code": "GUESS00000"})
    response = client.post(reverse("cases:track_lookup"), {"code": "GUESS00001"})
    assert response.status_code == 429


def test_a_merged_report_follows_the_case_it_joined(client, centre, world):
    master = advance(centre.intake(), "filed", centre)
    child = centre.intake(channel=Case.Channel.RESIDENT, type=Case.Type.HELP)
    services.case_merge(actor=world.operator, case=child, master=master)
    page = client.get(reverse("cases:track", args=[child.tracking_code])).content.decode()
    assert 'data-testid="merged-note"' in page
    assert master.number in page


# --- Rating ---------------------------------------------------------------------------------------


def test_the_reporter_rates_a_closed_case_by_its_code(client, centre):
    case = advance(centre.intake(), "closed", centre)
    url = reverse("cases:track", args=[case.tracking_code])
    page = client.get(url).content.decode()
    assert 'data-testid="rate-form"' in page
    rate = reverse("cases:rate", args=[case.tracking_code])
    # Without a choice: a field error, nothing changes.
    response = client.post(rate, {"expected_state": "closed"})
    assert response.status_code == 400
    assert 'data-testid="error-satisfaction"' in response.content.decode()
    assert fresh(case).state == Case.State.CLOSED
    response = client.post(
        rate, {"expected_state": "closed", "satisfaction": "satisfied", "note": "很快"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == Case.State.EVALUATED
    assert case.satisfaction == "satisfied"
    event = case.events.get(action="evaluate")
    assert event.actor is None and event.public
    page = client.get(url).content.decode()
    assert 'data-testid="rate-form"' not in page
    # Rating again (a stale page) loses, and says so.
    again = client.post(rate, {"expected_state": "closed", "satisfaction": "dissatisfied"})
    assert again.status_code == 409
    assert 'data-testid="conflict"' in again.content.decode()
    assert fresh(case).satisfaction == "satisfied"


def test_an_open_case_cannot_be_rated(client, centre):
    case = advance(centre.intake(), "accepted", centre)
    rate = reverse("cases:rate", args=[case.tracking_code])
    response = client.post(rate, {"expected_state": "accepted", "satisfaction": "satisfied"})
    assert response.status_code == 400
    assert fresh(case).state == Case.State.ACCEPTED
    assert (
        client.post(
            reverse("cases:rate", args=["NOTACODE99"]),
            {"expected_state": "closed", "satisfaction": "satisfied"},
        ).status_code
        == 404
    )


def test_ratings_are_limited_per_address(client, centre, settings):
    settings.GONGZHI = {**settings.GONGZHI, "PUBLIC_LOOKUPS_PER_10_MIN": 2}
    case = advance(centre.intake(), "accepted", centre)
    rate = reverse("cases:rate", args=[case.tracking_code])
    for _ in range(2):
        client.post(rate, {"expected_state": "accepted", "satisfaction": "satisfied"})
    assert client.post(rate, {"expected_state": "accepted"}).status_code == 429

"""The sharing pages through the test client, in Chinese: the resident applies, the liaison
draws, the guard checks a plate; refusals show the service's message and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.sharing.models import (
    AvailabilityWindow,
    Draw,
    GateEvent,
    Permit,
    PermitApplication,
    SharedResource,
)

from .factories import ApplicationFactory, SharedResourceFactory, WindowFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_resource_list_and_detail(world, car_park, permit):
    c = client_for(world.resident_a)
    page = c.get(reverse("sharing:index")).content.decode()
    assert car_park.name in page
    assert "沪A12345" in page  # her own permit
    detail = c.get(reverse("sharing:resource", args=[car_park.pk])).content.decode()
    assert "17:30–07:30" in detail
    assert 'data-testid="apply-link"' in detail
    assert 'data-testid="occupancy"' not in detail  # the chart is for the unit and the centre
    assert 'data-testid="applications"' not in detail


def test_the_unit_sees_the_chart_lists_and_forms(world, car_park, permit):
    page = client_for(world.liaison).get(reverse("sharing:resource", args=[car_park.pk]))
    html = page.content.decode()
    for testid in ("occupancy", "permits", "applications", "window-form", "draw-form"):
        assert f'data-testid="{testid}"' in html
    assert "echarts.min.js" in html


def test_a_resident_applies(world, car_park):
    c = client_for(world.resident_a)
    url = reverse("sharing:apply", args=[car_park.pk])
    form = c.get(url).content.decode()
    assert "居民甲" in form  # filled from her person
    r = c.post(
        url,
        {
            "name": "居民甲",
            "phone": "13812345678",
            "residential_area": world.area_a.pk,
            "plate": "沪ａ·12345",
            "vehicle_type": "car",
            "proof_note": "房产证",
        },
    )
    assert r.status_code == 302
    app = PermitApplication.objects.get()
    assert (app.plate, app.applicant_user, app.state) == ("沪A12345", world.resident_a, "submitted")


def test_a_malformed_plate_is_refused_on_the_form(world, car_park):
    r = client_for(world.resident_a).post(
        reverse("sharing:apply", args=[car_park.pk]),
        {
            "name": "居民甲",
            "residential_area": world.area_a.pk,
            "plate": "12345",
            "vehicle_type": "car",
        },
    )
    assert r.status_code == 200
    assert "省" in r.content.decode() or "沪" in r.content.decode()
    assert not PermitApplication.objects.exists()


def test_the_liaison_draws_and_anyone_re_runs(world, car_park):
    for _ in range(5):
        ApplicationFactory(resource=car_park, residential_area=world.area_a)
    c = client_for(world.liaison)
    r = c.post(
        reverse("sharing:draw_new", args=[car_park.pk]),
        {
            "seed": "20261207",
            "period_from": "2027-01-01",
            "period_to": "2027-12-31",
            "rules": ["served_area", "proof_of_residence"],
        },
    )
    draw = Draw.objects.get()
    assert r.url == reverse("sharing:draw", args=[draw.pk])
    assert draw.rules == ["served_area", "proof_of_residence"]
    assert Permit.objects.filter(draw=draw).count() == 5
    page = client_for(world.resident_a).get(reverse("sharing:draw", args=[draw.pk]) + "?rerun=1")
    html = page.content.decode()
    assert 'data-testid="rerun-result"' in html and "text-bg-success" in html
    assert "20261207" in html


def test_a_resident_cannot_draw_or_add_windows(world, car_park):
    c = client_for(world.resident_a)
    ApplicationFactory(resource=car_park, residential_area=world.area_a)
    r = c.post(
        reverse("sharing:draw_new", args=[car_park.pk]),
        {"seed": "x", "period_from": "2027-01-01", "period_to": "2027-12-31"},
    )
    assert r.status_code == 403
    r = c.post(
        reverse("sharing:window_add", args=[car_park.pk]),
        {"weekdays": [0], "start": "08:00", "end": "09:00"},
    )
    assert r.status_code == 403
    assert not Draw.objects.exists()
    assert AvailabilityWindow.objects.count() == 2


def test_the_guard_page(world, car_park, permit):
    c = client_for(world.liaison)
    assert c.get(reverse("sharing:gate")).status_code == 200
    r = c.post(
        reverse("sharing:gate"),
        {"resource": car_park.pk, "plate": "沪A12345", "at": "2026-12-07T18:00", "direction": "in"},
    )
    html = r.content.decode()
    assert 'data-allowed="true"' in html and "沪A·12345" in html
    r = c.post(
        reverse("sharing:gate"),
        {"resource": car_park.pk, "plate": "沪A12345", "at": "2026-12-08T08:00", "direction": "in"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert 'data-allowed="false"' in html and 'data-reason="outside_window"' in html
    assert "<html" not in html  # the fragment only
    r = c.post(
        reverse("sharing:gate"),
        {"resource": car_park.pk, "plate": "ABC", "direction": "in"},
    )
    assert r.status_code == 200 and 'data-reason="malformed_plate"' in r.content.decode()
    assert GateEvent.objects.count() == 3


def test_the_gate_page_is_refused_to_residents_and_other_units(world, car_park):
    assert client_for(world.resident_a).get(reverse("sharing:gate")).status_code == 403
    other = SharedResourceFactory(owner=world.orgs["chengguan"])
    r = client_for(world.liaison).post(
        reverse("sharing:gate"), {"resource": other.pk, "plate": "沪A12345", "direction": "in"}
    )
    assert "data-allowed" not in r.content.decode()  # not one of the liaison's car parks
    assert not GateEvent.objects.filter(resource=other).exists()


def test_booking_page_and_clash_message(world):
    hall = SharedResourceFactory(
        owner=world.orgs["school"], kind=SharedResource.Kind.HALL, name="报告厅", capacity=100
    )
    WindowFactory(resource=hall, weekdays=[5, 6], start=dt.time(8, 30), end=dt.time(17))
    c = client_for(world.secretary)
    url = reverse("sharing:book", args=[hall.pk])
    data = {
        "title": "主题党日",
        "starts_at": "2026-12-12T09:00",
        "ends_at": "2026-12-12T11:00",
        "attendees": 40,
    }
    assert c.post(url, data).status_code == 302
    r = c.post(url, {**data, "title": "读书会"})
    assert r.status_code == 200 and "主题党日" in r.content.decode()
    html = client_for(world.liaison).get(reverse("sharing:resource", args=[hall.pk])).content
    assert "主题党日" in html.decode()


def test_permit_page_actions(world, permit):
    c = client_for(world.liaison)
    r = c.post(reverse("sharing:permit_act", args=[permit.pk, "suspend"]), {"note": "违规转借"})
    assert r.status_code == 302
    assert Permit.objects.get(pk=permit.pk).state == "suspended"
    r = client_for(world.resident_a).post(
        reverse("sharing:permit_act", args=[permit.pk, "reinstate"])
    )
    assert r.status_code == 403
    assert (
        client_for(world.resident_a).get(reverse("sharing:permit", args=[permit.pk])).status_code
        == 200
    )
    assert (
        client_for(world.other_secretary)
        .get(reverse("sharing:permit", args=[permit.pk]))
        .status_code
        == 404
    )


def test_home_panels(world, car_park, permit):
    html = client_for(world.liaison).get(reverse("core:home")).content.decode()
    assert 'data-testid="panel-sharing_liaison"' in html
    html = client_for(world.resident_a).get(reverse("core:home")).content.decode()
    assert 'data-testid="panel-sharing_resident"' in html and "沪A12345" in html


def test_the_liaison_shares_and_changes_a_resource(world):
    c = client_for(world.liaison)
    assert 'data-testid="new-resource"' in c.get(reverse("sharing:index")).content.decode()
    form = c.get(reverse("sharing:resource_new")).content.decode()
    assert world.orgs["school"].name in form and world.orgs["chengguan"].name not in form
    data = {
        "owner": world.orgs["school"].pk,
        "kind": "hall",
        "name": "学校报告厅",
        "address": "梅岭北路",
        "capacity": 200,
        "rules": "",
        "violations_to_suspend": 3,
        "follows_school_calendar": "on",
        "areas": [world.area_a.pk],
    }
    r = c.post(reverse("sharing:resource_new"), data)
    hall = SharedResource.objects.get(name="学校报告厅")
    assert r.url == reverse("sharing:resource", args=[hall.pk])
    assert list(hall.areas.all()) == [world.area_a]
    r = c.post(
        reverse("sharing:resource_edit", args=[hall.pk]), {**data, "capacity": 180, "areas": []}
    )
    hall.refresh_from_db()
    assert hall.capacity == 180 and not hall.areas.exists()
    # Another unit's owner is refused even when posted by hand.
    r = c.post(reverse("sharing:resource_new"), {**data, "owner": world.orgs["chengguan"].pk})
    assert r.status_code == 200 and SharedResource.objects.count() == 1
    for persona in ("resident_a", "secretary", "operator"):
        other = client_for(world.users[persona])
        assert other.get(reverse("sharing:resource_new")).status_code == 403
        assert other.post(reverse("sharing:resource_edit", args=[hall.pk]), data).status_code == 403


def test_the_liaison_reveals_an_applicants_phone_and_it_is_logged(world, car_park):
    from gongzhi.audit.models import AuditEvent

    app = ApplicationFactory(resource=car_park, residential_area=world.area_a, phone="13812345678")
    html = client_for(world.liaison).get(reverse("sharing:resource", args=[car_park.pk])).content
    assert "138****5678" in html.decode() and "13812345678" not in html.decode()
    r = client_for(world.liaison).post(reverse("sharing:application_phone", args=[app.pk]))
    assert "13812345678" in r.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(app.pk)).count() == 1
    # The centre reads the application but not the full number: refused, and logged.
    r = client_for(world.operator).post(reverse("sharing:application_phone", args=[app.pk]))
    assert r.status_code == 403 and "13812345678" not in r.content.decode()
    assert AuditEvent.objects.filter(action="denied", object_id=str(app.pk)).count() == 1
    r = client_for(world.other_secretary).post(reverse("sharing:application_phone", args=[app.pk]))
    assert r.status_code == 404


def test_a_proof_of_residence_upload_is_private_and_logged(world, car_park, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.audit.models import AuditEvent
    from gongzhi.sharing.models import ProofDocument

    settings.MEDIA_ROOT = tmp_path
    c = client_for(world.resident_a)
    data = {
        "name": "居民甲",
        "residential_area": world.area_a.pk,
        "plate": "沪A12345",
        "vehicle_type": "car",
    }
    bad = SimpleUploadedFile("proof.exe", b"MZ", content_type="application/octet-stream")
    r = c.post(reverse("sharing:apply", args=[car_park.pk]), {**data, "proof_upload": bad})
    assert r.status_code == 200 and "PDF" in r.content.decode()
    assert not PermitApplication.objects.exists() and not ProofDocument.objects.exists()
    good = SimpleUploadedFile("房产证.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = c.post(reverse("sharing:apply", args=[car_park.pk]), {**data, "proof_upload": good})
    assert r.status_code == 302
    doc = ProofDocument.objects.get()
    url = reverse("sharing:proof", args=[doc.pk])
    html = client_for(world.liaison).get(reverse("sharing:resource", args=[car_park.pk])).content
    assert url in html.decode()
    r = client_for(world.liaison).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert c.get(url).status_code == 200
    for persona in ("operator", "leader", "secretary", "other_secretary"):
        assert client_for(world.users[persona]).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="reveal", object_id=str(doc.pk)).count() == 2


def test_the_back_office_lists_sharing_read_only_and_masked(world, car_park, permit):
    ApplicationFactory(resource=car_park, residential_area=world.area_a, phone="13812345678")
    c = client_for(world.admin)
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    for model in ("sharedresource", "permitapplication", "permit", "gateevent", "draw"):
        r = c.get(f"/admin/sharing/{model}/")
        assert r.status_code == 200, model
    html = c.get("/admin/sharing/permitapplication/").content.decode()
    assert "13812345678" not in html and "138****5678" in html


def test_a_resource_is_listed_only_as_its_own_units_alliance_entry(world, car_park):
    from gongzhi.alliance.tests.factories import ResourceFactory
    from gongzhi.core.errors import ServiceError
    from gongzhi.sharing import services

    own = ResourceFactory(owner=world.orgs["school"], kind="parking", title="学校停车场错时开放")
    other = ResourceFactory(owner=world.orgs["chengguan"], kind="parking", title="城管停车场")
    with pytest.raises(ServiceError, match="所属单位自己的资源清单"):
        services.resource_update(actor=world.liaison, resource=car_park, listing=other)
    car_park.refresh_from_db()
    assert car_park.listing is None
    services.resource_update(actor=world.liaison, resource=car_park, listing=own)
    # A resident reads which entry it is; only those who may open the entry get the link.
    client = Client()
    client.force_login(world.resident_a)
    html = client.get(reverse("sharing:resource", args=[car_park.pk])).content.decode()
    assert "学校停车场错时开放" in html
    link = reverse("alliance:resource", args=[own.pk])
    client.force_login(world.liaison)
    assert link in client.get(reverse("sharing:resource", args=[car_park.pk])).content.decode()

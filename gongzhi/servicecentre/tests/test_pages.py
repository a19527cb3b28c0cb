"""The service network's pages with the test client: who reaches what, and every form's bad
input shown as a message with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.servicecentre import services
from gongzhi.servicecentre.models import Event, Menu, Order, Registration, Volunteer

from .factories import EventFactory, MenuFactory, next_month

pytestmark = pytest.mark.django_db
R = Registration.State


def _msgs(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_public_event_pages_need_no_login(client, net):
    event = EventFactory(point=net.building, title="午间瑜伽")
    r = client.get(reverse("servicecentre:events"))
    assert r.status_code == 200 and "午间瑜伽" in r.content.decode()
    r = client.get(reverse("servicecentre:event", args=[event.pk]))
    assert r.status_code == 200
    assert reverse("accounts:login") in r.content.decode()
    r = client.post(reverse("servicecentre:register", args=[event.pk]))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]
    assert not Registration.objects.exists()
    cancelled = EventFactory(point=net.building, state=Event.State.CANCELLED)
    assert client.get(reverse("servicecentre:event", args=[cancelled.pk])).status_code == 404


def test_register_show_code_cancel_on_the_page(client, net):
    event = EventFactory(point=net.building, capacity=1)
    client.force_login(net.office_worker)
    url = reverse("servicecentre:event", args=[event.pk])
    r = client.post(reverse("servicecentre:register", args=[event.pk]), follow=True)
    reg = Registration.objects.get(user=net.office_worker)
    page = r.content.decode()
    assert reg.state == R.REGISTERED and reg.code in page and "<svg" in page
    # Posting again changes nothing.
    client.post(reverse("servicecentre:register", args=[event.pk]))
    assert Registration.objects.count() == 1
    r = client.post(reverse("servicecentre:cancel", args=[reg.pk]), follow=True)
    reg.refresh_from_db()
    assert reg.state == R.CANCELLED and r.redirect_chain[-1][0] == url


def test_someone_elses_registration_is_missing(client, world, net):
    event = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    client.force_login(world.resident_a)
    assert client.post(reverse("servicecentre:cancel", args=[reg.pk])).status_code == 404
    assert (
        client.post(reverse("servicecentre:feedback", args=[reg.pk]), {"rating": 5}).status_code
        == 404
    )
    reg.refresh_from_db()
    assert reg.state == R.REGISTERED


def test_check_in_desk(client, world, net):
    event = EventFactory(point=net.building)
    other = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    other_reg, _ = services.register(actor=world.resident_a, event=other)
    url = reverse("servicecentre:check_in", args=[event.pk])
    for who in (net.office_worker, net.other_station_staff):
        client.force_login(who)
        assert client.get(url).status_code == 403
    client.force_login(net.station_staff)
    r = client.get(url)
    assert r.status_code == 200 and reg.mobile not in r.content.decode() if reg.mobile else True
    r = client.post(url, {"code": other_reg.code})
    assert r.status_code == 400 and "check-in-error" in r.content.decode()
    assert "该签到码属于其他活动" in r.content.decode()  # in the user's language
    r = client.post(url, {"code": ""})
    assert r.status_code == 400
    r = client.post(url, {"code": reg.code})
    assert r.status_code == 200 and "check-in-done" in r.content.decode()
    r = client.post(url, {"code": reg.code})
    assert r.status_code == 400
    reg.refresh_from_db()
    other_reg.refresh_from_db()
    assert reg.state == R.ATTENDED and other_reg.state == R.REGISTERED


def test_feedback_and_become_volunteer_on_the_event_page(client, world, net):
    event = EventFactory(point=net.building)
    reg, _ = services.register(actor=net.office_worker, event=event)
    services.check_in(actor=world.service_staff, event=event, code=reg.code)
    client.force_login(net.office_worker)
    page = client.get(reverse("servicecentre:event", args=[event.pk])).content.decode()
    assert "feedback-form" in page and "become-volunteer" in page
    r = client.post(reverse("servicecentre:feedback", args=[reg.pk]), {"rating": "9"}, follow=True)
    assert _msgs(r) and not hasattr(Registration.objects.get(pk=reg.pk), "feedback_cache")
    client.post(reverse("servicecentre:feedback", args=[reg.pk]), {"rating": "5", "comment": "好"})
    assert reg.feedback.rating == 5
    client.post(reverse("servicecentre:volunteer_join"), {"event": event.pk, "skills": "急救"})
    vol = Volunteer.objects.get(user=net.office_worker)
    assert vol.joined_from == event and vol.skills == "急救"


def test_menu_pages_for_the_centre_and_the_stations(client, world, net):
    menus = reverse("servicecentre:menus")
    client.force_login(world.resident_a)
    assert client.get(menus).status_code == 403
    client.force_login(world.service_staff)
    assert client.get(menus).status_code == 200
    month = next_month(net.menu.month)
    r = client.post(menus, {"month": "13/2020"}, follow=True)
    assert _msgs(r) and Menu.objects.count() == 1
    client.post(menus, {"month": f"{month:%Y-%m}"})
    draft = Menu.objects.get(month=month)
    client.post(reverse("servicecentre:menu_add_item", args=[draft.pk]), {"item": "x"})
    assert not draft.items.exists()
    client.post(reverse("servicecentre:menu_add_item", args=[draft.pk]), {"item": net.lecture.pk})
    client.post(reverse("servicecentre:menu_publish", args=[draft.pk]), {"state": "draft"})
    draft.refresh_from_db()
    assert draft.state == Menu.State.PUBLISHED and draft.items.count() == 1
    # A station sees published menus only and orders for itself.
    client.force_login(net.station_staff)
    unpublished = MenuFactory(month=next_month(month))
    assert client.get(reverse("servicecentre:menu", args=[unpublished.pk])).status_code == 404
    page = client.get(reverse("servicecentre:menu", args=[net.menu.pk])).content.decode()
    assert "order-form" in page and "中环大厦党建服务站" in page
    order_url = reverse("servicecentre:order_place", args=[net.menu.pk])
    day = net.menu.month.replace(day=9)
    bad = {
        "menu_item": net.lecture_on_menu.pk,
        "station": net.building.pk,
        "proposed_on": "someday",
        "starts_at": "12:00",
    }
    r = client.post(order_url, bad, follow=True)
    assert _msgs(r) and not Order.objects.exists()
    r = client.post(
        order_url, {**bad, "station": net.residential.pk, "proposed_on": day}, follow=True
    )
    assert _msgs(r) and not Order.objects.exists()
    client.post(order_url, {**bad, "proposed_on": day})
    order = Order.objects.get()
    assert order.station == net.building
    # The centre schedules it; a clash is shown before and refused on submit.
    client.force_login(world.service_staff)
    start = f"{day:%Y-%m-%d}T12:00"
    r = client.get(reverse("servicecentre:order_clashes", args=[order.pk]), {"starts_at": start})
    assert "no-clash" in r.content.decode()
    r = client.get(reverse("servicecentre:order_clashes", args=[order.pk]), {"starts_at": "bad"})
    assert r.status_code == 200
    EventFactory(
        item=net.lecture,
        point=net.residential,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(11, 30))),
    )
    r = client.get(reverse("servicecentre:order_clashes", args=[order.pk]), {"starts_at": start})
    assert "clash-list" in r.content.decode() and "普陀区中心医院" in r.content.decode()
    act = reverse("servicecentre:order_act", args=[order.pk, "schedule"])
    r = client.post(act, {"starts_at": start}, follow=True)
    assert _msgs(r)
    order.refresh_from_db()
    assert order.state == Order.State.ORDERED
    client.post(act, {"starts_at": f"{day:%Y-%m-%d}T14:00", "room": net.building_room.pk})
    order.refresh_from_db()
    assert order.state == Order.State.SCHEDULED and order.event.room == net.building_room
    assert (
        client.post(reverse("servicecentre:order_act", args=[order.pk, "nonsense"])).status_code
        == 404
    )


def test_other_station_does_not_see_an_order(client, net):
    order = services.order_place(
        actor=net.station_staff,
        menu_item=net.lecture_on_menu,
        station=net.building,
        proposed_on=net.menu.month.replace(day=9),
        starts_at="12:00",
    )
    client.force_login(net.other_station_staff)
    assert (
        client.post(reverse("servicecentre:order_act", args=[order.pk, "withdraw"])).status_code
        == 404
    )
    page = client.get(reverse("servicecentre:menu", args=[net.menu.pk])).content.decode()
    assert 'data-testid="order"' not in page


def test_volunteer_pages_and_certificate(client, world, net):
    client.force_login(net.office_worker)
    r = client.get(reverse("servicecentre:volunteers"))
    assert r.status_code == 200 and "join" in r.content.decode()
    client.post(reverse("servicecentre:volunteer_join"), {"skills": "x" * 300})
    assert not Volunteer.objects.exists()
    client.post(reverse("servicecentre:volunteer_join"), {"skills": "交通指挥"})
    vol = Volunteer.objects.get()
    r = client.get(reverse("servicecentre:certificate", args=[vol.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert client.get(reverse("servicecentre:volunteer_desk")).status_code == 403
    client.force_login(world.resident_a)
    assert client.get(reverse("servicecentre:certificate", args=[vol.pk])).status_code == 404
    client.force_login(world.service_staff)
    r = client.get(reverse("servicecentre:volunteer_desk"))
    assert r.status_code == 200
    r = client.post(
        reverse("servicecentre:volunteer_desk"),
        {"title": "", "organiser": net.residential.pk, "starts_on": "x"},
        follow=True,
    )
    assert _msgs(r)


def test_stats_page(client, world, net):
    EventFactory(point=net.building)
    client.force_login(world.leader)
    for by in ("station", "item", "programme", "month", "nonsense"):
        assert client.get(reverse("servicecentre:stats"), {"by": by}).status_code == 200
    client.force_login(world.resident_a)
    assert client.get(reverse("servicecentre:stats")).status_code == 403


def test_service_staff_finds_their_work_on_the_home_page(client, world, net):
    services.order_place(
        actor=net.station_staff,
        menu_item=net.lecture_on_menu,
        station=net.building,
        proposed_on=net.menu.month.replace(day=9),
        starts_at="12:00",
    )
    client.force_login(world.service_staff)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="panel-service_staff"' in page
    assert 'data-testid="figure-orders" data-count="1"' in page
    assert reverse("servicecentre:menus") in page
    client.force_login(world.resident_a)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="panel-service_staff"' not in page
    assert 'data-testid="panel-service_mine"' in page


def test_service_points_page(client, world, net):
    client.force_login(net.station_staff)
    page = client.get(reverse("servicecentre:points")).content.decode()
    assert "白领之家" in page and "中环大厦党建服务站" in page and "station_staff" in page
    client.force_login(world.resident_a)
    assert client.get(reverse("servicecentre:points")).status_code == 403


def test_every_figure_on_the_home_panel_opens_for_whoever_sees_it(client, world, net):
    import re

    for user in (world.service_staff, net.station_staff, world.leader):
        client.force_login(user)
        page = client.get(reverse("core:home")).content.decode()
        panel = page.split('data-testid="panel-service_staff"', 1)[1].split("</section>", 1)[0]
        urls = re.findall(r'href="([^"]+)"[^>]*data-testid="figure-', panel)
        assert len(urls) >= 3
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


def test_the_events_staff_add_photos_without_their_location_data(client, world, net):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from gongzhi.audit.models import AuditEvent
    from gongzhi.cases.tests.test_pages_support import jpeg_bytes
    from gongzhi.servicecentre.models import EventPhoto

    event = EventFactory(point=net.building)
    url = reverse("servicecentre:photos_add", args=[event.pk])
    page = reverse("servicecentre:event", args=[event.pk])

    def upload(data=None, name="a.jpg"):
        return SimpleUploadedFile(name, data or jpeg_bytes(gps=True), content_type="image/jpeg")

    # Someone who does not run the event, and a file that is not an image: refused, nothing kept.
    client.force_login(net.other_station_staff)
    client.post(url, {"photos": [upload()]})
    client.force_login(net.station_staff)
    r = client.post(url, {"photos": [upload(b"<script>alert(1)</script>", "x.jpg")]}, follow=True)
    assert not EventPhoto.objects.exists()
    assert "只能上传照片" in r.content.decode()  # the reason, in the user's language
    r = client.post(url, {"photos": [upload(), upload()]}, follow=True)
    assert r.status_code == 200
    [one, two] = EventPhoto.objects.filter(event=event)
    assert AuditEvent.objects.for_object(one).filter(action="create").exists()
    # What anyone sees has no location or camera data left.
    client.logout()
    html = client.get(page).content.decode()
    assert reverse("servicecentre:photo", args=[one.pk, "thumb"]) in html
    body = b"".join(
        client.get(reverse("servicecentre:photo", args=[one.pk, "full"])).streaming_content
    )
    with Image.open(BytesIO(body)) as img:
        assert not img.getexif()
    assert "photos-form" not in html  # the upload form is for the event's staff only

"""The off-peak parking journey in a real browser: a resident applies on her phone, the school's
liaison draws the lottery, the resident sees her permit, and the guard's page on a phone lets the
car in at 18:00 and refuses it at 08:00."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongzhi.sharing.models import Permit

from .factories import school_car_park

pytestmark = [pytest.mark.browser]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url},
        ]
    )


def test_a_resident_gets_a_permit_and_the_gate_lets_the_car_in_at_18_and_not_at_8(
    transactional_db, live_server, page, phone_page, world
):
    car_park = school_car_park(world.orgs["school"], areas=[world.area_a])
    permit_and_gate(live_server, page, phone_page, world, car_park)


def test_from_the_areas_need_to_the_car_let_in_at_18_and_refused_at_8(
    transactional_db, live_server, page, phone_page, world
):
    """The whole off-peak parking story: the area posts a need, the matcher suggests the
    school's car park, the match becomes a project that is agreed and started; the car park is
    lent through the shared resources as that same list entry; a resident gets a permit and the
    gate lets the car in at 18:00 and refuses it at 08:00."""
    from gongzhi.alliance.models import Resource
    from gongzhi.alliance.tests.test_browser_journey import need_to_running_project

    project = need_to_running_project(page, live_server, world)
    listed = Resource.objects.get(pk=project.resource_id)
    assert listed.kind == "parking" and listed.owner == world.orgs["school"]
    car_park = school_car_park(world.orgs["school"], areas=[world.area_a], listing=listed)
    # The liaison sees the shared car park as the alliance's entry, with a link to it.
    _login(page, live_server, world.liaison)
    page.goto(live_server.url + reverse("sharing:resource", args=[car_park.pk]))
    link = page.get_by_test_id("listing").get_by_role("link", name=listed.title)
    assert link.get_attribute("href") == reverse("alliance:resource", args=[listed.pk])
    permit_and_gate(live_server, page, phone_page, world, car_park)


def permit_and_gate(live_server, page, phone_page, world, car_park):
    errors: list[str] = []
    phone_page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The resident applies on her phone.
    _login(phone_page, live_server, world.resident_a)
    phone_page.goto(live_server.url + reverse("sharing:resource", args=[car_park.pk]))
    assert "17:30–07:30" in phone_page.get_by_test_id("windows").inner_text()
    phone_page.get_by_test_id("apply-link").click()
    phone_page.fill("#id_phone", "13812345678")
    phone_page.fill("#id_plate", "沪a 12345")
    phone_page.fill("#id_proof_note", "房产证")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="提交申请").click()
    assert "沪A12345" in phone_page.get_by_test_id("my-permits").inner_text()

    # The school's liaison draws the lottery.
    _login(page, live_server, world.liaison)
    page.goto(live_server.url + reverse("sharing:resource", args=[car_park.pk]))
    page.fill("#id_period_from", "2026-12-01")
    page.fill("#id_period_to", "2027-06-30")
    with page.expect_navigation():
        page.get_by_role("button", name="摇号并公示").click()
    assert "已中签" in page.get_by_test_id("draw-result").inner_text()
    page.get_by_test_id("rerun").click()
    assert "一致" in page.get_by_test_id("rerun-result").inner_text()
    permit = Permit.objects.get(plate="沪A12345")
    assert permit.holder_user == world.resident_a

    # The resident sees her permit.
    phone_page.goto(live_server.url + reverse("sharing:index"))
    assert "有效" in phone_page.get_by_test_id("my-permits").inner_text()

    # The guard's page on a phone: in at 18:00, refused at 08:00 (school hours).
    _login(phone_page, live_server, world.liaison)
    phone_page.goto(live_server.url + reverse("sharing:gate"))

    def check(when: str) -> tuple[str, str]:
        phone_page.fill("#id_plate", "沪A12345")
        phone_page.fill("#id_at", when)
        phone_page.get_by_test_id("gate-submit").click()
        verdict = phone_page.locator(f"[data-testid=gate-verdict]:has-text('{when[-5:]}')")
        verdict.wait_for()
        return verdict.get_attribute("data-allowed") or "", verdict.inner_text()

    allowed, text = check("2026-12-07T18:00")
    assert allowed == "true" and "放行" in text and "沪A·12345" in text
    allowed, text = check("2026-12-08T08:00")
    assert allowed == "false" and "不在开放时段内" in text and "17:30" in text
    box = phone_page.get_by_test_id("gate-verdict").bounding_box()
    assert box["width"] <= phone_page.viewport_size["width"]
    assert errors == []

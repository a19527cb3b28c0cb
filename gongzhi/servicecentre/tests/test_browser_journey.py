"""The service network's main journey in a real browser: the centre publishes the month's menu,
a building station orders an item for a date, the centre schedules it (the page says there is no
clash), an office worker registers on a phone and gets a check-in code, the centre checks her in
by that code, she rates the event and becomes a volunteer in one step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.servicecentre.models import Event, Feedback, Menu, Order, Registration, Volunteer
from gongzhi.testing.browser import login

from .factories import build_network

pytestmark = [pytest.mark.browser]


def _as(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    p.base_url = live_server.url
    login(p, username, PASSWORD)
    return p


def test_menu_order_schedule_register_check_in_rate_volunteer(
    transactional_db, browser, page, phone_page, live_server, world
):
    net = build_network(world, published=False)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = live_server.url

    # The centre publishes the menu.
    login(page, "service_staff", PASSWORD)
    page.goto(url + reverse("core:home"))
    assert page.get_by_test_id("panel-service_staff").is_visible()
    page.goto(url + reverse("servicecentre:menus"))
    page.get_by_test_id("menu-link").first.click()
    page.get_by_test_id("publish").click()
    page.wait_for_selector("[data-testid=menu-state][data-state=published]")
    assert Menu.objects.get(pk=net.menu.pk).state == Menu.State.PUBLISHED

    # A building station orders the lecture for the 9th.
    station = _as(browser, live_server, "station_staff")
    station.goto(url + reverse("servicecentre:menu", args=[net.menu.pk]))
    row = station.get_by_test_id("menu-item").filter(has_text=net.lecture.title)
    row.locator("summary").click()
    day = net.menu.month.replace(day=9)
    form = row.get_by_test_id("order-form")
    form.locator("input[name=proposed_on]").fill(f"{day:%Y-%m-%d}")
    form.locator("input[name=starts_at]").fill("12:00")
    with station.expect_navigation():
        form.locator("button[type=submit]").click()
    order = Order.objects.get()
    assert order.station == net.building and order.proposed_on == day

    # The centre schedules it in the station's room: no clash.
    page.goto(url + reverse("servicecentre:menu", args=[net.menu.pk]))
    schedule = page.get_by_test_id("schedule-form")
    schedule.locator("select[name=room]").select_option(str(net.building_room.pk))
    page.wait_for_selector("[data-testid=no-clash]")
    with page.expect_navigation():
        schedule.get_by_test_id("schedule").click()
    event = Event.objects.get(order=order)
    assert event.room == net.building_room

    # An office worker registers on her phone and gets her code.
    login(phone_page, "office_worker", PASSWORD)
    phone_page.goto(url + reverse("servicecentre:events"))
    phone_page.get_by_test_id("event-row").filter(has_text=event.title).click()
    phone_page.get_by_test_id("register").click()
    phone_page.wait_for_selector("[data-testid=reg-state][data-state=registered]")
    code = phone_page.get_by_test_id("check-in-code").inner_text().strip()
    assert phone_page.locator("[data-testid=qr] svg").is_visible()
    reg = Registration.objects.get(event=event, user=net.office_worker)
    assert code == reg.code

    # The centre checks her in at the desk by typing the code.
    page.goto(url + reverse("servicecentre:check_in", args=[event.pk]))
    page.fill("#code", code)
    page.get_by_role("button", name="签到", exact=True).click()
    page.wait_for_selector("[data-testid=check-in-done]")
    assert page.get_by_test_id("count-attended").inner_text() == "1"

    # She rates it and becomes a volunteer in one step.
    phone_page.reload()
    phone_page.wait_for_selector("[data-testid=reg-state][data-state=attended]")
    phone_page.select_option("#rating", "5")
    phone_page.fill("#comment", "午休时间正好，讲得实用。")
    with phone_page.expect_navigation():
        phone_page.get_by_test_id("feedback-form").locator("button[type=submit]").click()
    assert phone_page.get_by_test_id("my-rating").is_visible()
    with phone_page.expect_navigation():
        phone_page.get_by_test_id("become-volunteer").locator("button[type=submit]").click()
    phone_page.wait_for_selector("[data-testid=volunteer-profile]")
    assert Feedback.objects.get(registration=reg).rating == 5
    vol = Volunteer.objects.get(user=net.office_worker)
    assert vol.joined_from == event
    assert errors == []

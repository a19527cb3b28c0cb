"""Notices of the service network: the reminder before an event (once, through the notification
backends), the person who moves up from the waiting list, the stations when the menu is
published and when their order is scheduled or declined."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.notifications.models import Notification
from gongzhi.servicecentre import notices, services
from gongzhi.servicecentre.models import Event

from .factories import EventFactory, MenuFactory, next_month

pytestmark = pytest.mark.django_db


def _sent(user, template):
    return Notification.objects.filter(recipient=user, template=template, channel="in_app")


def test_reminder_before_the_event_is_sent_once(net):
    soon = EventFactory(point=net.building, starts_at=timezone.now() + dt.timedelta(hours=5))
    later = EventFactory(point=net.building, starts_at=timezone.now() + dt.timedelta(days=3))
    reg, _ = services.register(actor=net.office_worker, event=soon, mobile="13800001111")
    services.register(actor=net.office_worker, event=later)
    result = notices.remind()
    assert result == {"events": 1, "people": 1}
    row = _sent(net.office_worker, "event_reminder").get()
    assert soon.title in row.subject and reg.code in row.body
    assert Notification.objects.filter(
        template="event_reminder", channel="sms", to_address="13800001111"
    ).exists()
    assert notices.remind() == {"events": 0, "people": 0}
    assert Event.objects.get(pk=soon.pk).reminded_at is not None


def test_promoted_person_is_told(net, django_capture_on_commit_callbacks):
    event = EventFactory(point=net.building, capacity=1)
    first, second = UserFactory(), UserFactory()
    r1, _ = services.register(actor=first, event=event)
    services.register(actor=second, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(actor=first, registration=r1)
    assert _sent(second, "registration_promoted").count() == 1
    assert not _sent(first, "registration_promoted").exists()


def test_stations_hear_of_the_menu_and_their_orders(world, net, django_capture_on_commit_callbacks):
    draft = MenuFactory(month=next_month(net.menu.month))
    services.menu_add_item(actor=world.service_staff, menu=draft, item=net.lecture)
    with django_capture_on_commit_callbacks(execute=True):
        services.menu_publish(actor=world.service_staff, menu=draft)
    assert _sent(net.station_staff, "menu_published").count() == 1
    assert _sent(net.other_station_staff, "menu_published").count() == 1
    order = services.order_place(
        actor=net.station_staff,
        menu_item=net.lecture_on_menu,
        station=net.building,
        proposed_on=net.menu.month.replace(day=9),
        starts_at="12:00",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_schedule(actor=world.service_staff, order=order)
    assert _sent(net.station_staff, "order_scheduled").count() == 1
    assert not _sent(net.other_station_staff, "order_scheduled").exists()
    other = services.order_place(
        actor=net.other_station_staff,
        menu_item=net.workshop_on_menu,
        station=net.residential,
        proposed_on=net.menu.month.replace(day=9),
        starts_at="09:30",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_decline(actor=world.service_staff, order=other, note="讲师本月已排满。")
    row = _sent(net.other_station_staff, "order_declined").get()
    assert "讲师本月已排满" in row.body

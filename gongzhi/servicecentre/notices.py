"""Who hears of what in the service network: the audiences the action tables name (the person
registered, a station's staff), and the reminder before each event (a periodic task through
the notification backends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import events
from gongzhi.core.tasks import task
from gongzhi.core.text import as_clause
from gongzhi.notifications.services import notify

from .models import Event, Menu, Order, Registration, ServiceLog, ServicePoint
from .workflow import WORKFLOWS

REMIND_BEFORE = dt.timedelta(hours=24)


def _when(event: Event) -> str:
    return f"{timezone.localtime(event.starts_at):%Y-%m-%d %H:%M}"


def _place(event: Event) -> str:
    return (
        f"{event.point} · {event.room.name}" if event.room_id and event.room else str(event.point)
    )


def event_context(event: Event) -> dict[str, Any]:
    return {"title": event.title, "when": _when(event), "place": _place(event)}


def tell_registrant(reg: Registration, message: str, *, sms: bool = False) -> None:
    event = reg.event
    notify(
        template=message,
        context={**event_context(event), "code": reg.code},
        user=reg.user,
        phone=reg.mobile,
        channels=("in_app", "sms") if sms else ("in_app",),
        link=reverse("servicecentre:event", args=[event.pk]),
        target=reg,
    )


def station_staff(point_ids: Iterable[int] | None = None) -> list[User]:
    """The logins of the people holding positions at the given service points (every station
    when None)."""
    points = ServicePoint.objects.active().exclude(kind=ServicePoint.Kind.CENTRE)
    if point_ids is not None:
        points = points.filter(pk__in=list(point_ids))
    orgs = list(points.values_list("organisation_id", flat=True))
    return list(
        User.objects.filter(
            is_active=True,
            person__positions__organisation_id__in=orgs,
            person__positions__archived_at__isnull=True,
        ).distinct()
    )


def _tell_users(
    users: Iterable[User], message: str, context: dict[str, Any], link: str, target: Any
) -> None:
    for user in users:
        notify(
            template=message,
            context=context,
            user=user,
            channels=("in_app",),
            link=link,
            target=target,
        )


def _menu_published(menu: Menu, message: str, note: str) -> None:
    _tell_users(
        station_staff(),
        message,
        {"month": f"{menu.month:%Y-%m}"},
        reverse("servicecentre:menu", args=[menu.pk]),
        menu,
    )


def _order_notice(order: Order, message: str, note: str) -> None:
    event = Event.objects.filter(order=order).select_related("point__organisation", "room").first()
    ctx: dict[str, Any] = {
        "title": order.menu_item.item.title,
        "station": str(order.station),
        "note": as_clause(note),
        "when": _when(event) if event else f"{order.proposed_on:%Y-%m-%d}",
        "place": _place(event) if event else str(order.station),
    }
    _tell_users(
        station_staff([order.station_id]),
        message,
        ctx,
        reverse("servicecentre:menu", args=[order.menu_item.menu_id]),
        order,
    )


@events.subscribe("menu.*", after_commit=True, key="servicecentre.notices.menu")
def on_menu(event: events.Event) -> None:
    _after_action("menu", Menu.objects.get(pk=event["menu_id"]), event, _menu_published)


@events.subscribe(
    "order.*", after_commit=True, when=lambda e: "order_id" in e.data and "action" in e.data
)
def on_order(event: events.Event) -> None:
    order = Order.objects.select_related("menu_item__item", "station__organisation").get(
        pk=event["order_id"]
    )
    _after_action("order", order, event, _order_notice)


@events.subscribe("registration.promote", after_commit=True)
def on_promoted(event: events.Event) -> None:
    reg = Registration.objects.select_related(
        "event__point__organisation", "event__room", "user"
    ).get(pk=event["registration_id"])
    if reg.state == Registration.State.REGISTERED:
        tell_registrant(reg, "registration_promoted", sms=True)


def _after_action(domain: str, obj: Any, event: events.Event, send: Any) -> None:
    wf = WORKFLOWS[domain]
    a = wf.actions.get(event.get("action", ""))
    row = ServiceLog.objects.filter(pk=event.get("event_id")).first()
    for notice in a.notices if a else ():
        send(obj, notice.message, row.note if row else "")


@task("servicecentre.remind", periodic_seconds=900)
def remind(now: str | None = None) -> dict[str, int]:
    """Remind everyone registered for an event starting within the next 24 hours, once: the
    event is claimed with a conditional UPDATE so two workers never both send."""
    at = dt.datetime.fromisoformat(now) if now else timezone.now()
    due = Event.objects.active().filter(
        state=Event.State.OPEN,
        reminded_at__isnull=True,
        starts_at__gt=at,
        starts_at__lte=at + REMIND_BEFORE,
    )
    events_sent = people = 0
    for event_id in list(due.values_list("pk", flat=True)[:200]):
        with transaction.atomic():
            won = Event.objects.filter(pk=event_id, reminded_at__isnull=True).update(reminded_at=at)
            if won != 1:
                continue
            regs = Registration.objects.filter(
                event_id=event_id, state=Registration.State.REGISTERED
            ).select_related("event__point__organisation", "event__room", "user")
            for reg in regs:
                tell_registrant(reg, "event_reminder", sms=True)
                people += 1
            events_sent += 1
    return {"events": events_sent, "people": people}

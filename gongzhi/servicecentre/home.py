"""The service network's panels on the home page (gongzhi.core.home): the staff's work now,
and a person's own next events; every figure a link to the list it counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import permissions as perms
from gongzhi.core.home import Panel, register
from gongzhi.core.roles import Access

from .models import Event, Menu, Order, Registration, ShiftSignup
from .permissions import sees_network
from .staff import is_centre_staff, is_service_staff


def _fig(key: str, label: str, count: int, url: str, *, alarm: bool = False) -> dict[str, Any]:
    return {"key": key, "label": label, "count": count, "url": url, "alarm": alarm and count > 0}


def staff(user: Any, access: Access) -> dict[str, Any]:
    from django.utils.translation import gettext as _

    now = timezone.now()
    menus = perms.visible(user, Menu.objects.active())
    orders = perms.visible(user, Order.objects.active())
    events = perms.visible(user, Event.objects.active()).filter(state=Event.State.OPEN)
    latest = menus.order_by("-month").first()
    menus_url = (
        reverse("servicecentre:menu", args=[latest.pk])
        if latest
        else reverse("servicecentre:menus")
    )
    week = events.filter(starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=7))
    to_confirm = perms.visible(user, ShiftSignup.objects.all()).filter(
        state__in=(ShiftSignup.State.CHECKED_IN, ShiftSignup.State.CHECKED_OUT)
    )
    figures = [
        _fig(
            "orders",
            _("Orders to schedule") if is_centre_staff(access) else _("Our orders waiting"),
            orders.filter(state=Order.State.ORDERED).count(),
            menus_url,
            alarm=is_centre_staff(access),
        ),
        _fig(
            "drafts",
            _("Menus in draft"),
            menus.filter(state=Menu.State.DRAFT).count(),
            reverse("servicecentre:menus"),
        ),
        _fig("week", _("Events in the next 7 days"), week.count(), reverse("servicecentre:events")),
    ]
    if is_service_staff(access):  # the organisers' desk is theirs (leaders read the rest)
        figures.append(
            _fig(
                "hours",
                _("Hours to confirm"),
                to_confirm.count(),
                reverse("servicecentre:volunteer_desk"),
            )
        )
    upcoming = list(
        week.select_related("point__organisation")
        .annotate(
            taken=Count(
                "registrations", filter=Q(registrations__state__in=("registered", "attended"))
            )
        )
        .order_by("starts_at")[:6]
    )
    return {"figures": figures, "upcoming": upcoming}


def mine(user: Any, access: Access) -> dict[str, Any] | None:
    regs = list(
        Registration.objects.filter(user=user, event__ends_at__gte=timezone.now())
        .exclude(state=Registration.State.CANCELLED)
        .select_related("event__point__organisation")
        .order_by("event__starts_at")[:5]
    )
    if not regs and is_service_staff(access):
        return None
    return {"regs": regs}


def register_panels() -> None:
    register(
        Panel("service_staff", "servicecentre/home/staff.html", sees_network, staff, position=60),
        Panel(
            "service_mine",
            "servicecentre/home/mine.html",
            lambda a: a.user_id is not None,
            mine,
            position=95,
        ),
    )

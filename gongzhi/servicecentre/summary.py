"""The service network's counts for `manage.py summary --json`."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from gongzhi.core.summary import register


def servicecentre_summary() -> dict[str, Any]:
    from .models import Event, Menu, MenuItem, PointsEntry, Registration, ShiftSignup, Volunteer

    hours = ShiftSignup.objects.filter(state=ShiftSignup.State.CONFIRMED).aggregate(s=Sum("hours"))[
        "s"
    ]
    regs = Registration.objects.exclude(state=Registration.State.CANCELLED)
    return {
        "menus": Menu.objects.active().count(),
        "menu_items": MenuItem.objects.active().count(),
        "events": Event.objects.active().count(),
        "registrations": regs.count(),
        "attendance": regs.filter(state=Registration.State.ATTENDED).count(),
        "volunteers": Volunteer.objects.active().count(),
        "volunteer_hours": float(hours or 0),
        "points": int(PointsEntry.objects.aggregate(s=Sum("amount"))["s"] or 0),
    }


register("servicecentre", servicecentre_summary)

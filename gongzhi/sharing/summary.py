"""`manage.py summary --json` counts of shared resources (gongzhi.core.summary)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Booking, GateEvent, Permit, PermitApplication, SharedResource, Violation

LABELS = {
    "sharing_resources": _("shared resources"),
    "parking_applications": _("parking applications"),
    "permits": _("parking permits"),
    "gate_checks": _("gate checks"),
    "violations": _("parking violations"),
    "bookings": _("bookings"),
}


def counts() -> dict[str, Any]:
    return {
        "sharing_resources": SharedResource.objects.active().count(),
        "parking_applications": PermitApplication.objects.active().count(),
        "permits": Permit.objects.active().count(),
        "gate_checks": GateEvent.objects.count(),
        "violations": Violation.objects.active().count(),
        "bookings": Booking.objects.active().count(),
    }


def register() -> None:
    from gongzhi.core import summary

    summary.register("_sharing", counts)
    summary.register_labels(LABELS)

"""Sharing's panels on the home page (gongzhi.core.home): the unit liaison's waiting work, and a
resident's parking. Every figure links to the page that lists it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.roles import Access, Role

from .models import Booking, Permit, PermitApplication, SharedResource, Violation


def shows_liaison(access: Access) -> bool:
    return access.user_id is not None and access.has(Role.LIAISON) and bool(access.unit_ids)


def liaison(user: Any, access: Access) -> dict[str, Any] | None:
    resources = list(
        SharedResource.objects.active().filter(owner_id__in=access.unit_ids).order_by("name")
    )
    if not resources:
        return None
    rows = []
    for r in resources:
        url = reverse("sharing:resource", args=[r.pk])
        figures = [
            ("waiting", _("applications waiting"), "applications", PermitApplication,
             {"resource": r, "state": PermitApplication.State.SUBMITTED}),
            ("permits", _("active permits"), "permits", Permit,
             {"resource": r, "state": Permit.State.ACTIVE}),
            ("appeals", _("appeals to decide"), "violations", Violation,
             {"permit__resource": r, "appeal": Violation.Appeal.PENDING}),
            ("requests", _("bookings to confirm"), "bookings", Booking,
             {"resource": r, "state": Booking.State.REQUESTED}),
        ]  # fmt: skip
        # A car park has no bookings; the other resources have no permits or appeals.
        parking = r.kind == SharedResource.Kind.CAR_PARK
        rows.append(
            {
                "resource": r,
                "url": url,
                "figures": [
                    {
                        "key": key,
                        "label": label,
                        "count": model.objects.active().filter(**where).count(),
                        "url": f"{url}#{anchor}",
                    }
                    for key, label, anchor, model, where in figures
                    if (key != "requests") is parking
                ],
            }
        )
    return {"rows": rows, "gate_url": reverse("sharing:gate")}


def shows_resident(access: Access) -> bool:
    return access.user_id is not None


def resident(user: Any, access: Access) -> dict[str, Any] | None:
    permits = list(
        Permit.objects.active()
        .filter(holder_user=user, state__in=(Permit.State.ACTIVE, Permit.State.SUSPENDED))
        .select_related("resource")[:5]
    )
    applications = list(
        PermitApplication.objects.active()
        .filter(applicant_user=user, state__in=("submitted", "waitlisted"))
        .select_related("resource")[:5]
    )
    if not permits and not applications:
        return None
    return {"permits": permits, "applications": applications, "url": reverse("sharing:index")}

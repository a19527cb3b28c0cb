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
        rows.append(
            {
                "resource": r,
                "url": url,
                "figures": [
                    {
                        "key": "waiting",
                        "label": _("applications waiting"),
                        "count": PermitApplication.objects.active()
                        .filter(resource=r, state=PermitApplication.State.SUBMITTED)
                        .count(),
                        "url": url + "#applications",
                    },
                    {
                        "key": "permits",
                        "label": _("active permits"),
                        "count": Permit.objects.active()
                        .filter(resource=r, state=Permit.State.ACTIVE)
                        .count(),
                        "url": url + "#permits",
                    },
                    {
                        "key": "appeals",
                        "label": _("appeals to decide"),
                        "count": Violation.objects.active()
                        .filter(permit__resource=r, appeal=Violation.Appeal.PENDING)
                        .count(),
                        "url": url + "#violations",
                    },
                    {
                        "key": "requests",
                        "label": _("bookings to confirm"),
                        "count": Booking.objects.active()
                        .filter(resource=r, state=Booking.State.REQUESTED)
                        .count(),
                        "url": url + "#bookings",
                    },
                ],
            }
        )
        parking = r.kind == SharedResource.Kind.CAR_PARK
        rows[-1]["figures"] = [
            f for f in rows[-1]["figures"] if (f["key"] != "requests") is parking
        ]
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

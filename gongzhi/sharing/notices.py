"""Who hears about what in sharing: listeners of the sharing events (gongzhi.core.events), run
by the worker after the change commits.

- a permit's holder (with an account) hears that it was issued;
- an applicant on the waiting list hears their place after a draw;
- a permit's holder hears of each violation (warning or suspension);
- whoever booked a hall or room hears that it was confirmed or cancelled.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import events
from gongzhi.notifications import services as notifications

from .models import Booking, Draw, Permit, PermitApplication, Violation


def _permit_issued(permit: Permit) -> None:
    if permit.holder_user is None:
        return
    notifications.notify(
        template="parking_permit_issued",
        user=permit.holder_user,
        context={
            "plate": permit.plate,
            "resource": permit.resource.name,
            "valid_from": permit.valid_from.isoformat(),
            "valid_to": permit.valid_to.isoformat(),
        },
        link=reverse("sharing:permit", args=[permit.pk]),
        target=permit,
    )


@events.subscribe("sharing.draw_made", after_commit=True)
def on_draw(event: events.Event) -> None:
    draw = Draw.objects.select_related("resource").get(pk=event["draw"])
    for permit in Permit.objects.filter(draw=draw).select_related("resource", "holder_user"):
        _permit_issued(permit)
    waiting = {pk: i + 1 for i, pk in enumerate(draw.result.get("waitlist", []))}
    apps = PermitApplication.objects.filter(pk__in=waiting, applicant_user__isnull=False)
    for app in apps.select_related("applicant_user"):
        notifications.notify(
            template="parking_waitlisted",
            user=app.applicant_user,
            context={
                "plate": app.plate,
                "resource": draw.resource.name,
                "position": waiting[app.pk],
            },
            link=reverse("sharing:draw", args=[draw.pk]),
            target=draw,
        )


@events.subscribe("sharing.permit_issued", after_commit=True)
def on_permit_issued(event: events.Event) -> None:
    _permit_issued(Permit.objects.select_related("resource", "holder_user").get(pk=event["permit"]))


@events.subscribe("sharing.violation", after_commit=True)
def on_violation(event: events.Event) -> None:
    v = Violation.objects.select_related("permit__resource", "permit__holder_user").get(
        pk=event["violation"]
    )
    if v.permit.holder_user is None:
        return
    notifications.notify(
        template="parking_violation",
        user=v.permit.holder_user,
        context={
            "plate": v.permit.plate,
            "resource": v.permit.resource.name,
            "closed_at": timezone.localtime(v.window_closed_at).strftime("%m-%d %H:%M"),
            "outcome": str(v.get_outcome_display()),
        },
        link=reverse("sharing:permit", args=[v.permit_id]),
        target=v.permit,
    )


def _booking(event: events.Event, state_label: str) -> None:
    b = Booking.objects.select_related("resource", "booked_by").get(pk=event["booking"])
    if b.booked_by is None or b.booked_by_id == event.actor_id:
        return
    notifications.notify(
        template="booking_decided",
        user=b.booked_by,
        context={
            "title": b.title,
            "resource": b.resource.name,
            "start": timezone.localtime(b.starts_at).strftime("%m-%d %H:%M"),
            "state": state_label,
        },
        link=reverse("sharing:resource", args=[b.resource_id]),
        target=b,
    )


@events.subscribe("sharing.booking_confirmed", after_commit=True)
def on_booking_confirmed(event: events.Event) -> None:
    _booking(event, _("confirmed"))


@events.subscribe("sharing.booking_cancelled", after_commit=True)
def on_booking_cancelled(event: events.Event) -> None:
    _booking(event, _("cancelled"))

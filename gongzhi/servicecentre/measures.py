"""The service network's figures for the leaders (gongzhi.core.measures): the services
delivered in the period (events held at the centre and its stations), registrations and
attendance, and the volunteer hours confirmed, each a link to its list.

Those who read the whole network (centre staff, leaders, auditors) see every station; a
station's staff their own stations; a residential-area secretary the volunteer hours of their
area's volunteers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.measures import Reading, Scope, Source, register
from gongzhi.core.roles import Access, Role
from gongzhi.places.subdistricts import narrow

from .models import Event, Registration, ShiftSignup
from .staff import point_ids, reads_network


def _bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(scope.date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(scope.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _in_subdistricts(qs: Any, access: Access, path: str) -> Any:
    """The viewer's subdistricts' rows (`path` leads to the subdistrict)."""
    return narrow(qs, access, path)


def deliveries(scope: Scope) -> Any:
    """Events held in the period (not cancelled), at the points this viewer reads."""
    start, end = _bounds(scope)
    qs = _in_subdistricts(
        Event.objects.active().filter(
            starts_at__gte=start, starts_at__lt=end, state=Event.State.OPEN
        ),
        scope.access,
        "point__organisation__subdistrict",
    )
    if not reads_network(scope.access):
        qs = qs.filter(point_id__in=point_ids(scope.access))
    return qs


def volunteer_signups(scope: Scope) -> Any:
    """Confirmed volunteer shifts in the period; for an area secretary, their area's
    volunteers."""
    start, end = _bounds(scope)
    qs = _in_subdistricts(
        ShiftSignup.objects.filter(
            state=ShiftSignup.State.CONFIRMED,
            shift__starts_at__gte=start,
            shift__starts_at__lt=end,
        ),
        scope.access,
        "shift__opportunity__organiser__organisation__subdistrict",
    )
    area = scope.filters.get("residential_area")
    if area:
        qs = qs.filter(volunteer__residential_area_id=area)
    if not reads_network(scope.access):
        qs = qs.filter(volunteer__residential_area_id__in=scope.access.area_ids)
    return qs


def read_figures(scope: Scope) -> list[Reading]:
    out: list[Reading] = []
    stats = reverse("servicecentre:stats")
    if reads_network(scope.access) or point_ids(scope.access):
        events = deliveries(scope)
        regs = Registration.objects.filter(event__in=events)
        counts = regs.aggregate(
            registered=Count("pk", filter=~Q(state=Registration.State.CANCELLED)),
            attended=Count("pk", filter=Q(state=Registration.State.ATTENDED)),
        )
        registered, attended = counts["registered"], counts["attended"]
        out += [
            Reading("service.deliveries", _("services delivered"), events.count(), url=stats),
            Reading("service.registrations", _("registrations"), registered, url=stats),
            Reading("service.attendance", _("attendance"), attended, url=stats),
            Reading(
                "service.attendance_rate",
                _("attendance rate"),
                attended / registered if registered else None,
                unit="rate",
                url=stats,
                numerator=attended,
                denominator=registered,
            ),
        ]
    signups = volunteer_signups(scope)
    if reads_network(scope.access) or scope.access.area_ids:
        totals = signups.aggregate(hours=Sum("hours"), people=Count("volunteer", distinct=True))
        out += [
            Reading(
                "service.volunteer_hours",
                _("volunteer hours"),
                float(totals["hours"] or 0),
                unit="hours",
                url=reverse("servicecentre:volunteers"),
            ),
            Reading(
                "service.volunteers_active",
                _("volunteers on duty"),
                totals["people"],
                url=reverse("servicecentre:volunteers"),
            ),
        ]
    return out


def _show(access: Access) -> bool:
    return access.has(Role.LEADER, Role.AREA, Role.SERVICE_STAFF, Role.DUTY_CHIEF)


def register_source() -> None:
    register(
        Source("service", gettext_lazy("Service network"), read_figures, show=_show, position=40)
    )

"""Reads of shared resources: lists for the pages and the API, and the occupancy of a car park
per opening window (spaces offered against the most cars inside at once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core import permissions as perms

from .availability import DAY, schedule_for
from .models import (
    Booking,
    Draw,
    GateEvent,
    Permit,
    PermitApplication,
    SharedResource,
    Violation,
)


def resources_for(user: Any) -> QuerySet[SharedResource]:
    return (
        perms.visible(user, SharedResource.objects.active())
        .select_related("owner")
        .annotate(
            live_permits=Count(
                "permits",
                filter=Q(permits__state=Permit.State.ACTIVE, permits__archived_at__isnull=True),
            )
        )
        .order_by("kind", "name", "id")
    )


def gate_resources(user: Any) -> list[SharedResource]:
    """The car parks whose gate this user may run."""
    return [
        r
        for r in perms.visible(user, SharedResource.objects.active())
        .filter(kind=SharedResource.Kind.CAR_PARK)
        .select_related("owner")
        if perms.can(user, "gate", r)
    ]


def _visible(
    user: Any, qs: QuerySet[Any], resource: SharedResource | None, path: str = "resource"
) -> QuerySet[Any]:
    """The rows of `qs` the user may see, of one resource (through `path`) if one is given."""
    if resource is not None:
        qs = qs.filter(**{path: resource})
    return perms.visible(user, qs)


def applications_for(user: Any, resource: SharedResource | None = None) -> QuerySet[Any]:
    qs = PermitApplication.objects.active().select_related("resource", "residential_area")
    return _visible(user, qs, resource)


def permits_for(user: Any, resource: SharedResource | None = None) -> QuerySet[Any]:
    return _visible(user, Permit.objects.active().select_related("resource"), resource)


def violations_for(user: Any, resource: SharedResource | None = None) -> QuerySet[Any]:
    qs = Violation.objects.active().select_related("permit", "permit__resource")
    return _visible(user, qs, resource, "permit__resource")


def bookings_for(user: Any, resource: SharedResource | None = None) -> QuerySet[Any]:
    qs = Booking.objects.active().select_related("resource", "organiser", "booked_by")
    return _visible(user, qs, resource)


def draws_of(resource: SharedResource) -> QuerySet[Draw]:
    return Draw.objects.active().filter(resource=resource)


def gate_log(user: Any, resource: SharedResource, limit: int = 30) -> list[GateEvent]:
    qs = perms.visible(user, GateEvent.objects.filter(resource=resource))
    return list(qs.select_related("permit").order_by("-at", "-id")[:limit])


@dataclass(frozen=True)
class WindowUse:
    start: dt.datetime
    end: dt.datetime
    offered: int
    peak: int  # the most cars inside at once
    entries: int  # cars admitted in the window


def occupancy(resource: SharedResource, first: dt.date, last: dt.date) -> list[WindowUse]:
    """For each opening interval starting on first…last: spaces offered and used, replaying the
    gate log (admitted entries, exits)."""
    schedule = schedule_for(resource)
    intervals = [
        (s, e)
        for s, e in schedule.intervals(first, last)
        if first <= timezone.localtime(s).date() <= last
    ]
    if not intervals:
        return []
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(first - DAY * 2, dt.time(0), tzinfo=tz)
    hi = max(e for _s, e in intervals)
    rows = list(
        GateEvent.objects.filter(resource=resource, at__gte=lo, at__lt=hi)
        .filter(
            Q(direction=GateEvent.Direction.OUT)
            | Q(direction=GateEvent.Direction.IN, verdict=GateEvent.Verdict.ALLOWED)
        )
        .order_by("at", "id")
        .values_list("at", "direction", "plate")
    )
    out = []
    inside: set[str] = set()
    i = 0
    for start, end in intervals:
        while i < len(rows) and rows[i][0] < start:
            _apply(inside, rows[i])
            i += 1
        peak, entries = len(inside), 0
        while i < len(rows) and rows[i][0] < end:
            if rows[i][1] == GateEvent.Direction.IN:
                entries += 1
            _apply(inside, rows[i])
            peak = max(peak, len(inside))
            i += 1
        out.append(WindowUse(start, end, resource.capacity, peak, entries))
    return out


def _apply(inside: set[str], row: tuple[Any, str, str]) -> None:
    if row[1] == GateEvent.Direction.IN:
        inside.add(row[2])
    else:
        inside.discard(row[2])


def occupancy_chart(
    resource: SharedResource, days: int = 30, today: dt.date | None = None
) -> dict[str, Any]:
    """The chart's data: one bar per opening window of the last `days` days."""
    today = today or timezone.localdate()
    uses = occupancy(resource, today - dt.timedelta(days=days - 1), today)
    return {
        "labels": [timezone.localtime(u.start).strftime("%m-%d %H:%M") for u in uses],
        "offered": [u.offered for u in uses],
        "peak": [u.peak for u in uses],
        "entries": [u.entries for u in uses],
        "average_use": (
            round(100 * sum(u.peak for u in uses) / sum(u.offered for u in uses), 1)
            if uses and resource.capacity
            else None
        ),
    }

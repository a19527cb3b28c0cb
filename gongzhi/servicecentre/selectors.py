"""Reads of the service network: clashes, seats, balances, hours, rankings, statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    CatalogueItem,
    Event,
    PointsEntry,
    Registration,
    Room,
    ServicePoint,
    ShiftSignup,
    Volunteer,
)

R = Registration.State
TAKING_SEATS = (R.REGISTERED, R.ATTENDED)


@dataclass(frozen=True)
class Clash:
    kind: str  # "provider" | "room"
    event: Event
    reason: str


def centre_point_id(subdistrict_id: int | None = None) -> int | None:
    """The service centre (of a subdistrict, when one is named)."""
    qs = ServicePoint.objects.active().filter(kind=ServicePoint.Kind.CENTRE)
    if subdistrict_id is not None:
        qs = qs.filter(organisation__subdistrict_id=subdistrict_id)
    return qs.order_by("pk").values_list("pk", flat=True).first()


def _when(event: Event) -> str:
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def clashes(
    *,
    item: CatalogueItem,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: Room | None,
    exclude: int | None = None,
) -> list[Clash]:
    """The events that would clash with delivering `item` from `starts_at` to `ends_at` in
    `room`: the same provider (unit or person) or the same room at an overlapping time."""
    overlapping = (
        Event.objects.active()
        .filter(state=Event.State.OPEN, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related(
            "item__provider_org", "item__provider_person", "room", "point__organisation"
        )
    )
    if exclude:
        overlapping = overlapping.exclude(pk=exclude)
    found: list[Clash] = []
    provider = Q()
    if item.provider_person_id:
        provider |= Q(item__provider_person_id=item.provider_person_id)
    if item.provider_org_id:
        provider |= Q(item__provider_org_id=item.provider_org_id)
    for ev in overlapping.filter(provider):
        found.append(
            Clash(
                "provider",
                ev,
                _("the provider %(provider)s already delivers “%(event)s” at %(point)s, %(when)s")
                % {
                    "provider": ev.item.provider_label,
                    "event": ev.title,
                    "point": ev.point,
                    "when": _when(ev),
                },
            )
        )
    if room is not None:
        for ev in overlapping.filter(room=room):
            found.append(
                Clash(
                    "room",
                    ev,
                    _("the room %(room)s is taken by “%(event)s”, %(when)s")
                    % {"room": room, "event": ev.title, "when": _when(ev)},
                )
            )
    return found


def seats_taken(event: Event) -> int:
    return event.registrations.filter(state__in=TAKING_SEATS).count()


def events_with_counts(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("point__organisation", "room", "item__programme").annotate(
        taken=Count("registrations", filter=Q(registrations__state__in=TAKING_SEATS)),
        waiting=Count("registrations", filter=Q(registrations__state=R.WAITLISTED)),
        attended=Count("registrations", filter=Q(registrations__state=R.ATTENDED)),
    )


def balance(volunteer: Volunteer | int) -> int:
    """The volunteer's points: the sum of their ledger rows, nothing else."""
    vid = volunteer if isinstance(volunteer, int) else volunteer.pk
    total = PointsEntry.objects.filter(volunteer_id=vid).aggregate(s=Sum("amount"))["s"]
    return int(total or 0)


def hours(volunteer: Volunteer | int) -> Decimal:
    vid = volunteer if isinstance(volunteer, int) else volunteer.pk
    total = ShiftSignup.objects.filter(
        volunteer_id=vid, state=ShiftSignup.State.CONFIRMED
    ).aggregate(s=Sum("hours"))["s"]
    return total or Decimal("0")


def rankings(limit: int = 20) -> QuerySet[Any]:
    return (
        Volunteer.objects.active()
        .annotate(
            balance=Coalesce(Sum("points__amount"), 0),
        )
        .order_by("-balance", "name", "id")[:limit]
    )


def volunteer_for(user: Any) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.active().filter(user=user).first()


def statistics(events: QuerySet[Event], by: str) -> list[dict[str, Any]]:
    """Deliveries, registrations, attendance rate and rating, grouped by station, item,
    programme or month."""
    key = {
        "station": "point__organisation__name",
        "item": "item__title",
        "programme": "item__programme__name",
        "month": "month",
    }[by]
    qs = events.filter(state=Event.State.OPEN)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("starts_at"))
    rows = (
        qs.values(key)
        .annotate(
            deliveries=Count("pk", distinct=True),
            n_registrations=Count(
                "registrations",
                filter=Q(registrations__state__in=TAKING_SEATS),
                distinct=True,
            ),
            attended=Count(
                "registrations", filter=Q(registrations__state=R.ATTENDED), distinct=True
            ),
            rating=Avg("registrations__feedback__rating"),
        )
        .order_by(key)
    )
    out = []
    for row in rows:
        label = row[key]
        if by == "month" and label is not None:
            label = (
                f"{timezone.localtime(label):%Y-%m}"
                if isinstance(label, dt.datetime)
                else str(label)[:7]
            )
        regs = row["n_registrations"]
        out.append(
            {
                "label": label or "—",
                "deliveries": row["deliveries"],
                "registrations": regs,
                "attended": row["attended"],
                "rate": round(100 * row["attended"] / regs) if regs else None,
                "rating": round(row["rating"], 1) if row["rating"] is not None else None,
            }
        )
    return out

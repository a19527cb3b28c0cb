"""Reads of triage for its pages, the API and (later) the leaders' cockpit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.core import permissions as perms

from . import hotspots
from .models import ClassifierVersion, ImportBatch, ImportProfile, Suggestion


def profiles(user: Any) -> QuerySet[ImportProfile]:
    return perms.visible(user, ImportProfile.objects.active())


def batches(user: Any) -> QuerySet[ImportBatch]:
    return perms.visible(user, ImportBatch.objects.select_related("profile", "created_by", "task"))


def pending_suggestions(user: Any) -> QuerySet[Suggestion]:
    return perms.visible(
        user,
        Suggestion.objects.filter(outcome=Suggestion.Outcome.PENDING).select_related(
            "case", "category", "case__category"
        ),
    )


def classifier_versions(user: Any) -> QuerySet[ClassifierVersion]:
    return perms.visible(user, ClassifierVersion.objects.all())


def hot_spots(
    user: Any,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    window: float = 14.0,
    top: int = 20,
    now: dt.datetime | None = None,
) -> list[hotspots.HotSpot]:
    """The hot spots among the cases the user may see, received from `since` to `until`
    (default: the last 90 days): same category, same ~100 m cell (else the same grid
    and address), reports at most `window` days apart; the hottest first. Merged cases count
    as reports of their case's problem. For the cockpit: `hot_spots(user, since=…, until=…)`."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    until = until or timezone.localdate(now)
    since = since or until - dt.timedelta(days=90)
    qs = perms.visible(user, Case.objects.all()).filter(
        received_at__gte=dt.datetime.combine(since, dt.time(), tz),
        received_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz),
    )
    rows = qs.order_by().values_list(
        "id",
        "number",
        "title",
        "description",
        "received_at",
        "reporter_phone",
        "reporter_name",
        "category_id",
        "cell",
        "grid__name",
        "address",
    )
    items = []
    for pk, number, title, desc, at, phone, name, cat, cell, grid, address in rows.iterator(
        chunk_size=5000
    ):
        place_key: Any = ("cell", cell) if cell is not None else ("addr", grid or "", address)
        items.append(
            hotspots.Item(
                id=number,
                text=f"{title}\n{desc}",
                at=at,
                reporter=phone or name or f"#{pk}",
                place=address or grid or "",
                key=(cat, place_key),
            )
        )
    return hotspots.group_cases(items, now=now, window=window, top=top)

"""The alliance's figures for the leaders (gongzhi.core.measures): projects by state, the
projects under way in the period and the members' resources they use, each a link to its list.

A leader sees the whole alliance; a residential-area secretary the projects serving or owned by
their area (as on the projects page, `selectors.projects`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.measures import Reading, Scope, Source, register
from gongzhi.core.roles import Access, Role

from . import selectors
from .models import Project

# Under way: the states of a project whose resources are in use.
UNDER_WAY = (Project.State.IN_PROGRESS, Project.State.COMPLETED, Project.State.EVALUATED)


def _bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(scope.date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(scope.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _scoped(scope: Scope) -> Any:
    area = scope.filters.get("residential_area")
    qs = selectors.projects(scope.user, {"area": area} if area else {})
    a = scope.access
    if not a.whole_subdistrict:
        qs = qs.filter(Q(residential_area_id__in=a.area_ids) | Q(owner_area_id__in=a.area_ids))
    return qs.order_by()


def active_in_period(scope: Scope) -> Any:
    """Projects under way at some time in the period: started by its end, not completed
    before its start."""
    start, end = _bounds(scope)
    return _scoped(scope).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=start),
        state__in=UNDER_WAY,
        started_at__lt=end,
    )


def read_figures(scope: Scope) -> list[Reading]:
    base = reverse("alliance:projects")
    area = scope.filters.get("residential_area")

    def url(**q: Any) -> str:
        if area:
            q["area"] = area
        return f"{base}?{urlencode(q)}" if q else base

    by_state = dict(
        _scoped(scope).values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    out = [
        Reading(
            f"alliance.projects.{state.value}",
            str(state.label),
            by_state.get(state.value, 0),
            url=url(state=state.value),
        )
        for state in Project.State
    ]
    active = active_in_period(scope)
    start, end = _bounds(scope)
    counts = active.aggregate(
        n=Count("pk", distinct=True),
        resources=Count("resource", distinct=True),
        completed=Count("pk", filter=Q(completed_at__gte=start, completed_at__lt=end)),
    )
    out += [
        Reading(
            "alliance.under_way", _("projects under way in the period"), counts["n"], url=url()
        ),
        Reading(
            "alliance.resources_used",
            _("member resources in use"),
            counts["resources"],
            url=reverse("alliance:resources"),
        ),
        Reading(
            "alliance.completed",
            _("projects completed in the period"),
            counts["completed"],
            url=url(state=Project.State.COMPLETED),
        ),
    ]
    return out


def _show(access: Access) -> bool:
    return access.has(Role.LEADER, Role.AREA, Role.DUTY_CHIEF, Role.OPERATOR)


def register_source() -> None:
    register(
        Source("alliance", gettext_lazy("Alliance 筑梦曹杨"), read_figures, show=_show, position=30)
    )

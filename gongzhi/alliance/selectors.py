"""Reading the alliance: the three lists with their filters, a member's year, the quarterly
publication, the public projects. Every list is narrowed by the permission policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum

from gongzhi.core import permissions as perms

from .models import (
    DualRegistrationYear,
    JointActivity,
    Membership,
    Milestone,
    Need,
    Project,
    ProjectParty,
    Resource,
)
from .workflow import DONE_STATES, OPEN_STATES

__all__ = ["DONE_STATES", "OPEN_STATES"]


def _matching(qs: QuerySet[Any], f: Mapping[str, Any], **lookups: str) -> QuerySet[Any]:
    """Narrow `qs` by each filter given (a value in `f`): `lookups` maps the filter's name to
    the field it compares with."""
    for name, lookup in lookups.items():
        if f.get(name):
            qs = qs.filter(**{lookup: f[name]})
    return qs


def resources(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Resource]:
    qs = perms.visible(user, Resource.objects.active()).select_related("owner", "residential_area")
    f = filters or {}
    qs = _matching(qs, f, kind="kind", owner="owner_id")
    if f.get("q"):
        qs = qs.filter(Q(title__icontains=f["q"]) | Q(description__icontains=f["q"]))
    if f.get("mine"):
        from gongzhi.core.roles import access_for

        qs = qs.filter(owner_id__in=access_for(user).unit_ids)
    return qs


def needs(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Need]:
    qs = perms.visible(user, Need.objects.active()).select_related(
        "residential_area", "raised_by_unit"
    )
    f = filters or {}
    qs = _matching(
        qs, f, category="category", state="state", area="residential_area_id", urgency="urgency"
    )
    if f.get("q"):
        qs = qs.filter(Q(title__icontains=f["q"]) | Q(description__icontains=f["q"]))
    if f.get("mine"):
        from gongzhi.core.roles import access_for

        a = access_for(user)
        qs = qs.filter(Q(residential_area_id__in=a.area_ids) | Q(raised_by_unit_id__in=a.unit_ids))
    return qs


def _with_parties(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.select_related("residential_area", "owner_area").prefetch_related(
        Prefetch(
            "parties",
            queryset=ProjectParty.objects.active().select_related("organisation"),
        )
    )


def projects(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Project]:
    qs = _with_parties(perms.visible(user, Project.objects.active()))
    f = filters or {}
    qs = _matching(qs, f, state="state", kind="kind", quarter="quarter")
    if f.get("area"):
        qs = qs.filter(Q(residential_area_id=f["area"]) | Q(owner_area_id=f["area"]))
    if f.get("q"):
        qs = qs.filter(title__icontains=f["q"])
    if f.get("mine"):
        from gongzhi.core.roles import access_for

        a = access_for(user)
        qs = qs.filter(
            Q(parties__organisation_id__in=a.unit_ids, parties__archived_at__isnull=True)
            | Q(residential_area_id__in=a.area_ids)
            | Q(owner_area_id__in=a.area_ids)
        ).distinct()
    return qs


def projects_for_unit(unit_ids: Iterable[int]) -> QuerySet[Project]:
    return (
        Project.objects.active()
        .filter(parties__organisation_id__in=list(unit_ids), parties__archived_at__isnull=True)
        .distinct()
        .order_by("-created_at")
    )


def projects_for_areas(area_ids: Iterable[int]) -> QuerySet[Project]:
    ids = list(area_ids)
    return (
        Project.objects.active()
        .filter(Q(residential_area_id__in=ids) | Q(owner_area_id__in=ids))
        .order_by("-created_at")
    )


def project_for_page(user: Any, pk: int) -> Project:
    return perms.get_visible_or_404(
        user,
        _with_parties(Project.objects.active()).select_related("need", "resource__owner"),
        pk=pk,
    )


def project_progress(project: Project) -> int:
    """The mean progress of the project's milestones, 0..100."""
    value = Milestone.objects.active().filter(project=project).aggregate(a=Avg("progress"))["a"]
    return round(value or 0)


def public_projects(subdistrict_id: int | None = None) -> QuerySet[Project]:
    """The projects the units agreed to show, for the page without login: every
    subdistrict's, or one's."""
    qs = Project.objects.active()
    if subdistrict_id is not None:
        qs = qs.filter(subdistrict_id=subdistrict_id)
    return (
        _with_parties(
            qs.filter(public=True).exclude(
                state__in=(Project.State.PROPOSED, Project.State.CANCELLED)
            )
        )
        .annotate(rating=Avg("evaluations__score"), ratings=Count("evaluations"))
        .order_by("-created_at", "-id")
    )


def dual_years_to_confirm(user: Any) -> QuerySet[DualRegistrationYear]:
    return (
        perms.visible(user, DualRegistrationYear.objects.active())
        .filter(confirmed_at__isnull=True)
        .select_related(
            "registration__person",
            "registration__residential_area",
            "unit_registration__party_organisation",
            "unit_registration__residential_area",
        )
    )


def dual_years(user: Any) -> QuerySet[DualRegistrationYear]:
    return perms.visible(user, DualRegistrationYear.objects.active()).select_related(
        "registration__person",
        "registration__residential_area",
        "unit_registration__party_organisation",
        "unit_registration__residential_area",
        "confirmed_by",
    )


def members(user: Any) -> QuerySet[Membership]:
    return (
        perms.visible(user, Membership.objects.active())
        .filter(left_on__isnull=True)
        .select_related("organisation", "liaison", "party_organisation")
        .order_by("joined_on", "organisation__name")
    )


def activities(user: Any, *, kind: str = "", year: int | None = None) -> QuerySet[JointActivity]:
    qs = perms.visible(user, JointActivity.objects.active()).prefetch_related("units", "photos")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs


@dataclass
class MemberYear:
    organisation: Any
    activities: int
    hours: Decimal
    projects: int


def member_years(year: int, unit_ids: Iterable[int] | None = None) -> list[MemberYear]:
    """Each member's year: the joint activities it took part in, their hours, the projects it
    was party to that ran in the year."""
    ms = Membership.objects.active().filter(left_on__isnull=True).select_related("organisation")
    if unit_ids is not None:
        ms = ms.filter(organisation_id__in=list(unit_ids))
    org_ids = [m.organisation_id for m in ms]
    activities = {  # unit → (activities, hours), in one GROUP BY
        unit: (n, h)
        for unit, n, h in JointActivity.objects.active()
        .filter(held_on__year=year, units__in=org_ids)
        .values_list("units")
        .annotate(n=Count("id"), h=Sum("hours"))
        .values_list("units", "n", "h")
    }
    start = dt.date(year, 1, 1)
    projs = dict(
        ProjectParty.objects.active()
        .filter(organisation_id__in=org_ids, project__archived_at__isnull=True)
        .filter(
            Q(project__proposed_at__year=year)
            | Q(project__completed_at__year=year)
            | Q(project__state__in=OPEN_STATES, project__proposed_at__date__lt=start)
        )
        .values_list("organisation_id")
        .annotate(n=Count("project_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    return [
        MemberYear(
            m.organisation,
            activities.get(m.organisation_id, (0, None))[0],
            activities.get(m.organisation_id, (0, None))[1] or Decimal(0),
            projs.get(m.organisation_id, 0),
        )
        for m in ms
    ]


def quarterly_lists(user: Any, quarter: str) -> dict[str, Any]:
    """The three lists as published for the alliance's quarterly meeting."""
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return {
        "quarter": quarter,
        "resources": resources(user).filter(created_at__date__lt=end),
        "needs": needs(user).filter(
            created_at__date__lt=end, state__in=(Need.State.OPEN, Need.State.MATCHED)
        ),
        "projects": projects(user).filter(
            Q(quarter=quarter)
            | Q(state__in=OPEN_STATES, proposed_at__date__lt=end)
            | Q(completed_at__date__gte=start, completed_at__date__lt=end)
        ),
    }


def current_quarter(today: dt.date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"

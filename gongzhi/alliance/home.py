"""The alliance's panels on the home page (gongzhi.core.home): a liaison's own lists and
projects, an area secretary's needs and the dual registrations to confirm; every figure a link
to the list behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import permissions as perms
from gongzhi.core.home import AreaPanel, Panel, register, register_area
from gongzhi.core.roles import Access, Role

from . import selectors


def _url(name: str, **query: Any) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _fig(key: str, label: str, count: int, url: str) -> dict[str, Any]:
    return {"key": key, "label": label, "count": count, "url": url, "alarm": False}


def liaison(user: Any, access: Access) -> dict[str, Any]:
    projects = selectors.projects_for_unit(access.unit_ids)
    return {
        "title": _("Your unit in the alliance"),
        "figures": [
            _fig(
                "resources",
                _("Resources offered"),
                selectors.resources(user).filter(owner_id__in=access.unit_ids).count(),
                _url("alliance:resources", mine=1),
            ),
            _fig(
                "projects",
                _("Open projects"),
                projects.filter(state__in=selectors.OPEN_STATES).count(),
                _url("alliance:projects", mine=1),
            ),
        ],
        "projects": list(projects.filter(state__in=selectors.OPEN_STATES)[:8]),
    }


def area(user: Any, access: Access) -> dict[str, Any]:
    needs = selectors.needs(user).filter(residential_area_id__in=access.area_ids)
    return {
        "title": _("Your area in the alliance"),
        "figures": [
            _fig(
                "needs",
                _("Open needs"),
                needs.filter(state="open").count(),
                _url("alliance:needs", mine=1),
            ),
            _fig(
                "dual",
                _("Dual registrations to confirm"),
                selectors.dual_years_to_confirm(user).count(),
                _url("alliance:dual"),
            ),
        ],
        "projects": list(
            selectors.projects_for_areas(access.area_ids).filter(state__in=selectors.OPEN_STATES)[
                :8
            ]
        ),
    }


def area_dual(user: Any, access: Access, area: Any) -> dict[str, Any] | None:
    """On the area's page: the members and units registered with it (双报到) this year and last,
    for the secretary to confirm where the area is theirs."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import DualRegistrationYear

    year = timezone.localdate().year
    rows = list(
        selectors.dual_years(user)
        .filter(
            Q(registration__residential_area=area) | Q(unit_registration__residential_area=area),
            year__gte=year - 1,
        )
        .order_by("confirmed_at", "-year", "id")[:50]
    )
    if not rows and not access.has(Role.AREA):
        return None
    for row in rows:
        row.may_confirm = row.confirmed_at is None and perms.can(user, "confirm", row)  # type: ignore[attr-defined]
    return {
        "rows": rows,
        "evaluations": DualRegistrationYear.Evaluation.choices,
        "back": reverse("org:area_detail", args=[area.pk]),
    }


def register_panels() -> None:
    register_area(AreaPanel("alliance_dual", "alliance/area/dual.html", area_dual, position=10))
    register(
        Panel(
            "alliance_liaison",
            "alliance/home/panel.html",
            lambda a: a.has(Role.LIAISON) and bool(a.unit_ids),
            liaison,
            position=60,
        ),
        Panel(
            "alliance_area",
            "alliance/home/panel.html",
            lambda a: a.has(Role.AREA) and bool(a.area_ids),
            area,
            position=65,
        ),
    )

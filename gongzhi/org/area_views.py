"""Residential-area pages: the list and each area's page (estates, grids, general branch,
part-time committee members, responsible people). Scoped by gongzhi.core.permissions:
an area outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongzhi.core import permissions as perms
from gongzhi.core.home import area_panels_for
from gongzhi.core.roles import access_for
from gongzhi.places.models import ResidentialArea

from . import selectors as org_selectors


@require_GET
@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    areas = list(org_selectors.areas_for_list(request.user))
    return render(request, "org/area_list.html", {"areas": areas, "active_nav": "areas"})


@require_GET
@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = perms.get_visible_or_404(
        request.user, ResidentialArea.objects.select_related("grid_station"), pk=pk
    )
    overview = org_selectors.area_overview(area)
    return render(
        request,
        "org/area_detail.html",
        {
            "area": area,
            "overview": overview,
            "visible_ids": org_selectors.visible_person_ids(request.user, overview.people),
            "panels": area_panels_for(request.user, access_for(request.user), area),
            "active_nav": "areas",
        },
    )

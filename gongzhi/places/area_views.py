"""Residential-area pages: the list and each area's page (estates, grids, general branch,
part-time committee members, responsible people)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.accounts import permissions as perms

from .models import ResidentialArea


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    areas = perms.visible(request.user, ResidentialArea.objects.active()).select_related(
        "grid_station"
    )
    return render(request, "places/area_list.html", {"areas": areas, "active_nav": "areas"})


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = perms.get_visible_or_404(request.user, ResidentialArea, pk=pk)
    return render(request, "places/area_detail.html", {"area": area, "active_nav": "areas"})

"""Grid-station pages: the list and each station's page (areas, grids, named people, figures).
Scoped in gongzhi.org.stations: a station outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import NotAllowed
from gongzhi.core.roles import access_for

from . import selectors, stations


def _require_staff(request: HttpRequest) -> None:
    if not access_for(request.user).is_staff_member:
        raise NotAllowed(_("This page is for the subdistrict's staff."))


@require_GET
@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    rows = list(stations.stations_for_list(request.user))
    return render(request, "org/station_list.html", {"stations": rows, "active_nav": "stations"})


@require_GET
@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    station = stations.station_for(request.user, pk)
    month = stations.month_of(request.GET.get("month"))
    overview = stations.station_overview(request.user, station, month=month)
    return render(
        request,
        "org/station_detail.html",
        {
            "station": station,
            "overview": overview,
            "visible_ids": selectors.visible_person_ids(request.user, overview.persons),
            "active_nav": "stations",
        },
    )

"""The map page and its two JSON endpoints: the layers (/places/map-data.json) and "which grid is
this point in?" (/places/locate?lat=&lng=)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from gongzhi.core.roles import access_for

from . import selectors

View = Callable[..., HttpResponse]


def login_required_json(view: View) -> View:
    """Like login_required, but answers 401 with a JSON message instead of a redirect."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Please log in first.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapped


def _map_labels() -> dict[str, str]:
    """The map script's words, in the user's language."""
    return {
        "code": _("Grid code"),
        "name": pgettext("thing", "Name"),
        "kind": _("Kind"),
        "area": _("Area"),
        "station": _("Grid station"),
        "residential_area": _("Residential area"),
        "estate": _("Estate"),
        "square_metres": _("m²"),
        "outline": _("Subdistrict outline"),
        "areas": _("Residential areas"),
        "area_labels": _("Area names"),
        "grids": _("Grids"),
        "stations": _("Grid stations"),
        "roads": _("Roads"),
        "landmarks": _("Landmarks"),
        "buildings": _("Buildings and parks"),
        "grid_count": _("grids"),
        "station_number": _("No. %(number)s"),
        "outside": _("This point is not in any grid."),
        "looking_up": _("Looking up the grid…"),
        "load_failed": _("The map data could not be loaded."),
        "locate_failed": _("The grid could not be looked up."),
        "my_location": _("Which grid am I in?"),
        "no_geolocation": _("This device can't tell where it is."),
        "no_grids": _("No grids have been drawn yet."),
        "ready": _("Tap a grid for its details, or anywhere to find its grid."),
    }


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    config = {
        "data_url": reverse("places:map_data"),
        "locate_url": reverse("places:locate"),
        "labels": _map_labels(),
    }
    return render(request, "places/map.html", {"active_nav": "map", "map_config": config})


@require_GET
@login_required_json
def map_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.map_layers(access_for(request.user)))


def _coordinate(request: HttpRequest, name: str, limit: float) -> float | str:
    """The query parameter as a float within ±limit, or the message saying what is wrong."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return _("The %(name)s parameter is missing.") % {"name": name}
    try:
        value = float(raw)
    except ValueError:
        return _("The %(name)s parameter must be a number.") % {"name": name}
    if not math.isfinite(value) or abs(value) > limit:
        return _("The %(name)s parameter must be between -%(limit)d and %(limit)d.") % {
            "name": name,
            "limit": limit,
        }
    return value


@require_GET
@login_required_json
def locate(request: HttpRequest) -> JsonResponse:
    lat = _coordinate(request, "lat", 90)
    lng = _coordinate(request, "lng", 180)
    errors = [v for v in (lat, lng) if isinstance(v, str)]
    if errors:
        return JsonResponse({"error": " ".join(errors)}, status=400)
    assert isinstance(lat, float) and isinstance(lng, float)  # noqa: S101 (narrowing for mypy)
    found = selectors.locate(lat=lat, lng=lng)
    if found is None:
        return JsonResponse(
            {"found": False, "lat": lat, "lng": lng, "message": _("This point is not in any grid.")}
        )
    grid = found.grid
    return JsonResponse(
        {
            "found": True,
            "lat": lat,
            "lng": lng,
            "grid": {
                "id": grid.pk,
                "code": grid.code,
                "name": grid.name,
                "kind": grid.kind,
                "kind_label": str(grid.get_kind_display()),
                "area_m2": grid.area_m2,
                "estate": grid.estate.name if grid.estate else None,
            },
            "residential_area": {
                "id": found.residential_area.pk,
                "code": found.residential_area.code,
                "name": found.residential_area.name,
            },
            "station": {
                "id": found.station.pk,
                "number": found.station.number,
                "name": found.station.name,
                "colour": found.station.colour,
            },
        }
    )

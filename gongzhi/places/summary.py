"""This app's counts for `manage.py summary --json` (see gongzhi.core.summary)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.core.summary import register, register_labels

from .geo import GeometryError, area_m2
from .models import Building, Estate, Grid, GridStation, ResidentialArea, Subdistrict


def subdistrict_facts() -> dict[str, Any] | None:
    """The deployment's subdistrict (settings.GONGZHI["SUBDISTRICT_CODE"], else the first one),
    with the area of its outline computed from the geometry."""
    active = Subdistrict.objects.active()
    sd = active.filter(code=settings.GONGZHI["SUBDISTRICT_CODE"]).first() or active.first()
    if sd is None:
        return None
    try:
        outline = round(area_m2(sd.geometry) / 1e6, 4) if sd.geometry else None
    except GeometryError:
        outline = None
    return {
        "code": sd.code,
        "name": sd.name,
        "district": sd.district,
        "area_km2": float(sd.area_km2) if sd.area_km2 is not None else None,
        "outline_area_km2": outline,
        "registered_population": sd.registered_population,
        "resident_population": sd.resident_population,
    }


def places_summary() -> dict[str, Any]:
    grids = Grid.objects.active()
    estates = Estate.objects.active()
    return {
        "subdistrict": subdistrict_facts(),
        "residential_areas": ResidentialArea.objects.active().count(),
        "estates": estates.count(),
        "households": estates.aggregate(n=Sum("households"))["n"] or 0,
        "grid_stations": GridStation.objects.active().count(),
        "grids": grids.count(),
        "estate_grids": grids.filter(kind=Grid.Kind.ESTATE).count(),
        "road_grids": grids.filter(kind=Grid.Kind.ROAD).count(),
        "buildings": Building.objects.active().count(),
    }


register("_places", places_summary)
register_labels(
    {
        "subdistrict": _("subdistrict"),
        "code": _("official code"),
        "name": _("name"),
        "district": _("district"),
        "area_km2": _("official area (km²)"),
        "outline_area_km2": _("area of the outline (km²)"),
        "registered_population": _("registered population"),
        "resident_population": _("resident population"),
        "residential_areas": _("residential areas"),
        "estates": _("estates"),
        "households": _("households"),
        "grid_stations": _("grid stations"),
        "grids": _("grids"),
        "estate_grids": _("estate grids"),
        "road_grids": _("road grids"),
        "buildings": _("buildings and parks"),
    }
)

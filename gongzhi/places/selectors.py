"""Reading places: which grid a point is in, the map's layers, and the tiling check over the
database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gongzhi.core.cache import TableCache
from gongzhi.core.errors import ServiceError
from gongzhi.core.roles import Access

from .geo import GeometryError, to_shape
from .index import grid_index
from .models import (
    Building,
    Estate,
    Grid,
    GridStation,
    Landmark,
    ResidentialArea,
    Road,
    Subdistrict,
)
from .tiling import TilingReport, check_tiling, describe

FeatureCollection = dict[str, Any]


def current_subdistrict() -> Subdistrict | None:
    """The subdistrict this installation serves (settings.GONGZHI["SUBDISTRICT_CODE"]), or the
    only one there is."""
    active = Subdistrict.objects.active()
    return (
        active.filter(code=settings.GONGZHI["SUBDISTRICT_CODE"]).first()
        or active.order_by("code").first()
    )


def _active_subdistrict_count() -> int:
    return Subdistrict.objects.active().count()


_subdistrict_count = TableCache(_active_subdistrict_count, Subdistrict)


def serves_one_subdistrict() -> bool:
    """Does the installation serve one subdistrict (or none yet)? Then nothing is narrowed to
    a subdistrict: everything there is belongs to it."""
    return _subdistrict_count.get() <= 1


def _default_subdistrict_id() -> int | None:
    sd = current_subdistrict()
    return sd.pk if sd else None


_default_subdistrict = TableCache(_default_subdistrict_id, Subdistrict)


def default_subdistrict_id() -> int | None:
    """The id of `current_subdistrict()`, kept per process: where a report with no place and no
    other sign of its subdistrict is filed."""
    return _default_subdistrict.get()


# --- Point → grid -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    grid: Grid
    residential_area: ResidentialArea
    station: GridStation


def locate(*, lat: float, lng: float) -> Location | None:
    """The grid (with its residential area and station) that covers the point, or None outside
    every grid. A point on a boundary shared by several grids goes to the lowest grid code."""
    hit = grid_index().lookup(lng, lat)
    if hit is None:
        return None
    grid = (
        Grid.objects.select_related("residential_area", "station", "estate")
        .filter(pk=hit.grid_id)
        .first()
    )
    if grid is None:  # archived between the index's version check and now
        return None
    return Location(grid, grid.residential_area, grid.station)


# --- The tiling check ----------------------------------------------------------------------------


def tiling_report(*, subdistrict: Subdistrict | None = None) -> TilingReport:
    """Check that the active grids of the subdistrict tile its outline (settings tolerance)."""
    subdistrict = subdistrict or current_subdistrict()
    if subdistrict is None or not subdistrict.geometry:
        raise ServiceError(
            _("There is no subdistrict outline to check the grids against."), code="no_outline"
        )
    grids = (
        Grid.objects.active()
        .filter(station__subdistrict=subdistrict)
        .order_by("code")
        .values_list("code", "geometry")
    )
    tolerance = cast(float, settings.GONGZHI["TILING_TOLERANCE_M2"])
    return check_tiling(subdistrict.geometry, list(grids), tolerance)


def grid_names(codes: Iterable[str]) -> list[tuple[str, str]]:
    return list(Grid.objects.filter(code__in=set(codes)).values_list("code", "name"))


def tiling_lines(report: TilingReport) -> list[str]:
    """One translated line per issue, naming the grids by code and name."""
    codes = {code for issue in report.issues for code in issue.grids}
    return describe(report, grid_names(codes))


def tiling_summary(report: TilingReport) -> str:
    if report.ok:
        return _(
            "The %(count)d grids tile the subdistrict: no gap, overlap or piece outside it "
            "larger than %(tolerance)s m²."
        ) % {"count": report.grid_count, "tolerance": report.tolerance_m2}
    return _(
        "%(issues)d tiling problems among %(count)d grids (outline %(outline).1f m², "
        "grids %(grids).1f m²)."
    ) % {
        "issues": len(report.issues),
        "count": report.grid_count,
        "outline": report.outline_area_m2,
        "grids": report.grids_area_m2,
    }


# --- Map layers -------------------------------------------------------------------------------------


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _collection(features: list[dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def _point(lng: float | None, lat: float | None) -> dict[str, Any] | None:
    if lng is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lng, lat]}


def _kind_point(place: Any) -> dict[str, Any]:
    """A building or landmark: a point with its name, kind and address."""
    return _feature(
        _point(place.lng, place.lat),
        {
            "id": place.pk,
            "name": place.name,
            "kind": place.kind,
            "kind_label": str(place.get_kind_display()),
            "address": place.address,
        },
    )


def _label_point(geometry: Any) -> list[float] | None:
    try:
        p = to_shape(geometry).representative_point()
    except GeometryError:
        return None
    return [round(p.x, 7), round(p.y, 7)]


def _line_label_point(geometry: Any) -> list[float] | None:
    """Halfway along the longest part of a line: where its name goes."""
    try:
        line = to_shape(geometry)
    except GeometryError:
        return None
    parts = getattr(line, "geoms", [line])
    p = max(parts, key=lambda part: part.length).interpolate(0.5, normalized=True)
    return [round(p.x, 7), round(p.y, 7)]


def _bounds(geometry: Any) -> list[list[float]] | None:
    """[[south, west], [north, east]] as Leaflet wants them."""
    try:
        west, south, east, north = to_shape(geometry).bounds
    except GeometryError:
        return None
    return [[south, west], [north, east]]


def map_layers(access: Access | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollections of the outline, residential areas, estates, grids (with their
    station's number and colour), grid stations, buildings, roads and landmarks, plus the bounds
    to fit the map to. For a user narrowed to some subdistricts (`access.subdistrict_ids`), theirs
    only."""
    ids = access.subdistrict_ids if access is not None else None

    def narrow(qs: Any, path: str) -> Any:
        return qs if ids is None else qs.filter(**{f"{path}__in": ids})

    subdistrict = (
        current_subdistrict()
        if ids is None
        else Subdistrict.objects.active().filter(pk__in=ids).order_by("code").first()
    )
    outline = (
        [
            _feature(
                subdistrict.geometry,
                {"code": subdistrict.code, "name": subdistrict.name},
            )
        ]
        if subdistrict is not None and subdistrict.geometry
        else []
    )
    areas = [
        _feature(
            a.geometry,
            {
                "id": a.pk,
                "code": a.code,
                "name": a.name,
                "station": a.grid_station.number if a.grid_station else None,
                "label_point": _label_point(a.geometry),
            },
        )
        for a in narrow(ResidentialArea.objects.active(), "subdistrict")
        .exclude(geometry=None)
        .select_related("grid_station")
    ]
    grids = [
        _feature(
            g.geometry,
            {
                "id": g.pk,
                "code": g.code,
                "name": g.name,
                "kind": g.kind,
                "kind_label": str(g.get_kind_display()),
                "area_m2": g.area_m2,
                "station_number": g.station.number,
                "station_name": g.station.name,
                "colour": g.station.colour,
                "residential_area": g.residential_area.name,
                "estate": g.estate.name if g.estate else None,
            },
        )
        for g in narrow(Grid.objects.active(), "residential_area__subdistrict").select_related(
            "station", "residential_area", "estate"
        )
    ]
    stations = [
        _feature(
            _point(s.lng, s.lat),
            {
                "id": s.pk,
                "number": s.number,
                "name": s.name,
                "address": s.address,
                "colour": s.colour,
                "grid_count": s.grid_count,
            },
        )
        for s in narrow(GridStation.objects.active(), "subdistrict").annotate(
            grid_count=Count("grids", filter=Q(grids__archived_at__isnull=True))
        )
    ]
    buildings = [
        _kind_point(b)
        for b in narrow(Building.objects.active(), "residential_area__subdistrict")
        .exclude(lat=None)
        .exclude(lng=None)
    ]
    estates = [
        _feature(
            e.geometry,
            {"id": e.pk, "name": e.name, "label_point": _label_point(e.geometry)},
        )
        for e in narrow(Estate.objects.active(), "residential_area__subdistrict").exclude(
            geometry=None
        )
    ]
    roads = [
        _feature(
            r.geometry,
            {
                "id": r.pk,
                "name": r.name,
                "kind": r.kind,
                "width": r.width_m,
                "label_point": _line_label_point(r.geometry),
            },
        )
        for r in narrow(Road.objects.active(), "subdistrict")
    ]
    landmarks = [_kind_point(m) for m in narrow(Landmark.objects.active(), "subdistrict")]
    bounds = _bounds(subdistrict.geometry) if subdistrict and subdistrict.geometry else None
    return {
        "bounds": bounds,
        "outline": _collection(outline),
        "areas": _collection(areas),
        "grids": _collection(grids),
        "stations": _collection(stations),
        "buildings": _collection(buildings),
        "estates": _collection(estates),
        "roads": _collection(roads),
        "landmarks": _collection(landmarks),
    }

"""Writing places: grids and the outlines of the subdistrict, residential areas and estates.

Every function here validates its GeoJSON first (a Polygon or MultiPolygon, valid, in WGS84
longitude/latitude), writes in one audited transaction, tells the point → grid index when the
transaction commits, and then runs the tiling check over the active grids, returning its report
so the caller (admin, page, command) can warn about gaps and overlaps. A change that leaves the
tiling imperfect is still saved: grids are often redrawn one at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shapely
from django.db import models, transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gongzhi.audit import services as audit
from gongzhi.core.errors import ServiceError, validation_errors

from . import index
from .geo import GeometryError, area_m2, to_shape
from .models import Estate, Grid, GridStation, ResidentialArea, Subdistrict
from .selectors import current_subdistrict, tiling_report
from .tiling import TilingReport

M = TypeVar("M", bound=models.Model)

POLYGON_TYPES = ("Polygon", "MultiPolygon")
LINE_TYPES = ("LineString", "MultiLineString")
GRID_FIELDS = frozenset(
    {"code", "name", "kind", "station", "residential_area", "estate", "geometry"}
)


@dataclass(frozen=True)
class PlaceChange(Generic[M]):
    """What a places service saved, and the tiling check over the grids afterwards (None when
    the subdistrict has no outline to check against)."""

    obj: M
    tiling: TilingReport | None


# --- Validation ------------------------------------------------------------------------------


def _clean_geometry(geometry: Any, types: tuple[str, ...], wrong_type: str) -> tuple[Any, Any]:
    """(the geometry as GeoJSON, as a shapely shape) if it is one of `types`, in WGS84, else
    ServiceError. A GeoJSON Feature is unwrapped to its geometry."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not geometry:
        raise ServiceError(_("The geometry is missing."), code="geometry")
    if not isinstance(geometry, dict):
        raise ServiceError(_("The geometry must be a GeoJSON object."), code="geometry")
    kind = geometry.get("type")
    if kind not in types:
        raise ServiceError(wrong_type % {"type": kind or _("(no type)")}, code="geometry")
    try:
        geom = to_shape(geometry)
    except GeometryError as exc:
        raise ServiceError(
            _("The geometry's coordinates are not valid GeoJSON: %(error)s") % {"error": exc},
            code="geometry",
        ) from exc
    _check_wgs84(geom)
    return geometry, geom


def clean_polygon(geometry: Any) -> dict[str, Any]:
    """The GeoJSON geometry reduced to {"type", "coordinates"}, or ServiceError saying what is
    wrong with it. A GeoJSON Feature is unwrapped to its geometry."""
    geometry, geom = _clean_geometry(
        geometry,
        POLYGON_TYPES,
        _("The geometry must be a GeoJSON Polygon or MultiPolygon, not %(type)s."),
    )
    if not geom.is_valid:
        raise ServiceError(
            _("The geometry is not a valid polygon: %(reason)s.")
            % {"reason": explain_validity(geom)},
            code="geometry",
        )
    if geom.area <= 0:
        raise ServiceError(_("The geometry has no area."), code="geometry")
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def clean_line(geometry: Any) -> dict[str, Any]:
    """A road's centre line: a GeoJSON LineString or MultiLineString with a length, reduced to
    {"type", "coordinates"}, or ServiceError saying what is wrong with it."""
    geometry, geom = _clean_geometry(
        geometry,
        LINE_TYPES,
        _("The geometry must be a GeoJSON LineString or MultiLineString, not %(type)s."),
    )
    if geom.length <= 0:
        raise ServiceError(_("The line has no length."), code="geometry")
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def clean_point(*, lng: Any, lat: Any) -> tuple[float, float]:
    """(lng, lat) as floats if they are a plausible WGS84 position, else ServiceError."""
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("Longitude and latitude must be numbers."), code="geometry") from exc
    _check_wgs84(shapely.Point(x, y))
    return x, y


def _check_wgs84(geom: BaseGeometry) -> None:
    coords = shapely.get_coordinates(geom)
    for lng, lat in coords.tolist():
        if not (math.isfinite(lng) and math.isfinite(lat)) or abs(lng) > 180 or abs(lat) > 90:
            raise ServiceError(
                _(
                    "The coordinate [%(lng)s, %(lat)s] is not a WGS84 [longitude, latitude] "
                    "pair (longitude −180…180, latitude −90…90)."
                )
                % {"lng": lng, "lat": lat},
                code="geometry",
            )


def check_grid_relations(
    *, code: str, station: GridStation, area: ResidentialArea, estate: Estate | None
) -> None:
    if station.subdistrict_id != area.subdistrict_id:
        raise ServiceError(
            _("The grid station and the residential area belong to different subdistricts."),
            code="grid",
        )
    if estate is not None and estate.residential_area_id != area.pk:
        raise ServiceError(
            _("The estate %(estate)s is not in the residential area %(area)s.")
            % {"estate": estate.name, "area": area.name},
            code="grid",
        )
    prefix = area.subdistrict.code
    if not code.startswith(prefix):
        raise ServiceError(
            _("A unit-grid code of this subdistrict starts with %(prefix)s.") % {"prefix": prefix},
            code="grid",
        )


# --- The tiling check after a change ------------------------------------------------------------


def _tiling_after_change() -> TilingReport | None:
    subdistrict = current_subdistrict()
    if subdistrict is None or not subdistrict.geometry:
        return None
    return tiling_report(subdistrict=subdistrict)


def _refresh_index_on_commit() -> None:
    transaction.on_commit(index.invalidate)


# --- Grids ---------------------------------------------------------------------------------------


def grid_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    station: GridStation,
    residential_area: ResidentialArea,
    geometry: Any,
    estate: Estate | None = None,
    note: str = "",
) -> PlaceChange[Grid]:
    clean = clean_polygon(geometry)
    check_grid_relations(code=code, station=station, area=residential_area, estate=estate)
    with validation_errors(Grid), transaction.atomic():
        grid = audit.create(
            actor=actor,
            model=Grid,
            note=note,
            code=code,
            name=name,
            kind=kind,
            station=station,
            residential_area=residential_area,
            estate=estate,
            geometry=clean,
            area_m2=round(area_m2(clean), 2),
        )
        _refresh_index_on_commit()
    return PlaceChange(grid, _tiling_after_change())


def grid_update(*, actor: Any, grid: Grid, note: str = "", **changes: Any) -> PlaceChange[Grid]:
    """Change some of a grid's fields (code, name, kind, station, residential_area, estate,
    geometry). A new geometry is validated and its area recomputed."""
    unknown = set(changes) - GRID_FIELDS
    if unknown:
        raise ServiceError(
            _("These grid fields can't be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if "geometry" in changes:
        changes["geometry"] = clean_polygon(changes["geometry"])
        changes["area_m2"] = round(area_m2(changes["geometry"]), 2)
    check_grid_relations(
        code=changes.get("code", grid.code),
        station=changes.get("station", grid.station),
        area=changes.get("residential_area", grid.residential_area),
        estate=changes.get("estate", grid.estate),
    )
    with validation_errors(Grid), transaction.atomic():
        saved = audit.update(actor=actor, obj=grid, note=note, **changes)
        _refresh_index_on_commit()
    return PlaceChange(saved, _tiling_after_change())


def grid_archive(*, actor: Any, grid: Grid, note: str = "") -> PlaceChange[Grid]:
    """Archive a grid (it leaves the map, the index and the tiling, and stays in the records)."""
    with transaction.atomic():
        audit.archive(actor=actor, obj=grid, note=note)
        _refresh_index_on_commit()
    return PlaceChange(grid, _tiling_after_change())


def grid_restore(*, actor: Any, grid: Grid, note: str = "") -> PlaceChange[Grid]:
    with transaction.atomic():
        audit.restore(actor=actor, obj=grid, note=note)
        _refresh_index_on_commit()
    return PlaceChange(grid, _tiling_after_change())


# --- Outlines of the subdistrict, residential areas and estates -----------------------------------

Outlined = TypeVar("Outlined", Subdistrict, ResidentialArea, Estate)


def outline_update(
    *, actor: Any, obj: Outlined, geometry: Any, note: str = ""
) -> PlaceChange[Outlined]:
    """Set the outline of the subdistrict, a residential area or an estate (None clears it;
    the subdistrict's outline can't be cleared while it is what the grids are checked against)."""
    if geometry is None and not isinstance(obj, Subdistrict):
        clean = None
    else:
        clean = clean_polygon(geometry)
    with validation_errors(type(obj)), transaction.atomic():
        saved = audit.update(actor=actor, obj=obj, note=note, geometry=clean)
    tiling = _tiling_after_change() if isinstance(obj, Subdistrict) else None
    return PlaceChange(saved, tiling)

"""Geometry helpers: GeoJSON (WGS84 longitude/latitude) in, shapely out, areas in m².

Areas and distances are computed in a local tangent-plane projection around a fixed origin
(the ellipsoid's meridional and prime-vertical radii at the origin's latitude). Over a
subdistrict a few kilometres wide its scale error is below 0.01 %, far inside the 1 m² tiling
tolerance for the small gaps and overlaps that matter, and it needs no PROJ/GDAL install.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

WGS84_A = 6378137.0
WGS84_E2 = 0.00669437999014


class GeometryError(ValueError):
    """The GeoJSON is missing, malformed or of the wrong kind."""


def to_shape(geojson: dict[str, Any] | None) -> BaseGeometry:
    if not geojson or not isinstance(geojson, dict):
        raise GeometryError("no geometry")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several kinds for bad GeoJSON
        raise GeometryError(f"not a GeoJSON geometry: {exc}") from exc
    if geom.is_empty:
        raise GeometryError("empty geometry")
    return geom


def to_geojson(geom: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    """GeoJSON with coordinates rounded to ~1 cm (7 decimals of a degree)."""
    rounded = shapely.set_precision(geom, 10**-precision) if precision else geom
    return dict(mapping(rounded if not rounded.is_empty else geom))


class LocalProjection:
    """Metres east/north of `origin` (lon, lat); `forward` and `inverse` map whole geometries."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        phi = math.radians(lat0)
        s2 = math.sin(phi) ** 2
        m = WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * s2) ** 1.5  # meridional radius
        n = WGS84_A / math.sqrt(1 - WGS84_E2 * s2)  # prime-vertical radius
        self.kx = math.radians(1) * n * math.cos(phi)  # metres per degree of longitude
        self.ky = math.radians(1) * m  # metres per degree of latitude

    @classmethod
    def around(cls, geom: BaseGeometry) -> LocalProjection:
        c = geom.centroid
        return cls(c.x, c.y)

    def forward(self, geom: BaseGeometry) -> BaseGeometry:
        def f(coords: np.ndarray) -> np.ndarray:
            out = np.empty_like(coords)
            out[:, 0] = (coords[:, 0] - self.lon0) * self.kx
            out[:, 1] = (coords[:, 1] - self.lat0) * self.ky
            return out

        return shapely.transform(geom, f)

    def inverse(self, geom: BaseGeometry) -> BaseGeometry:
        def f(coords: np.ndarray) -> np.ndarray:
            out = np.empty_like(coords)
            out[:, 0] = coords[:, 0] / self.kx + self.lon0
            out[:, 1] = coords[:, 1] / self.ky + self.lat0
            return out

        return shapely.transform(geom, f)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)


def area_m2(
    geom: BaseGeometry | dict[str, Any], projection: LocalProjection | None = None
) -> float:
    g = to_shape(geom) if isinstance(geom, dict) else geom
    proj = projection or LocalProjection.around(g)
    return float(proj.forward(g).area)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine), for "within 100 m" searches."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def bbox_around(lat: float, lng: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a square around a point: an index-friendly
    prefilter before an exact distance check."""
    dlat = metres / 111_132.0
    dlng = metres / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng

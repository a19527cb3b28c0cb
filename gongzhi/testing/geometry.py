"""Small geometries for tests: rectangles in metres around a fixed origin near Caoyang."""

from __future__ import annotations

from typing import Any

from shapely.geometry import box

from gongzhi.places.geo import LocalProjection, to_geojson

ORIGIN = LocalProjection(121.405, 31.245)


def rect(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """GeoJSON polygon of the rectangle [x0, x1] × [y0, y1] in metres east/north of ORIGIN."""
    return to_geojson(ORIGIN.inverse(box(x0, y0, x1, y1)), precision=10)


def lnglat(x: float, y: float) -> tuple[float, float]:
    """(lng, lat) of the point x metres east and y metres north of ORIGIN."""
    lng = x / ORIGIN.kx + ORIGIN.lon0
    lat = y / ORIGIN.ky + ORIGIN.lat0
    return lng, lat

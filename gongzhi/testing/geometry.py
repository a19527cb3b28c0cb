"""Small geometries for tests: rectangles in metres around a fixed origin near Caoyang."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point, box

from gongzhi.places.geo import LocalProjection, to_geojson

ORIGIN = LocalProjection(121.405, 31.245)


def rect(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """GeoJSON polygon of the rectangle [x0, x1] × [y0, y1] in metres east/north of ORIGIN."""
    return to_geojson(ORIGIN.inverse(box(x0, y0, x1, y1)), precision=10)


def lnglat(x: float, y: float) -> tuple[float, float]:
    """(lng, lat) of the point x metres east and y metres north of ORIGIN, rounded like rect()'s
    corners so that a point on a rectangle's edge is exactly on it."""
    point = shapely.set_precision(ORIGIN.inverse(Point(x, y)), 10**-10)
    return point.x, point.y


def polygon(*points: tuple[float, float]) -> dict[str, Any]:
    """GeoJSON polygon through the given (x, y) points in metres (closed for you)."""
    ring = [list(lnglat(x, y)) for x, y in points]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def line(*points: tuple[float, float]) -> dict[str, Any]:
    """GeoJSON LineString through the given (x, y) points in metres."""
    return {"type": "LineString", "coordinates": [list(lnglat(x, y)) for x, y in points]}

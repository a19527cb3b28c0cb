"""Point → grid lookup through an STRtree spatial index.

The index is built from the active grids and kept per process; it is rebuilt when the grids
change. The version (how many grids, the latest `updated_at`, how many are archived and the
latest `archived_at`) is checked on every lookup, so a change made by another process or worker
is seen too; the places services also call `invalidate()` when their transaction commits.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from gongzhi.core.conf import product_setting

from .geo import to_shape


@dataclass(frozen=True)
class GridHit:
    grid_id: int
    code: str
    station_id: int
    residential_area_id: int


class GridIndex:
    def __init__(self, rows: list[tuple[GridHit, BaseGeometry]], version: Any) -> None:
        self.version = version
        self.hits = [hit for hit, _ in rows]
        self.shapes = [geom for _, geom in rows]
        for geom in self.shapes:
            shapely.prepare(geom)
        self.tree = STRtree(self.shapes) if self.shapes else None

    def lookup(self, lng: float, lat: float) -> GridHit | None:
        """The grid covering the point. A point on a shared boundary belongs to the grid with
        the lowest code, so the answer is deterministic; a point outside every grid gives None."""
        if self.tree is None:
            return None
        pt = Point(lng, lat)
        candidates = self.tree.query(pt)
        best: GridHit | None = None
        for k in candidates.tolist():
            if self.shapes[k].covers(pt):
                hit = self.hits[k]
                if best is None or hit.code < best.code:
                    best = hit
        return best


_lock = threading.Lock()
_index: GridIndex | None = None


def _current_version() -> Any:
    from django.db.models import Count, Max

    from .models import Grid

    agg = Grid.objects.aggregate(
        n=Count("id"),
        latest=Max("updated_at"),
        archived=Count("archived_at"),
        latest_archived=Max("archived_at"),
    )
    return (agg["n"], agg["latest"], agg["archived"], agg["latest_archived"])


def _build(version: Any) -> GridIndex:
    from .models import Grid

    rows = []
    for g in Grid.objects.active().only(
        "id", "code", "station_id", "residential_area_id", "geometry"
    ):
        rows.append(
            (GridHit(g.pk, g.code, g.station_id, g.residential_area_id), to_shape(g.geometry))
        )
    return GridIndex(rows, version)


_checked_at = 0.0


def grid_index() -> GridIndex:
    """The index of the active grids. Writes through gongzhi.places.services invalidate it at
    once; changes made by other processes are seen within settings.GONGZHI
    ["CACHE_CHECK_SECONDS"] (the version query runs at most that often)."""
    global _index, _checked_at
    index = _index
    now = time.monotonic()
    if index is not None and now - _checked_at < float(product_setting("CACHE_CHECK_SECONDS", 2.0)):
        return index
    version = _current_version()
    if index is None or index.version != version:
        with _lock:
            if _index is None or _index.version != version:
                _index = _build(version)
            index = _index
    _checked_at = now
    return index


def invalidate() -> None:
    global _index
    with _lock:
        _index = None

"""Point → grid lookup through an STRtree spatial index.

The index is built from the active grids and kept per process in a `core.cache.TableCache`; it
is rebuilt when the grids change. The version (how many grids, the latest `updated_at`, how many
are archived and the latest `archived_at`: archiving touches `archived_at` alone) is checked at
most every settings.GONGZHI["CACHE_CHECK_SECONDS"], so a change made by another process or
worker is seen too; the places services also call `invalidate()` when their transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from gongzhi.core.cache import TableCache

from .geo import to_shape
from .models import Grid


@dataclass(frozen=True)
class GridHit:
    grid_id: int
    code: str
    station_id: int
    residential_area_id: int
    subdistrict_id: int | None = None


class GridIndex:
    def __init__(self, rows: list[tuple[GridHit, BaseGeometry]]) -> None:
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


def _build() -> GridIndex:
    rows = []
    for (
        pk,
        code,
        station_id,
        area_id,
        subdistrict_id,
        geometry,
    ) in Grid.objects.active().values_list(
        "id",
        "code",
        "station_id",
        "residential_area_id",
        "residential_area__subdistrict_id",
        "geometry",
    ):
        rows.append((GridHit(pk, code, station_id, area_id, subdistrict_id), to_shape(geometry)))
    return GridIndex(rows)


_cache = TableCache(_build, Grid)


def grid_index() -> GridIndex:
    """The index of the active grids. Writes through gongzhi.places.services invalidate it at
    once; changes made by other processes are seen within settings.GONGZHI
    ["CACHE_CHECK_SECONDS"] (the version query runs at most that often)."""
    return _cache.get()


def invalidate() -> None:
    _cache.invalidate()

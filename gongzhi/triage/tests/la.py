"""A test subdistrict made of the Los Angeles neighbourhood councils, through the places
import (its GeoJSON kinds): the councils' union is the subdistrict's outline and each council is
a grid, so a 311 record is routed to a council exactly as a Caoyang report is routed to a grid.
Used by the real-file tests and the import benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

CODE = "990001001"  # a 9-digit subdistrict code no real one has


def la_places(geojson: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The FeatureCollection for the places import, and {grid code: council name}."""
    councils = sorted(
        json.loads(geojson.read_text())["features"], key=lambda f: int(f["properties"]["nc_id"])
    )
    outline = unary_union([shape(f["geometry"]) for f in councils])
    features = [
        {
            "type": "Feature",
            "geometry": mapping(outline),
            "properties": {"kind": "subdistrict", "code": CODE, "name": "Los Angeles (test)"},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"kind": "grid_station", "subdistrict": CODE, "number": 1, "name": "LA"},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "kind": "residential_area",
                "subdistrict": CODE,
                "code": "001",
                "name": "Neighborhood councils",
                "grid_station": 1,
            },
        },
    ]
    names = {}
    for i, f in enumerate(councils, start=1):
        code = f"{CODE}001{i:03d}"
        names[code] = f["properties"]["name"]
        features.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "kind": "grid",
                    "code": code,
                    "name": f["properties"]["name"][:100],
                    "subdistrict": CODE,
                    "station": 1,
                    "residential_area": "001",
                    "grid_kind": "road",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}, names


def make_la_subdistrict(geojson: Path) -> dict[str, str]:
    from gongzhi.places.geojson_io import import_places

    data, names = la_places(geojson)
    import_places(data=data, actor=None, source=geojson.name)
    return names


def plain_lookup(geojson: Path) -> Any:
    """The council code a plain shapely point-in-polygon lookup gives (first council by code
    that covers the point), as a function of (lng, lat)."""
    from shapely import STRtree
    from shapely.geometry import Point

    data, _ = la_places(geojson)
    grids = [(f["properties"]["code"], shape(f["geometry"])) for f in data["features"][3:]]
    tree = STRtree([g for _, g in grids])

    def lookup(lng: float, lat: float) -> str | None:
        pt = Point(lng, lat)
        hits = sorted(grids[i][0] for i in tree.query(pt).tolist() if grids[i][1].covers(pt))
        return hits[0] if hits else None

    return lookup

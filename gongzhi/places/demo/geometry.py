"""The demo subdistrict's shapes, generated from a seed and nothing else (no database).

An irregular outline of exactly 2.14 km² centred on 31.245°N 121.405°E; five grid-station regions
of four residential areas each; a road network (main roads and a few branch roads); three or four
estates per residential area (63 in all); unit grids of about 10,000 m² that tile the outline:
estate grids cut from the estates and road grids cut from the roads. Every shape is computed in
metres east/north of the centre (gongzhi.places.geo.LocalProjection) and partitions its parent
exactly, so the grids pass gongzhi.places.tiling.check_tiling.

Cuts are Voronoi cells of k-means centres of a 10 m lattice of sample points: convex, compact,
of similar size, and fully determined by the random generator passed in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from gongzhi.places.geo import LocalProjection

CENTRE_LNG, CENTRE_LAT = 121.405, 31.245
OUTLINE_AREA_M2 = 2_140_000.0
STATIONS = 5
AREAS_PER_STATION = 4
ESTATES = 63
UNIT_GRID_M2 = 10_000.0
SMALLEST_GRID_M2 = 2_000.0  # smaller slivers are merged into a neighbouring grid
LATTICE_M = 10.0
SNAP_M = 0.001  # final shapes are snapped to a 1 mm grid

# Main roads (north-south, then east-west) as fractions of the outline's extent, and branch roads
# between two main roads. Widths in metres, kerb to kerb.
NS_ROADS = (("枣阳路", 0.27, 24.0), ("兰溪路", 0.52, 30.0), ("梅岭北路", 0.77, 24.0))
EW_ROADS = (("花溪路", 0.79, 24.0), ("杏山路", 0.52, 20.0), ("桐柏路", 0.25, 24.0))
BRANCH_ROADS = (
    # name, orientation, position (fraction), between roads, width
    ("南石路", "ew", 0.38, ("枣阳路", "兰溪路"), 14.0),
    ("桂巷路", "ns", 0.64, ("桐柏路", "杏山路"), 14.0),
    ("棠浦路", "ew", 0.66, ("兰溪路", "梅岭北路"), 14.0),
)


@dataclass(frozen=True)
class Road:
    name: str
    width: float
    line: LineString


@dataclass
class GridShape:
    area: int  # index into Layout.areas
    kind: str  # "estate" | "road"
    geom: Polygon
    estate: int | None = None  # index into Layout.estates
    road: str = ""  # the road a road grid lies on


@dataclass
class EstateShape:
    area: int
    geom: BaseGeometry


@dataclass
class Layout:
    projection: LocalProjection
    outline: Polygon
    roads: list[Road]
    stations: list[Polygon]  # station i covers areas 4i … 4i+3
    areas: list[Polygon]
    estates: list[EstateShape]
    grids: list[GridShape]
    boundary_roads: list[Road]  # the roads along the outline (for addresses)

    def geojson(self, geom: BaseGeometry) -> dict[str, Any]:
        """GeoJSON (WGS84) of a shape given in metres."""
        return dict(mapping(self.projection.inverse(geom)))

    def lnglat(self, x: float, y: float) -> tuple[float, float]:
        p = self.projection
        return round(x / p.kx + p.lon0, 7), round(y / p.ky + p.lat0, 7)

    def nearest_road(self, geom: BaseGeometry) -> Road:
        """The road (inside the subdistrict) nearest to `geom`."""
        return min(self.roads, key=lambda r: (r.line.distance(geom), r.name))

    def address_road(self, geom: BaseGeometry) -> Road:
        """The road a place inside `geom` takes its address from: the nearest to a point inside
        it, boundary roads included."""
        pt = geom.representative_point()
        return min([*self.roads, *self.boundary_roads], key=lambda r: (r.line.distance(pt), r.name))


# --- Helpers --------------------------------------------------------------------------------------


def polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygonal parts of a geometry, largest first."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    parts: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        parts.extend(polygons(g))
    return sorted(parts, key=lambda p: -p.area)


def clean(geom: BaseGeometry) -> Polygon:
    """`geom` (one polygon) on the 1 mm grid."""
    snapped = polygons(shapely.set_precision(geom, SNAP_M))
    if len(snapped) != 1:
        raise ValueError(f"a shape fell apart on the {SNAP_M} m grid")
    return snapped[0]


def _reading_order(geom: BaseGeometry, row_m: float) -> tuple[float, float]:
    """North to south in rows of `row_m`, west to east within a row."""
    c = geom.centroid
    return (-round(c.y / row_m), c.x)


def _lattice(region: BaseGeometry, spacing: float = LATTICE_M) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    xs = np.arange(minx + spacing / 2, maxx, spacing)
    ys = np.arange(miny + spacing / 2, maxy, spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    inside = shapely.contains_xy(region, pts[:, 0], pts[:, 1])
    return pts[inside]


def _kmeans(points: np.ndarray, k: int, rng: random.Random, iterations: int = 30) -> np.ndarray:
    """k centres of the points (Lloyd's algorithm from k distinct points picked by `rng`)."""
    if len(points) <= k:
        return points.copy()
    centres = points[sorted(rng.sample(range(len(points)), k))].copy()
    for _ in range(iterations):
        d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = d.argmin(axis=1)
        moved = centres.copy()
        for j in range(k):
            members = points[labels == j]
            if len(members):
                moved[j] = members.mean(axis=0)
        if np.allclose(moved, centres, atol=0.01):
            break
        centres = moved
    return centres


def split(region: BaseGeometry, k: int, rng: random.Random) -> list[BaseGeometry]:
    """`region` cut into k compact pieces of similar area (they partition it exactly)."""
    if k <= 1:
        return [region]
    pts = _lattice(region)
    if len(pts) < k * 3:
        pts = _lattice(region, LATTICE_M / 4)
    centres = _kmeans(pts, k, rng)
    cells = shapely.voronoi_polygons(
        MultiPoint([tuple(c) for c in centres]),
        extend_to=region.envelope.buffer(100),
        ordered=True,
    )
    out = [region.intersection(cell) for cell in cells.geoms]
    return [g for g in out if not g.is_empty]


def _shared_length(a: BaseGeometry, b: BaseGeometry) -> float:
    return float(a.boundary.intersection(b.buffer(0.05)).length)


def make_connected(pieces: list[BaseGeometry]) -> list[Polygon]:
    """Each piece of a partition reduced to its largest polygon; the detached smaller parts are
    given to the neighbour they share the longest border with (the partition stays exact)."""
    result: list[BaseGeometry] = list(pieces)
    for i in range(len(result)):
        parts = polygons(result[i])
        if len(parts) <= 1:
            continue
        result[i] = parts[0]
        for part in parts[1:]:
            borders = [
                (_shared_length(part, other), j)
                for j, other in enumerate(result)
                if j != i and other.intersects(part.buffer(0.05))
            ]
            if not borders:
                result[i] = result[i].union(part)
                continue
            _, j = max(borders)
            result[j] = result[j].union(part)
    out: list[Polygon] = []
    for geom in result:
        parts = polygons(geom)
        out.append(parts[0] if len(parts) == 1 else shapely.unary_union(parts))
    return out  # type: ignore[return-value]


# --- The layout ---------------------------------------------------------------------------------


def _outline(rng: random.Random) -> Polygon:
    """A star-shaped, irregular polygon (a few low harmonics on an ellipse), scaled to the area."""
    n = 19
    rotation = rng.uniform(-0.25, 0.25)
    harmonics = [(k, rng.uniform(0.025, 0.06), rng.uniform(0, 2 * math.pi)) for k in (2, 3, 5)]
    pts = []
    for i in range(n):
        theta = 2 * math.pi * i / n + rng.uniform(-0.09, 0.09)
        r = 1 + sum(a * math.cos(k * theta + ph) for k, a, ph in harmonics)
        r *= 1 + rng.uniform(-0.03, 0.03)
        x, y = r * math.cos(theta) * 1.0, r * math.sin(theta) * 0.8
        pts.append(
            (
                x * math.cos(rotation) - y * math.sin(rotation),
                x * math.sin(rotation) + y * math.cos(rotation),
            )
        )
    poly = Polygon(pts)
    poly = shapely.affinity.scale(poly, *(2 * [math.sqrt(OUTLINE_AREA_M2 / poly.area)]))
    c = poly.centroid
    centred = shapely.affinity.translate(poly, -c.x, -c.y)
    return centred  # type: ignore[return-value]


def _roads(outline: Polygon, rng: random.Random) -> list[Road]:
    minx, miny, maxx, maxy = outline.bounds
    w, h = maxx - minx, maxy - miny
    lines: dict[str, Road] = {}
    for name, f, width in NS_ROADS:
        x = minx + w * (f + rng.uniform(-0.025, 0.025))
        tilt, bend = rng.uniform(-0.06, 0.06) * h, rng.uniform(-20, 20)
        line = LineString(
            [(x - tilt, miny - 50), (x + bend, (miny + maxy) / 2), (x + tilt, maxy + 50)]
        )
        lines[name] = Road(name, width, line)
    for name, f, width in EW_ROADS:
        y = miny + h * (f + rng.uniform(-0.025, 0.025))
        tilt, bend = rng.uniform(-0.06, 0.06) * w, rng.uniform(-20, 20)
        line = LineString(
            [(minx - 50, y - tilt), ((minx + maxx) / 2, y + bend), (maxx + 50, y + tilt)]
        )
        lines[name] = Road(name, width, line)
    for name, orientation, f, (a, b), width in BRANCH_ROADS:
        if orientation == "ew":
            y = miny + h * (f + rng.uniform(-0.02, 0.02))
            probe = LineString([(minx - 50, y), (maxx + 50, y)])
        else:
            x = minx + w * (f + rng.uniform(-0.02, 0.02))
            probe = LineString([(x, miny - 50), (x, maxy + 50)])
        ends = [probe.intersection(lines[r].line) for r in (a, b)]
        if any(e.is_empty or not isinstance(e, Point) for e in ends):
            continue
        lines[name] = Road(name, width, LineString([(e.x, e.y) for e in ends]))  # type: ignore[attr-defined]
    return list(lines.values())


def _boundary_roads(outline: Polygon) -> list[Road]:
    """The outline's edges named by the side they face: they follow the roads that bound the
    subdistrict (中山北路 to the north, 曹杨路 to the east, 武宁路 to the south, 枫桥路 to the
    west)."""
    c = outline.centroid
    coords = list(outline.exterior.coords)[:-1]
    edges = list(zip(coords, coords[1:] + coords[:1], strict=True))

    def side(edge: tuple[tuple[float, float], tuple[float, float]]) -> str:
        (x0, y0), (x1, y1) = edge
        angle = math.degrees(math.atan2((y0 + y1) / 2 - c.y, (x0 + x1) / 2 - c.x))
        if -45 <= angle < 45:
            return "曹杨路"
        if 45 <= angle < 135:
            return "中山北路"
        if -135 <= angle < -45:
            return "武宁路"
        return "枫桥路"

    names = [side(e) for e in edges]
    start = next((i for i in range(len(names)) if names[i] != names[i - 1]), 0)
    edges, names = edges[start:] + edges[:start], names[start:] + names[:start]
    roads: list[Road] = []
    run: list[tuple[float, float]] = []
    for k, (edge, name) in enumerate(zip(edges, names, strict=True)):
        run = run or [edge[0]]
        run.append(edge[1])
        if k == len(edges) - 1 or names[k + 1] != name:
            roads.append(Road(name, 0.0, LineString(run)))
            run = []
    return roads


def _corridor(outline: Polygon, roads: list[Road]) -> BaseGeometry:
    bands = [r.line.buffer(r.width / 2, cap_style="flat", join_style="mitre") for r in roads]
    return shapely.unary_union(bands).intersection(outline)


def _absorb_small(cells: list[GridShape]) -> list[GridShape]:
    """Merge grids below SMALLEST_GRID_M2 into a neighbour in the same residential area: one of
    the same estate first, then of the same kind, then the one with the longest shared border."""
    cells = list(cells)
    alone: set[int] = set()  # small cells without a neighbour in their area stay as they are
    while True:
        small = [c for c in cells if c.geom.area < SMALLEST_GRID_M2 and id(c) not in alone]
        if not small:
            return cells
        cell = min(small, key=lambda c: c.geom.area)
        best: tuple[tuple[int, int, float], GridShape] | None = None
        for other in cells:
            if other is cell or other.area != cell.area:
                continue
            if not other.geom.intersects(cell.geom.buffer(0.05)):
                continue
            length = _shared_length(cell.geom, other.geom)
            if length <= 0 or len(polygons(other.geom.union(cell.geom))) != 1:
                continue
            rank = (
                int(cell.estate is not None and other.estate == cell.estate),
                int(other.kind == cell.kind),
                length,
            )
            if best is None or rank > best[0]:
                best = (rank, other)
        if best is None:
            alone.add(id(cell))
            continue
        target = best[1]
        target.geom = polygons(target.geom.union(cell.geom))[0]
        cells.remove(cell)


def _snap(cells: list[GridShape]) -> list[GridShape]:
    """The grids on a 1 mm grid. Slivers thinner than that (left where an overlay met a nearly
    parallel edge) collapse: valid in metres, they would become self-intersections once the
    coordinates are converted to degrees. A grid that falls apart where such a sliver held it
    together keeps its largest part; a large other part becomes a grid of its own, a small one
    joins a neighbour. Shared vertices snap alike, so neighbours stay edge to edge."""
    out: list[GridShape] = []
    crumbs: list[tuple[GridShape, Polygon]] = []
    for cell in cells:
        parts = polygons(shapely.set_precision(cell.geom, SNAP_M))
        if not parts:
            continue
        cell.geom = parts[0]
        out.append(cell)
        for part in parts[1:]:
            if part.area >= SMALLEST_GRID_M2:
                out.append(GridShape(cell.area, cell.kind, part, cell.estate, cell.road))
            else:
                crumbs.append((cell, part))
    for owner, part in sorted(crumbs, key=lambda c: -c[1].area):
        near = [
            k
            for k, o in enumerate(out)
            if o.area == owner.area and o.geom.intersects(part.buffer(SNAP_M))
        ]
        near.sort(
            key=lambda k: (
                -int(owner.estate is not None and out[k].estate == owner.estate),
                -int(out[k].kind == owner.kind),
                -_shared_length(part, out[k].geom),
                k,
            )
        )
        for k in near:
            merged = polygons(out[k].geom.union(part, grid_size=SNAP_M))
            if len(merged) == 1:
                out[k].geom = merged[0]
                break
        else:
            if part.area > 0.5:
                out.append(GridShape(owner.area, owner.kind, part, owner.estate, owner.road))
    return out


def estates_per_area(areas: list[Polygon]) -> list[int]:
    """Three estates per residential area, four in the largest ones: 63 in all."""
    counts = [ESTATES // len(areas)] * len(areas)
    by_size = sorted(range(len(areas)), key=lambda i: (-areas[i].area, i))
    for i in by_size[: ESTATES - sum(counts)]:
        counts[i] += 1
    return counts


def _estates_in(land: BaseGeometry, n: int, rng: random.Random) -> list[BaseGeometry]:
    """`land` (an area's blocks between roads) cut into n estates: the estates are shared out
    over the blocks by area (largest remainder); a block left without one joins the estate
    nearest to it. Returned in reading order."""
    blocks = polygons(land)
    total = sum(b.area for b in blocks)
    quotas = [n * b.area / total for b in blocks]
    shares = [int(q) for q in quotas]
    by_remainder = sorted(range(len(blocks)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: n - sum(shares)]:
        shares[i] += 1
    estates: list[BaseGeometry] = []
    for block, share in zip(blocks, shares, strict=True):
        if share:
            estates.extend(split(block, share, rng))
    for block, share in zip(blocks, shares, strict=True):
        if not share:
            j = min(range(len(estates)), key=lambda k: (estates[k].distance(block), k))
            estates[j] = estates[j].union(block)
    return sorted(estates, key=lambda g: _reading_order(g, 120))


def build_layout(rng: random.Random) -> Layout:
    projection = LocalProjection(CENTRE_LNG, CENTRE_LAT)
    outline = _outline(rng)
    roads = _roads(outline, rng)
    corridor = _corridor(outline, roads)

    stations = make_connected(split(outline, STATIONS, rng))
    stations.sort(key=lambda g: _reading_order(g, 500))
    areas: list[Polygon] = []
    for region in stations:
        parts = make_connected(split(region, AREAS_PER_STATION, rng))
        areas.extend(sorted(parts, key=lambda g: _reading_order(g, 250)))

    estates: list[EstateShape] = []
    grids: list[GridShape] = []
    for a, (area, n_estates) in enumerate(zip(areas, estates_per_area(areas), strict=True)):
        land = area.difference(corridor)
        cells: list[GridShape] = []
        first = len(estates)
        for cell in _estates_in(land, n_estates, rng):
            e = len(estates)
            estates.append(EstateShape(a, cell))
            for part in polygons(cell):
                k = max(1, round(part.area / UNIT_GRID_M2))
                for piece in split(part, k, rng):
                    cells.extend(GridShape(a, "estate", p, estate=e) for p in polygons(piece))
        assert len(estates) - first == n_estates
        for part in polygons(area.intersection(corridor)):
            k = max(1, round(part.area / UNIT_GRID_M2))
            for piece in split(part, k, rng):
                cells.extend(GridShape(a, "road", p) for p in polygons(piece))
        cells = _absorb_small(cells)
        for e in {c.estate for c in cells if c.estate is not None}:
            estates[e].geom = shapely.unary_union([c.geom for c in cells if c.estate == e])
        grids.extend(cells)

    grids = _snap(grids)
    for e, estate in enumerate(estates):
        estate.geom = shapely.unary_union(
            [g.geom for g in grids if g.estate == e], grid_size=SNAP_M
        )
    outline = clean(outline)
    stations = [clean(s) for s in stations]
    areas = [clean(a) for a in areas]
    layout = Layout(
        projection, outline, roads, stations, areas, estates, grids, _boundary_roads(outline)
    )
    for grid in grids:
        if grid.kind == "road":
            grid.road = layout.nearest_road(grid.geom.representative_point()).name
    return layout


def pick_sites(layout: Layout, n: int, rng: random.Random) -> list[tuple[int, Point]]:
    """n points inside estate grids, each in a different residential area: (grid index, point)."""
    candidates = [i for i, g in enumerate(layout.grids) if g.kind == "estate"]
    chosen: list[tuple[int, Point]] = []
    used_areas: set[int] = set()
    for i in rng.sample(candidates, len(candidates)):
        grid = layout.grids[i]
        if grid.area in used_areas:
            continue
        used_areas.add(grid.area)
        chosen.append((i, grid.geom.representative_point()))
        if len(chosen) == n:
            break
    return chosen

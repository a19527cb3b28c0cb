"""Seed stage "places": the subdistrict, its 5 grid stations, 20 residential areas, 63 estates,
the unit grids that tile it, the office buildings and business parks (楼宇/园区) and the roads
with their names (the landmarks, which are organisations' sites, come with the org stage).

The numbers are those of the source report (BRIEF.md): 2.14 km², 20 residential areas, 63
estates, about 88,000 registered and 107,000 resident people, 5 grid stations. Names of areas
and estates are synthetic but follow the place (曹杨一村 … 曹杨八村, 杏梅园, 杏杨 …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from shapely.geometry.base import BaseGeometry

from gongzhi.core.seeding import SeedContext
from gongzhi.core.seeding.names import PersonalData
from gongzhi.places.models import (
    Building,
    Estate,
    Grid,
    GridStation,
    ResidentialArea,
    Road,
    Subdistrict,
)

from . import geometry

SUBDISTRICT = {
    "code": "310107005",
    "name": "曹杨新村街道",
    "district": "普陀区",
    "city": "上海市",
    "area_km2": Decimal("2.14"),
    "registered_population": 88_000,
    "resident_population": 107_000,
}

# Residential areas in code order (001 …); grid station n covers areas 4(n-1)+1 … 4n.
AREA_NAMES = (
    "杏梅园", "杏杨", "曹杨一村", "北岭",
    "曹杨二村", "曹杨三村", "桂巷", "枣阳",
    "兰溪", "曹杨四村", "曹杨五村", "花溪",
    "南岭", "梅岭", "曹杨六村", "曹杨七村",
    "桐柏", "兰花", "曹杨八村", "沙溪",
)  # fmt: skip
XINGMEIYUAN, XINGYANG = 0, 1  # indexes of the two areas the report names

STATION_NAMES = (
    "第一网格工作站",
    "第二网格工作站",
    "第三网格工作站",
    "第四网格工作站",
    "第五网格工作站",
)
STATION_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")

# When the estates of an area were built: the first workers' new village (1951) and its
# extensions, then the infill of the 1980s–2000s.
BUILT = {
    "曹杨一村": (1951, 1952),
    "曹杨二村": (1952, 1953),
    "曹杨三村": (1952, 1954),
    "曹杨四村": (1953, 1956),
    "曹杨五村": (1954, 1958),
    "曹杨六村": (1956, 1960),
    "曹杨七村": (1958, 1965),
    "曹杨八村": (1960, 1975),
}
BUILT_DEFAULT = (1978, 2006)

ROAD_OVERHANG_M = 30.0  # roads are drawn this far past the outline, to the roads around it

ESTATE_SUFFIXES = ("新苑", "公寓", "一街坊", "二街坊", "三街坊", "新村", "苑", "大楼")

BUILDING_KINDS = (
    ("商务大厦", Building.Kind.OFFICE),
    ("科创园", Building.Kind.PARK),
    ("企业大楼", Building.Kind.OFFICE),
    ("创意园", Building.Kind.PARK),
    ("商务中心", Building.Kind.OFFICE),
    ("数码园", Building.Kind.PARK),
)


@dataclass
class Places:
    """What the places stage made, for the later stages."""

    layout: geometry.Layout
    subdistrict: Subdistrict
    stations: list[GridStation]
    areas: list[ResidentialArea]
    estates: list[Estate]
    grids: list[Grid]
    buildings: list[Building]
    grids_by_station: dict[int, list[Grid]] = field(default_factory=dict)
    # A few addresses per area, on its nearest roads, for the people who live there.
    lanes: dict[int, list[str]] = field(default_factory=dict)


class _Lanes:
    """House and lane numbers along each road: odd on one side, even on the other, rising
    along the road, never twice the same."""

    def __init__(self, layout: geometry.Layout) -> None:
        self.layout = layout
        self.used: set[tuple[str, int]] = set()

    def number(self, geom: BaseGeometry) -> tuple[str, int]:
        road = self.layout.address_road(geom)
        pt = geom.representative_point()
        along = road.line.project(pt)
        start = road.line.interpolate(max(0.0, along - 1))
        end = road.line.interpolate(along + 1)
        side = (end.x - start.x) * (pt.y - start.y) - (end.y - start.y) * (pt.x - start.x)
        n = 10 + int(along / 6)
        if n % 2 != (1 if side > 0 else 0):
            n += 1
        while (road.name, n) in self.used:
            n += 2
        self.used.add((road.name, n))
        return road.name, n


def _shares(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up exactly."""
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    for i in sorted(range(len(out)), key=lambda i: (out[i] - quotas[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def _estate_names(area: int, n: int, rng: random.Random) -> list[str]:
    base = AREA_NAMES[area]
    first = base if base.startswith("曹杨") else f"{base}小区"
    options = [s for s in ESTATE_SUFFIXES if not (base.endswith("园") and s.endswith("苑"))]
    return [first, *(base + s for s in rng.sample(options, n - 1))]


def run(ctx: SeedContext) -> None:
    layout = geometry.build_layout(ctx.rng("geometry"))
    rng = ctx.rng("places")
    personal = PersonalData(ctx.rng("places/phones"))
    lanes = _Lanes(layout)

    (subdistrict,) = ctx.create(
        Subdistrict, [Subdistrict(geometry=layout.geojson(layout.outline), **SUBDISTRICT)]
    )

    ctx.create(Road, _roads(layout, subdistrict))

    stations: list[GridStation] = []
    for i in range(len(layout.stations)):
        first_area = layout.areas[i * geometry.AREAS_PER_STATION]
        site = first_area.representative_point()
        road, n = lanes.number(site)
        lng, lat = layout.lnglat(site.x, site.y)
        stations.append(
            GridStation(
                subdistrict=subdistrict,
                number=i + 1,
                name=STATION_NAMES[i],
                address=f"{road}{n}号",
                lat=lat,
                lng=lng,
                colour=STATION_COLOURS[i],
            )
        )
    stations = ctx.create(GridStation, stations)

    population = _shares(
        SUBDISTRICT["resident_population"],  # type: ignore[arg-type]
        [a.area * rng.uniform(0.85, 1.15) for a in layout.areas],
    )
    areas: list[ResidentialArea] = []
    households: list[int] = []
    for i, (geom, people) in enumerate(zip(layout.areas, population, strict=True)):
        road, n = lanes.number(geom.centroid)
        households.append(round(people / rng.uniform(2.55, 2.85)))
        areas.append(
            ResidentialArea(
                subdistrict=subdistrict,
                code=f"{i + 1:03d}",
                name=f"{AREA_NAMES[i]}居民区",
                grid_station=stations[i // geometry.AREAS_PER_STATION],
                committee_address=f"{road}{n}弄{rng.randrange(1, 30)}号",
                office_phone=personal.landline(),
                households=households[-1],
                population=people,
                geometry=layout.geojson(geom),
            )
        )
    areas = ctx.create(ResidentialArea, areas)

    # Estates: names, lanes, households (adding up to the area's), buildings, year built.
    estate_rows: list[Estate] = []
    by_area: dict[int, list[int]] = {}
    for e, shape in enumerate(layout.estates):
        by_area.setdefault(shape.area, []).append(e)
    estate_names: dict[int, str] = {}
    estate_households: dict[int, int] = {}
    for a, members in sorted(by_area.items()):
        names = _estate_names(a, len(members), rng)
        shares = _shares(
            households[a], [layout.estates[e].geom.area * rng.uniform(0.7, 1.3) for e in members]
        )
        for e, name, hh in zip(members, names, shares, strict=True):
            estate_names[e], estate_households[e] = name, hh
    for e, shape in enumerate(layout.estates):
        lo, hi = BUILT.get(AREA_NAMES[shape.area], BUILT_DEFAULT)
        year = rng.randint(lo, hi)
        per_building = rng.randint(24, 40) if year < 1980 else rng.randint(40, 96)
        road, n = lanes.number(shape.geom)
        hh = estate_households[e]
        estate_rows.append(
            Estate(
                residential_area=areas[shape.area],
                name=estate_names[e],
                address=f"{road}{n}弄",
                households=hh,
                buildings=max(1, round(hh / per_building)),
                built_year=year,
                geometry=layout.geojson(shape.geom),
            )
        )
    estates = ctx.create(Estate, estate_rows)

    grids = ctx.create(Grid, _grid_rows(layout, stations, areas, estates))
    grids_by_station: dict[int, list[Grid]] = {}
    for g in grids:
        grids_by_station.setdefault(g.station_id, []).append(g)

    buildings: list[Building] = []
    sites = geometry.pick_sites(layout, len(BUILDING_KINDS), ctx.rng("places/buildings"))
    for (suffix, kind), (gi, pt) in zip(BUILDING_KINDS, sites, strict=True):
        road, n = lanes.number(pt)
        lng, lat = layout.lnglat(pt.x, pt.y)
        enterprises = rng.randint(20, 80) if kind == Building.Kind.OFFICE else rng.randint(30, 120)
        buildings.append(
            Building(
                name=f"{road}{suffix}",
                kind=kind,
                address=f"{road}{n}号",
                residential_area=areas[layout.grids[gi].area],
                grid=grids[gi],
                lat=lat,
                lng=lng,
                enterprises=enterprises,
                workers=enterprises * rng.randint(15, 40),
            )
        )
    buildings = ctx.create(Building, buildings)

    lane_addresses: dict[int, list[str]] = {}
    for e, estate in enumerate(estates):
        lane_addresses.setdefault(layout.estates[e].area, []).append(estate.address)
    ctx.made["places"] = Places(
        layout=layout,
        subdistrict=subdistrict,
        stations=stations,
        areas=areas,
        estates=estates,
        grids=grids,
        buildings=buildings,
        grids_by_station=grids_by_station,
        lanes=lane_addresses,
    )


def _roads(layout: geometry.Layout, subdistrict: Subdistrict) -> list[Road]:
    """The roads inside the subdistrict (a little past its outline, where they meet the roads
    around it) and the boundary roads, each name once."""
    main = {name for name, *_ in (*geometry.NS_ROADS, *geometry.EW_ROADS)}
    reach = layout.outline.buffer(ROAD_OVERHANG_M)
    rows: list[tuple[str, str, float | None, BaseGeometry]] = []
    for road in layout.roads:
        line = road.line.intersection(reach)
        if line.is_empty:
            continue
        kind = Road.Kind.MAIN if road.name in main else Road.Kind.BRANCH
        rows.append((road.name, kind, road.width, line))
    sides: dict[str, list[BaseGeometry]] = {}
    for road in layout.boundary_roads:
        sides.setdefault(road.name, []).append(road.line)
    for name, lines in sides.items():
        rows.append((name, Road.Kind.BOUNDARY, None, shapely.line_merge(shapely.union_all(lines))))
    return [
        Road(
            subdistrict=subdistrict,
            name=name,
            kind=kind,
            width_m=width,
            geometry=layout.geojson(shapely.set_precision(line, geometry.SNAP_M)),
        )
        for name, kind, width, line in rows
    ]


def _grid_rows(
    layout: geometry.Layout,
    stations: list[GridStation],
    areas: list[ResidentialArea],
    estates: list[Estate],
) -> list[Grid]:
    """Grid rows in layout order (so layout.grids[i] is rows[i]); codes are 310107005 + the
    area's 3-digit code + a 3-digit sequence: estate grids first, estate by estate, then road
    grids, each in reading order."""
    order: dict[int, list[int]] = {}
    for i, g in enumerate(layout.grids):
        order.setdefault(g.area, []).append(i)
    codes: dict[int, str] = {}
    names: dict[int, str] = {}
    for a, members in order.items():

        def key(i: int) -> tuple[int, str, int, float, float]:
            g = layout.grids[i]
            c = g.geom.centroid
            return (
                0 if g.kind == "estate" else 1,
                g.road,
                g.estate if g.estate is not None else -1,
                -round(c.y / 40),
                c.x,
            )

        members.sort(key=key)
        groups: dict[tuple[str, int | None], list[int]] = {}
        for i in members:
            g = layout.grids[i]
            groups.setdefault((g.road, g.estate), []).append(i)
        for seq, i in enumerate(members, start=1):
            codes[i] = f"{SUBDISTRICT['code']}{areas[a].code}{seq:03d}"
            g = layout.grids[i]
            group = groups[(g.road, g.estate)]
            number = f"{group.index(i) + 1}号" if len(group) > 1 else ""
            if g.kind == "estate":
                assert g.estate is not None
                names[i] = f"{estates[g.estate].name}{number}网格"
            else:
                names[i] = f"{g.road}{AREA_NAMES[a]}段{number}网格"
    rows: list[Grid] = []
    for i, g in enumerate(layout.grids):
        rows.append(
            Grid(
                code=codes[i],
                name=names[i],
                kind=Grid.Kind.ESTATE if g.kind == "estate" else Grid.Kind.ROAD,
                station=stations[g.area // geometry.AREAS_PER_STATION],
                residential_area=areas[g.area],
                estate=estates[g.estate] if g.estate is not None else None,
                geometry=layout.geojson(g.geom),
                area_m2=round(g.geom.area, 1),
            )
        )
    return rows

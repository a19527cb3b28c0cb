"""The kinds of disagreement between the neighbourhood council a plain point-in-polygon lookup
gives (the 2019 boundaries, as the LA 311 import routes records to grids) and each 311 record's
own NCName, per file. Reads ../shared/data/la311/ (see docs/la311.md for the results).

    .venv/bin/python bench/la311_agreement.py
"""

import csv
import json
import math
import re
from collections import Counter
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.strtree import STRtree

base = str(Path(__file__).resolve().parents[2] / "shared" / "data" / "la311") + "/"
feats = json.load(open(base + "boundaries/neighborhood_councils_2019.geojson"))["features"]
polys = [shape(f["geometry"]) for f in feats]
names = [f["properties"]["name"] for f in feats]
tree = STRtree(polys)
by_name = dict(zip(names, polys, strict=True))


def norm(s):
    s = s.upper().replace("&", "AND")
    s = re.sub(r"\bNEIGHBORHOOD COUNCIL\b|\bNC\b|\bCOMMUNITY COUNCIL\b|\bCC\b", "", s)
    return re.sub(r"[^A-Z0-9]", "", s)


norm_names = {}
for n in names:
    norm_names.setdefault(norm(n), n)


def metres(pt, poly):
    d = poly.distance(pt)
    return d * 111320 * math.cos(math.radians(pt.y))


for fn in ("la311_2017_subset.csv", "la311_2018_mini.csv"):
    kinds = Counter()
    examples = {}
    routed = agree = 0
    for r in csv.DictReader(open(base + fn, encoding="utf-8")):
        try:
            lat, lng = float(r["Latitude"]), float(r["Longitude"])
        except ValueError:
            kinds["no coordinates"] += 1
            continue
        pt = Point(lng, lat)
        hit = [i for i in tree.query(pt) if polys[i].covers(pt)]
        if not hit:
            kinds["outside every 2019 council"] += 1
            continue
        got = names[hit[0]]
        routed += 1
        nc = r["NCName"].strip()
        if got == nc:
            agree += 1
            continue
        if not nc:
            k = "record has no NCName"
        elif norm(nc) == norm(got):
            k = "same council, spelled differently"
        elif norm(nc) not in norm_names:
            k = "NCName is not a 2019 council (renamed, split or merged since)"
        else:
            other = by_name[norm_names[norm(nc)]]
            m = metres(pt, other)
            k = (
                "point within 200 m of the named council (boundary moved or point on the line)"
                if m <= 200
                else "named council is more than 200 m away (address geocoded elsewhere)"
            )
        kinds[k] += 1
        examples.setdefault(k, Counter())[(nc, got)] += 1
    dis = routed - agree
    print(f"## {fn}: {routed} routed, {agree} agree ({agree / routed:.1%}), {dis} disagree")
    for k, n in kinds.most_common():
        print(f"  {n:6d}  {k}")
        for pair, c in (examples.get(k) or Counter()).most_common(4):
            print(f"          {c:5d}  {pair[0]!r} -> {pair[1]!r}")

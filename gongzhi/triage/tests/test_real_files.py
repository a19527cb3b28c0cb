"""Each profile on the real files of ../shared/data (skipped, saying why, when they are not
there), and on the shipped samples (always)."""

from __future__ import annotations

import csv

import pytest

from gongzhi.cases.catalogue import load_catalogue
from gongzhi.cases.models import Case
from gongzhi.places.models import Grid
from gongzhi.places.tests.factories import SubdistrictFactory
from gongzhi.triage import importer
from gongzhi.triage.models import ImportProfile
from gongzhi.triage.tests.conftest import SAMPLES, shared
from gongzhi.triage.tests.la import make_la_subdistrict, plain_lookup


@pytest.fixture
def catalogue(db):
    from gongzhi.cases import sla
    from gongzhi.places import index

    load_catalogue()
    sla.invalidate()
    index.invalidate()
    yield
    sla.invalidate()
    index.invalidate()


def _fast_caches(settings):
    """Per-process caches checked every 10 minutes (not on every read, as in the other tests),
    as in production: 10,000 rows then take seconds, not minutes. Emptied once the places and
    the catalogue are in."""
    from gongzhi.cases import sla
    from gongzhi.places import index

    settings.GONGZHI = {**settings.GONGZHI, "CACHE_CHECK_SECONDS": 600}
    sla.invalidate()
    index.invalidate()


def rows_of(profile, path, actor=None):
    return list(importer.read_rows(profile=profile, path=path, name=path.name, actor=actor))


def test_the_hotline_messages_profile_on_the_shipped_sample(catalogue):
    SubdistrictFactory()  # the installation's: where the messages (no place) are filed
    profile = ImportProfile.objects.get(key="hotline-messages")
    path = SAMPLES / "labelled_sample.csv"
    result = importer.check_file(profile=profile, path=path, name=path.name, actor=None)
    assert result.ok and result.rows == 70
    result = importer.commit_file(profile=profile, path=path, name=path.name, actor=None)
    assert result.created == 70
    case = Case.objects.get(external_ref="186289")  # the first message of the file
    assert (
        case.title == "A市妇幼保健院对待胎死腹中事故置之不理" and case.category.code == "H09-03-01"
    )
    assert case.received_at.year == 2016
    again = importer.commit_file(profile=profile, path=path, name=path.name, actor=None)
    assert again.unchanged == 70


@pytest.mark.parametrize(
    "name", ["labelled.csv", "unlabelled.csv", "with_votes.csv", "with_replies.csv"]
)
def test_the_hotline_messages_profile_on_every_real_file(catalogue, name, settings):
    _fast_caches(settings)
    path = shared("hotline_messages", name)
    profile = ImportProfile.objects.get(key="hotline-messages")
    result = importer.check_file(profile=profile, path=path, name=name, actor=None)
    expected = sum(1 for _ in csv.DictReader(open(path, encoding="utf-8")))
    assert result.rows == expected
    # The only rows refused: messages longer than the intake contract's 4,000 characters.
    assert {p.column for p in result.problems} <= {"留言详情"}
    assert result.bad_rows <= 5


def _box_subdistrict(points):
    """A test subdistrict of two grids (west and east halves) around the points."""
    from gongzhi.places.geojson_io import import_places

    lngs = [p[0] for p in points]
    lats = [p[1] for p in points]
    x0, x1, y0, y1 = min(lngs) - 0.01, max(lngs) + 0.01, min(lats) - 0.01, max(lats) + 0.01
    mid = (x0 + x1) / 2

    def box(a, b):
        return {"type": "Polygon", "coordinates": [[[a, y0], [b, y0], [b, y1], [a, y1], [a, y0]]]}

    code = "990002001"
    base = {"subdistrict": code, "station": 1, "residential_area": "001", "grid_kind": "road"}
    features = [
        {
            "type": "Feature",
            "geometry": box(x0, x1),
            "properties": {"kind": "subdistrict", "code": code, "name": "LA sample"},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {"kind": "grid_station", "subdistrict": code, "number": 1, "name": "S"},
        },
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "kind": "residential_area",
                "subdistrict": code,
                "code": "001",
                "name": "A",
                "grid_station": 1,
            },
        },
        {
            "type": "Feature",
            "geometry": box(x0, mid),
            "properties": {"kind": "grid", "code": code + "001001", "name": "West", **base},
        },
        {
            "type": "Feature",
            "geometry": box(mid, x1),
            "properties": {"kind": "grid", "code": code + "001002", "name": "East", **base},
        },
    ]
    import_places(data={"type": "FeatureCollection", "features": features}, actor=None)
    return mid


def test_the_la311_profile_on_the_shipped_sample(catalogue):
    path = SAMPLES / "la311_sample.csv"
    records = list(csv.DictReader(open(path, encoding="utf-8")))
    mid = _box_subdistrict([(float(r["Longitude"]), float(r["Latitude"])) for r in records])
    profile = ImportProfile.objects.get(key="la311")
    assert importer.check_file(profile=profile, path=path, name=path.name, actor=None).ok
    result = importer.commit_file(profile=profile, path=path, name=path.name, actor=None)
    assert result.created == 40
    case = Case.objects.get(external_ref="1-1262691971")  # 9757 N RESEDA BLVD, Graffiti Removal
    assert case.category.code == "H01-03-01" and case.grid.name == (
        "West" if case.lng < mid else "East"
    )
    assert case.description == "Graffiti Removal\n\n9757 N RESEDA BLVD, 91324"
    assert (case.received_at.month, case.received_at.day) == (12, 31)


@pytest.mark.slow
def test_la311_records_are_routed_as_a_plain_point_in_polygon_lookup(catalogue, settings):
    """Every record of both files: the grid the intake routes it to is the council a plain
    shapely lookup gives; the agreement with the record's own NCName is reported (boundaries
    moved between the records' years and 2019's councils, and names were respelled)."""
    geojson = shared("la311", "boundaries", "neighborhood_councils_2019.geojson")
    files = [shared("la311", n) for n in ("la311_2017_subset.csv", "la311_2018_mini.csv")]
    names = make_la_subdistrict(geojson)
    _fast_caches(settings)
    profile = ImportProfile.objects.get(key="la311")
    codes = dict(Grid.objects.values_list("pk", "code"))
    lookup = plain_lookup(geojson)
    for path in files:
        nc_names = [r["NCName"] for r in csv.DictReader(open(path, encoding="utf-8"))]
        routed = agree = outside = 0
        for row in rows_of(profile, path):
            lat, lng = row.report["lat"], row.report["lng"]
            if lat is None:
                continue
            plain = lookup(lng, lat)
            if row.checked is None:
                assert plain is None, row.problems
                outside += 1
                continue
            got = codes[row.checked.grid.grid_id]
            assert got == plain
            routed += 1
            agree += names[got] == nc_names[row.number - 2]
        assert routed > 8000
        share = agree / routed
        print(f"{path.name}: {routed} routed, {outside} outside, {share:.1%} agree with NCName")
        assert 0.90 <= share <= 0.99

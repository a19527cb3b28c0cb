"""GeoJSON export and import: natural keys, one transaction, idempotent, all or nothing."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.db import connection

from gongzhi.audit.models import AuditEvent
from gongzhi.places import geojson_io
from gongzhi.places.geojson_io import ImportFailed, export_places, import_places
from gongzhi.places.models import (
    Building,
    Estate,
    Grid,
    GridStation,
    Landmark,
    ResidentialArea,
    Road,
    Subdistrict,
)
from gongzhi.places.tests.factories import (
    BuildingFactory,
    EstateFactory,
    LandmarkFactory,
    RoadFactory,
)
from gongzhi.testing.geometry import line, lnglat, rect

PLACE_MODELS = [Landmark, Road, Building, Grid, Estate, ResidentialArea, GridStation, Subdistrict]


def place_counts():
    return [m.objects.count() for m in PLACE_MODELS]


def features_of(data, kind):
    return [f for f in data["features"] if f["properties"]["kind"] == kind]


@pytest.fixture
def places(world):
    """The world's places plus an estate (in grid a1) and an office building."""
    estate = EstateFactory(
        residential_area=world.area_a,
        name="杏梅园小区",
        households=812,
        geometry=rect(0, 0, 400, 400),
    )
    Grid.objects.filter(pk=world.grids["a1"].pk).update(estate=estate)
    lng, lat = lnglat(750, 250)
    BuildingFactory(
        name="曹杨商务大厦",
        kind=Building.Kind.OFFICE,
        residential_area=world.area_b,
        grid=world.grids["b1"],
        lng=lng,
        lat=lat,
        enterprises=35,
        workers=1200,
    )
    GridStation.objects.filter(pk=world.station_a.pk).update(lng=lng, lat=lat, colour="#e6550d")
    return world


def wipe_places():
    """Empty the places tables, as in a fresh installation (rows are never deleted otherwise)."""
    with connection.cursor() as cursor:
        for model in PLACE_MODELS:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608


@pytest.fixture
def bare_places(db):
    """Places alone (no organisations or people pointing at them), like a fresh installation's."""
    from gongzhi.places.tests.factories import (
        GridFactory,
        GridStationFactory,
        ResidentialAreaFactory,
        SubdistrictFactory,
    )

    sd = SubdistrictFactory(geometry=rect(0, 0, 1000, 1000), area_km2="2.14")
    lng, lat = lnglat(250, 250)
    st1 = GridStationFactory(subdistrict=sd, number=1, lng=lng, lat=lat, colour="#e6550d")
    st2 = GridStationFactory(subdistrict=sd, number=2, address="兰溪路 1 号")
    a = ResidentialAreaFactory(subdistrict=sd, code="001", grid_station=st1, households=3000)
    b = ResidentialAreaFactory(subdistrict=sd, code="002", grid_station=st2, geometry=None)
    estate = EstateFactory(residential_area=a, geometry=rect(0, 0, 400, 400), built_year=1952)
    g1 = GridFactory(
        code="310107005001001", residential_area=a, estate=estate, geometry=rect(0, 0, 500, 1000)
    )
    GridFactory(
        code="310107005002001",
        kind=Grid.Kind.ROAD,
        residential_area=b,
        geometry=rect(500, 0, 1000, 1000),
    )
    BuildingFactory(name="曹杨商务大厦", residential_area=a, grid=g1, lng=lng, lat=lat, workers=9)
    RoadFactory(subdistrict=sd, name="兰溪路", width_m=30.0, geometry=line((500, -30), (500, 1030)))
    LandmarkFactory(subdistrict=sd, name="曹杨二中", address="兰溪路 1 号", lng=lng, lat=lat)
    return sd


def test_export_names_every_place_by_its_natural_key(places):
    data = export_places()
    assert data["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds == ["subdistrict"] + ["grid_station"] * 2 + ["residential_area"] * 2 + [
        "estate"
    ] + ["grid"] * 4 + ["building"]
    [a1] = [f for f in features_of(data, "grid") if f["properties"]["code"] == "310107005001001"]
    assert a1["properties"] == {
        "kind": "grid",
        "code": "310107005001001",
        "name": "杏梅园一",
        "grid_kind": "estate",
        "subdistrict": "310107005",
        "station": 1,
        "residential_area": "001",
        "estate": "杏梅园小区",
        "area_m2": pytest.approx(250_000, rel=1e-4),
    }
    assert a1["geometry"]["type"] == "Polygon"
    [building] = features_of(data, "building")
    assert building["properties"]["grid"] == "310107005002001"
    assert building["geometry"]["type"] == "Point"
    # Serialisable as it is, Chinese kept readable.
    assert "杏梅园一" in geojson_io.dumps(data)


def test_export_then_import_into_an_empty_database_reproduces_the_places(bare_places):
    data = json.loads(geojson_io.dumps(export_places()))
    counts = place_counts()
    wipe_places()
    assert place_counts() == [0] * len(PLACE_MODELS)
    result = import_places(data=data, actor=None, source="places.geojson")
    assert result.totals == {"created": 11, "updated": 0, "unchanged": 0}
    assert result.created["grid"] == 2
    assert result.created["road"] == 1 and result.created["landmark"] == 1
    assert result.tiling is not None and result.tiling.ok
    assert place_counts() == counts
    assert json.loads(geojson_io.dumps(export_places())) == data
    grid = Grid.objects.get(code="310107005001001")
    assert grid.estate.built_year == 1952
    assert grid.station.colour == "#e6550d"
    assert Subdistrict.objects.get().area_km2 == Decimal("2.14")
    road = Road.objects.get()
    assert (road.name, road.kind, road.width_m) == ("兰溪路", "main", 30.0)
    assert Landmark.objects.get().get_kind_display() == "school"
    # Every row created by the import is in the audit trail, plus the import itself.
    assert AuditEvent.objects.filter(action="create", note="import").count() == 11
    assert AuditEvent.objects.get(action="import").changes["created"]["after"] == 11
    # And importing it once more changes nothing.
    again = import_places(data=data, actor=None)
    assert again.totals == {"created": 0, "updated": 0, "unchanged": 11}


def test_importing_the_same_file_again_changes_nothing(places):
    data = json.loads(geojson_io.dumps(export_places()))
    first = import_places(data=data, actor=places.admin)
    assert first.totals == {"created": 0, "updated": 0, "unchanged": 11}
    events = AuditEvent.objects.count()
    grids_before = list(Grid.objects.values_list("code", "updated_at"))
    second = import_places(data=data, actor=places.admin)
    assert second.totals == {"created": 0, "updated": 0, "unchanged": 11}
    assert list(Grid.objects.values_list("code", "updated_at")) == grids_before
    # Only the import itself is recorded: no per-row create or update events.
    new_events = AuditEvent.objects.order_by("id")[events:]
    assert [e.action for e in new_events] == ["import"]
    assert new_events[0].changes["unchanged"] == {"before": None, "after": 11}


def test_a_changed_feature_is_updated_and_audited(places):
    data = export_places()
    a1 = next(f for f in features_of(data, "grid") if f["properties"]["code"] == "310107005001001")
    a1["properties"]["name"] = "杏梅园东"
    a1["geometry"] = rect(0, 0, 500, 600)
    result = import_places(data=data, actor=places.admin, source="edited.geojson")
    assert result.totals == {"created": 0, "updated": 1, "unchanged": 10}
    grid = Grid.objects.get(code="310107005001001")
    assert grid.name == "杏梅园东"
    assert grid.area_m2 == pytest.approx(300_000, rel=1e-4)
    update = AuditEvent.objects.for_object(grid).get(action="update")
    assert set(update.changes) == {"name", "geometry", "area_m2"}
    assert update.actor == places.admin
    # The grids now overlap: the import reports it without refusing the file.
    [overlap] = result.tiling.issues
    assert overlap.kind == "overlap"
    assert result.tiling_lines[0].startswith("Overlap of")


def test_a_bad_feature_aborts_the_whole_import_and_names_it(places):
    data = export_places()
    data["features"].append(
        {
            "type": "Feature",
            "geometry": rect(1000, 0, 1100, 100),
            "properties": {
                "kind": "grid",
                "code": "310107005002003",
                "name": "新网格",
                "grid_kind": "road",
                "subdistrict": "310107005",
                "station": 2,
                "residential_area": "002",
            },
        }
    )
    data["features"][0]["properties"]["name"] = "改名街道"  # would be an update
    bad = copy.deepcopy(data["features"][-1])
    bad["properties"].update(code="310107005002004", station=9)
    data["features"].append(bad)
    before, events = place_counts(), AuditEvent.objects.count()
    with pytest.raises(ImportFailed) as exc:
        import_places(data=data, actor=places.admin)
    index = len(data["features"]) - 1
    assert exc.value.index == index
    assert str(exc.value.message) == (
        f"features[{index}] (grid 310107005002004 新网格): there is no grid station number 9"
    )
    assert place_counts() == before
    assert not Grid.objects.filter(code="310107005002003").exists()
    assert Subdistrict.objects.get().name == "曹杨新村街道"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda f: f["properties"].pop("kind"), "properties.kind must be one of"),
        (
            lambda f: f.update(geometry={"type": "Point", "coordinates": [1, 2]}),
            "Polygon or MultiPolygon",
        ),
        (lambda f: f.update(geometry=None), "a grid needs a Polygon"),
        (lambda f: f["properties"].update(code="310107005123"), "15 digits"),
        (
            lambda f: f["properties"].update(grid_kind="river"),
            "kind: Value 'river' is not a valid choice.",
        ),
        (lambda f: f["properties"].update(station="two"), "station must be a whole number"),
        (
            lambda f: f["properties"].update(residential_area="099"),
            "no residential area with the code 099",
        ),
        (lambda f: f["properties"].update(estate="不存在小区"), "no estate named 不存在小区"),
        (lambda f: f["properties"].pop("name"), "the property name is required"),
    ],
)
def test_each_kind_of_bad_grid_feature_is_refused_with_its_reason(places, mutate, reason):
    data = export_places()
    grid = features_of(data, "grid")[1]
    position = data["features"].index(grid)
    mutate(grid)
    with pytest.raises(ImportFailed) as exc:
        import_places(data=data, actor=places.admin)
    assert exc.value.index == position
    assert reason in str(exc.value.message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "one GeoJSON FeatureCollection"),
        ({"type": "FeatureCollection"}, "no list of features"),
        (
            {"type": "FeatureCollection", "features": [{"type": "Polygon"}]},
            "features[0]: not a GeoJSON Feature",
        ),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(world, data, message):
    with pytest.raises(ImportFailed, match=message.replace("[", r"\[").replace("]", r"\]")):
        import_places(data=data, actor=world.admin)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(ImportFailed, match="not valid JSON"):
        geojson_io.loads(b"{nope")


def test_the_same_place_twice_in_one_file_is_refused(places):
    data = export_places()
    grids = features_of(data, "grid")
    data["features"].append(copy.deepcopy(grids[0]))
    first = data["features"].index(grids[0])
    with pytest.raises(ImportFailed, match=rf"appears twice \(also features\[{first}\]\)"):
        import_places(data=data, actor=places.admin)


def test_a_dry_run_counts_and_checks_but_saves_nothing(places):
    data = export_places()
    features_of(data, "grid")[0]["properties"]["name"] = "改名"
    events = AuditEvent.objects.count()
    result = import_places(data=data, actor=places.admin, dry_run=True)
    assert result.dry_run
    assert result.totals == {"created": 0, "updated": 1, "unchanged": 10}
    assert not Grid.objects.filter(name="改名").exists()
    assert AuditEvent.objects.count() == events


def test_an_archived_place_in_the_file_is_restored(places):
    from gongzhi.places import services

    data = export_places()
    services.grid_archive(actor=places.admin, grid=places.grids["b2"])
    result = import_places(data=data, actor=places.admin)
    assert result.updated["grid"] == 1
    assert Grid.objects.active().filter(code="310107005002002").exists()


def test_progress_is_reported_feature_by_feature(places):
    seen = []
    import_places(
        data=export_places(), actor=places.admin, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(i, 11) for i in range(1, 12)]


def _import_one(world, feature):
    data = {"type": "FeatureCollection", "features": [feature]}
    return import_places(data=data, actor=world.admin)


def test_a_named_road_and_a_landmark_are_imported_by_their_names(world):
    road = {
        "type": "Feature",
        "geometry": line((0, 250), (1000, 250)),
        "properties": {
            "kind": "road",
            "subdistrict": "310107005",
            "name": "杏山路",
            "road_kind": "main",
            "width_m": 20,
        },
    }
    lng, lat = lnglat(200, 300)
    school = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": {
            "kind": "landmark",
            "subdistrict": "310107005",
            "name": "曹杨二中",
            "landmark_kind": "school",
        },
    }
    assert _import_one(world, road).created["road"] == 1
    assert _import_one(world, school).created["landmark"] == 1
    # The same name again is the same road: it is updated, not doubled.
    road["geometry"] = line((0, 260), (1000, 260))
    assert _import_one(world, road).updated["road"] == 1
    assert Road.objects.get().geometry == line((0, 260), (1000, 260))
    assert (Landmark.objects.get().lng, Landmark.objects.get().lat) == (lng, lat)


@pytest.mark.parametrize(
    ("feature", "reason"),
    [
        (
            {"kind": "road", "name": "杏山路", "geometry": rect(0, 0, 10, 10)},
            "must be a GeoJSON LineString or MultiLineString, not Polygon",
        ),
        ({"kind": "road", "name": "杏山路", "geometry": None}, "a road needs a LineString"),
        (
            {"kind": "road", "name": "杏山路", "geometry": line((5, 5), (5, 5))},
            "The line has no length.",
        ),
        (
            {
                "kind": "road",
                "name": "杏山路",
                "road_kind": "river",
                "geometry": line((0, 0), (9, 9)),
            },
            "Value 'river' is not a valid choice.",
        ),
        ({"kind": "landmark", "name": "曹杨二中", "geometry": None}, "a landmark needs a Point"),
        (
            {"kind": "landmark", "name": "曹杨二中", "geometry": rect(0, 0, 10, 10)},
            "must be a GeoJSON Point",
        ),
        (
            {"kind": "landmark", "geometry": {"type": "Point", "coordinates": [121.4, 31.2]}},
            "the property name is required",
        ),
    ],
)
def test_a_bad_road_or_landmark_is_refused_with_its_reason(world, feature, reason):
    geometry = feature.pop("geometry")
    with pytest.raises(ImportFailed) as exc:
        _import_one(
            world,
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"subdistrict": "310107005", **feature},
            },
        )
    assert reason in str(exc.value.message)
    assert not Road.objects.exists() and not Landmark.objects.exists()

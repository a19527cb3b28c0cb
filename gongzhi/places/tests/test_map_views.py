"""The map page and its JSON endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.places.models import GridStation
from gongzhi.testing.geometry import lnglat


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_map_page_needs_a_login(client, world):
    response = client.get(reverse("places:map"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_map_page_loads_leaflet_and_our_script_from_static_files(client_of, world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "MAP_TILE_URL": ""}
    response = client_of(world.resident).get(reverse("places:map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet/leaflet.css" in html
    assert "/static/places/map.js" in html
    assert "/static/places/layers.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert 'data-tile-url=""' in html  # no tile layer: a plain background
    assert response.context["active_nav"] == "map"
    config = response.context["map_config"]
    assert config["data_url"] == "/places/map-data.json"
    assert config["locate_url"] == "/places/locate"


def test_a_configured_tile_server_is_passed_to_the_map(client_of, world, settings):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "MAP_TILE_URL": "https://tiles.intranet.local/{z}/{x}/{y}.png",
        "MAP_TILE_ATTRIBUTION": "内网地图",
    }
    html = client_of(world.operator).get(reverse("places:map")).content.decode()
    assert 'data-tile-url="https://tiles.intranet.local/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="内网地图"' in html


def test_map_data_needs_a_login(client, world):
    response = client.get(reverse("places:map_data"))
    assert response.status_code == 401
    assert response.json()["error"]


def test_map_data_has_every_layer_with_station_colours(client_of, world):
    GridStation.objects.filter(pk=world.station_b.pk).update(colour="#31a354")
    lng, lat = lnglat(900, 900)
    GridStation.objects.filter(pk=world.station_a.pk).update(lng=lng, lat=lat)
    data = client_of(world.inspector).get(reverse("places:map_data")).json()
    assert [f["properties"]["code"] for f in data["outline"]["features"]] == ["310107005"]
    assert sorted(f["properties"]["name"] for f in data["areas"]["features"]) == [
        "杏杨居民区",
        "杏梅园居民区",
    ]
    grids = {f["properties"]["code"]: f["properties"] for f in data["grids"]["features"]}
    assert len(grids) == 4
    b1 = grids["310107005002001"]
    assert b1["colour"] == "#31a354"
    assert b1["station_number"] == 2
    assert b1["residential_area"] == "杏杨居民区"
    assert b1["area_m2"] == pytest.approx(250_000, rel=1e-4)
    stations = {f["properties"]["number"]: f for f in data["stations"]["features"]}
    assert stations[1]["geometry"]["coordinates"] == [lng, lat]
    assert stations[1]["properties"]["grid_count"] == 2
    assert stations[2]["geometry"] is None
    (south, west), (north, east) = data["bounds"]
    assert south < north and west < east


def test_locate_answers_with_the_grid_area_and_station(client_of, world):
    lng, lat = lnglat(750, 250)
    response = client_of(world.inspector).get(reverse("places:locate"), {"lat": lat, "lng": lng})
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    assert body["grid"]["code"] == "310107005002001"
    assert body["grid"]["name"] == "杏杨一"
    assert body["residential_area"]["name"] == "杏杨居民区"
    assert body["station"]["number"] == 2


def test_locate_outside_every_grid(client_of, world):
    lng, lat = lnglat(-100, -100)
    body = client_of(world.resident).get(reverse("places:locate"), {"lat": lat, "lng": lng}).json()
    assert body["found"] is False
    assert body["message"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "The lat parameter is missing. The lng parameter is missing."),
        ({"lat": "31.2"}, "The lng parameter is missing."),
        ({"lat": "abc", "lng": "121.4"}, "The lat parameter must be a number."),
        ({"lat": "95", "lng": "121.4"}, "The lat parameter must be between -90 and 90."),
        ({"lat": "31.2", "lng": "nan"}, "The lng parameter must be between -180 and 180."),
        ({"lat": "31.2", "lng": "1e400"}, "The lng parameter must be between -180 and 180."),
    ],
)
def test_locate_refuses_bad_input_with_a_message(client_of, world, params, message):
    response = client_of(world.resident).get(reverse("places:locate"), params)
    assert response.status_code == 400
    assert response.json()["error"] == message


def test_locate_needs_a_login(client, world):
    response = client.get(reverse("places:locate"), {"lat": "31.2", "lng": "121.4"})
    assert response.status_code == 401


def test_map_layers_take_the_same_few_queries_however_many_grids(world, django_assert_num_queries):
    from gongzhi.places import selectors
    from gongzhi.places.tests.factories import GridFactory
    from gongzhi.testing.geometry import rect

    # Outline, areas, grids, stations, buildings, estates, roads, landmarks: one query each.
    with django_assert_num_queries(8):
        selectors.map_layers()
    for i in range(5):
        GridFactory(
            code=f"31010700500200{i + 3}",
            residential_area=world.area_b,
            geometry=rect(1000 + 10 * i, 0, 1010 + 10 * i, 10),
        )
    with django_assert_num_queries(8):
        assert len(selectors.map_layers()["grids"]["features"]) == 9


def test_estates_with_a_boundary_are_a_layer_with_their_names(world):
    from gongzhi.places import selectors
    from gongzhi.places.tests.factories import EstateFactory
    from gongzhi.testing.geometry import rect

    EstateFactory(residential_area=world.area_a, name="杏梅园", geometry=rect(10, 10, 200, 200))
    EstateFactory(residential_area=world.area_a, name="无边界小区")
    estates = selectors.map_layers()["estates"]["features"]
    assert [f["properties"]["name"] for f in estates] == ["杏梅园"]
    assert estates[0]["properties"]["label_point"]


def test_roads_and_landmarks_are_layers_with_their_names(client_of, world):
    from gongzhi.places.models import Landmark, Road
    from gongzhi.places.tests.factories import LandmarkFactory, RoadFactory
    from gongzhi.testing.geometry import line

    RoadFactory(subdistrict=world.subdistrict, name="兰溪路", geometry=line((500, 0), (500, 1000)))
    old = RoadFactory(subdistrict=world.subdistrict, name="旧路")
    Road.objects.filter(pk=old.pk).update(archived_at="2026-01-01T00:00Z")
    LandmarkFactory(
        subdistrict=world.subdistrict, name="普陀区中心医院", kind=Landmark.Kind.HOSPITAL
    )
    data = client_of(world.resident).get(reverse("places:map_data")).json()
    [road] = data["roads"]["features"]
    assert road["properties"]["name"] == "兰溪路"
    # Its name goes halfway along it.
    assert road["properties"]["label_point"] == pytest.approx(list(lnglat(500, 500)), abs=1e-6)
    [hospital] = data["landmarks"]["features"]
    assert hospital["properties"]["name"] == "普陀区中心医院"
    assert hospital["properties"]["kind_label"] == "hospital"
    assert hospital["geometry"]["type"] == "Point"

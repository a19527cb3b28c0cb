"""Point → grid: inside, on shared edges and corners (the lowest grid code wins), on the outer
boundary (inside), and outside (None); the index follows grid changes without a restart."""

from __future__ import annotations

import pytest

from gongzhi.places import index, selectors, services
from gongzhi.places.models import Grid
from gongzhi.places.tests.factories import GridFactory
from gongzhi.testing.geometry import lnglat, rect

A1, A2, B1, B2 = "310107005001001", "310107005001002", "310107005002001", "310107005002002"


def grid_at(x: float, y: float) -> str | None:
    lng, lat = lnglat(x, y)
    found = selectors.locate(lat=lat, lng=lng)
    return found.grid.code if found else None


def test_a_point_inside_gives_its_grid_area_and_station(world):
    lng, lat = lnglat(250, 250)
    found = selectors.locate(lat=lat, lng=lng)
    assert found is not None
    assert found.grid == world.grids["a1"]
    assert found.residential_area == world.area_a
    assert found.station == world.station_a
    assert grid_at(750, 750) == B2


@pytest.mark.parametrize(
    ("x", "y", "code"),
    [
        (500, 250, A1),  # the edge between a1 and b1
        (500, 750, A2),  # the edge between a2 and b2
        (250, 500, A1),  # the edge between a1 and a2
        (750, 500, B1),  # the edge between b1 and b2
        (500, 500, A1),  # the corner all four share
    ],
)
def test_a_point_on_a_shared_boundary_goes_to_the_lowest_code(world, x, y, code):
    assert grid_at(x, y) == code


@pytest.mark.parametrize(
    ("x", "y", "code"),
    [(0, 250, A1), (250, 0, A1), (1000, 750, B2), (750, 1000, B2), (1000, 0, B1), (0, 1000, A2)],
)
def test_a_point_on_the_outer_boundary_is_inside(world, x, y, code):
    assert grid_at(x, y) == code


@pytest.mark.parametrize(("x", "y"), [(-0.5, 250), (1000.5, 500), (500, -0.5), (5000, 5000)])
def test_a_point_outside_the_subdistrict_is_in_no_grid(world, x, y):
    assert grid_at(x, y) is None


def test_the_index_sees_a_newly_added_grid(world):
    assert grid_at(1050, 50) is None
    # Written directly (as another process would): the index notices the new version.
    GridFactory(
        code="310107005002003",
        residential_area=world.area_b,
        station=world.station_b,
        geometry=rect(1000, 0, 1100, 100),
    )
    assert grid_at(1050, 50) == "310107005002003"


def test_the_index_sees_a_moved_grid(world):
    assert grid_at(1050, 50) is None
    services.grid_update(
        actor=world.admin, grid=world.grids["b1"], geometry=rect(1000, 0, 1100, 100)
    )
    assert grid_at(1050, 50) == B1
    assert grid_at(750, 250) is None


def test_the_index_sees_an_archived_and_a_restored_grid(world):
    assert grid_at(750, 750) == B2
    services.grid_archive(actor=world.admin, grid=world.grids["b2"])
    assert grid_at(750, 750) is None
    assert grid_at(750, 500) == B1  # the shared edge now belongs to b1 alone
    services.grid_restore(actor=world.admin, grid=world.grids["b2"])
    assert grid_at(750, 750) == B2


def test_invalidate_forces_a_rebuild(world):
    before = index.grid_index()
    assert index.grid_index() is before  # nothing changed: the same index
    index.invalidate()
    assert index.grid_index() is not before


def test_a_grid_with_a_hole_does_not_cover_the_hole(world):
    outer = rect(2000, 0, 2100, 100)["coordinates"][0]
    hole = rect(2040, 40, 2060, 60)["coordinates"][0]
    Grid.objects.filter(pk=world.grids["b2"].pk).update(
        geometry={"type": "Polygon", "coordinates": [outer, hole]}
    )
    index.invalidate()  # a raw update does not touch updated_at
    assert grid_at(2010, 10) == B2
    assert grid_at(2050, 50) is None

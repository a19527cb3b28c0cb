"""Grid and outline services: GeoJSON validated before anything is written, area recomputed,
audited, and the tiling check returned so callers can warn."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError
from gongzhi.places import services
from gongzhi.places.models import Grid
from gongzhi.testing.geometry import polygon, rect


def new_grid(world, **overrides):
    fields = {
        "actor": world.admin,
        "code": "310107005002003",
        "name": "杏杨三",
        "kind": Grid.Kind.ROAD,
        "station": world.station_b,
        "residential_area": world.area_b,
        "geometry": rect(1000, 0, 1100, 100),
    }
    return services.grid_create(**{**fields, **overrides})


def test_creating_a_grid_computes_its_area_audits_it_and_reports_the_tiling(world):
    result = new_grid(world)
    grid = result.obj
    assert grid.area_m2 == pytest.approx(10_000, rel=1e-4)
    assert AuditEvent.objects.for_object(grid).filter(action="create").exists()
    [outside] = result.tiling.issues
    assert outside.kind == "outside"
    assert outside.grids == ["310107005002003"]
    assert outside.area_m2 == pytest.approx(10_000, rel=1e-4)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (None, "The geometry is missing."),
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "must be a GeoJSON object"),
        ({"type": "Point", "coordinates": [121.4, 31.2]}, "Polygon or MultiPolygon, not Point"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "not valid GeoJSON"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[350000, 3450000], [350100, 3450000], [350100, 3450100], [350000, 3450000]]
                ],
            },
            "is not a WGS84 [longitude, latitude] pair",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[31.24, 121.40], [31.25, 121.40], [31.25, 121.41], [31.24, 121.40]]
                ],
            },
            "is not a WGS84 [longitude, latitude] pair",
        ),
        (polygon((0, 0), (100, 100), (100, 0), (0, 100)), "not a valid polygon: Self-intersection"),
        (polygon((0, 0), (100, 0), (200, 0)), "not a valid polygon"),
    ],
)
def test_bad_geojson_is_refused_with_a_clear_message_and_nothing_changes(world, geometry, message):
    grids, events = Grid.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ServiceError) as exc:
        new_grid(world, geometry=geometry)
    assert message in str(exc.value.message)
    grid = world.grids["a1"]
    with pytest.raises(ServiceError):
        services.grid_update(actor=world.admin, grid=grid, geometry=geometry)
    grid.refresh_from_db()
    assert shape(grid.geometry).equals(shape(rect(0, 0, 500, 500)))
    assert grid.area_m2 == pytest.approx(250_000, rel=1e-4)
    assert (Grid.objects.count(), AuditEvent.objects.count()) == (grids, events)


def test_a_grid_code_outside_the_subdistrict_or_a_mismatched_estate_is_refused(world):
    with pytest.raises(ServiceError, match="starts with 310107005"):
        new_grid(world, code="310107006002003")
    from gongzhi.places.tests.factories import EstateFactory

    estate_in_a = EstateFactory(residential_area=world.area_a)
    with pytest.raises(ServiceError, match="is not in the residential area"):
        new_grid(world, estate=estate_in_a)
    with pytest.raises(ServiceError, match="15 digits"):
        new_grid(world, code="3101070050020")
    assert not Grid.objects.filter(name="杏杨三").exists()


def test_moving_a_grid_recomputes_its_area_audits_the_change_and_reports_the_gap(world):
    grid = world.grids["b2"]
    result = services.grid_update(
        actor=world.admin, grid=grid, geometry=rect(500, 500, 1000, 900), note="redrawn"
    )
    grid.refresh_from_db()
    assert grid.area_m2 == pytest.approx(200_000, rel=1e-4)
    event = AuditEvent.objects.for_object(grid).get(action="update")
    assert set(event.changes) == {"geometry", "area_m2"}
    assert event.note == "redrawn"
    [gap] = result.tiling.issues
    assert (gap.kind, gap.grids) == ("gap", ["310107005001002", "310107005002002"])
    assert gap.area_m2 == pytest.approx(50_000, rel=1e-4)


def test_a_grid_update_refuses_fields_it_does_not_own(world):
    with pytest.raises(ServiceError, match="area_m2"):
        services.grid_update(actor=world.admin, grid=world.grids["a1"], area_m2=1)


def test_changing_the_subdistrict_outline_reports_the_tiling(world):
    result = services.outline_update(
        actor=world.admin, obj=world.subdistrict, geometry=rect(0, 0, 1000, 1100)
    )
    [gap] = result.tiling.issues
    assert gap.kind == "gap"
    assert gap.area_m2 == pytest.approx(100_000, rel=1e-4)
    with pytest.raises(ServiceError, match="missing"):
        services.outline_update(actor=world.admin, obj=world.subdistrict, geometry=None)


def test_an_area_outline_can_be_cleared_but_not_set_to_nonsense(world):
    with pytest.raises(ServiceError, match="Polygon or MultiPolygon"):
        services.outline_update(
            actor=world.admin, obj=world.area_a, geometry={"type": "LineString"}
        )
    result = services.outline_update(actor=world.admin, obj=world.area_a, geometry=None)
    assert result.tiling is None
    world.area_a.refresh_from_db()
    assert world.area_a.geometry is None

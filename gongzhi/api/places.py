"""Places: grid stations, grids, residential areas, and the point → grid lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router

from gongzhi.core import permissions as perms
from gongzhi.places import selectors
from gongzhi.places.models import Grid, GridStation, ResidentialArea

from . import schemas as s
from .cases import READ_ERRORS, PageQuery
from .errors import ApiError
from .pagination import keyset, page

router = Router(tags=["places"])


def build_grid(g: Grid, *, geometry: bool) -> s.GridOut:
    return s.GridOut(
        id=g.pk,
        code=g.code,
        name=g.name,
        kind=g.kind,
        station=s.Ref(id=g.station_id, name=g.station.name),
        residential_area=s.CodeRef(
            id=g.residential_area_id, code=g.residential_area.code, name=g.residential_area.name
        ),
        estate=s.ref(g.estate) if g.estate_id else None,
        area_m2=g.area_m2,
        archived=g.archived_at is not None,
        geometry=g.geometry if geometry else None,
    )


def build_area(a: ResidentialArea, *, geometry: bool) -> s.AreaOut:
    return s.AreaOut(
        id=a.pk,
        code=a.code,
        name=a.name,
        grid_station=s.ref(a.grid_station) if a.grid_station_id else None,
        committee_address=a.committee_address,
        office_phone=a.office_phone,
        households=a.households,
        population=a.population,
        archived=a.archived_at is not None,
        geometry=a.geometry if geometry else None,
    )


class Archived(PageQuery):
    archived: bool = Field(False, description="Archived rows instead of active ones.")


@router.get("/grid-stations", response={200: s.StationPage, **READ_ERRORS}, url_name="station_list")
def station_list(request: HttpRequest, filters: Query[Archived]) -> Any:
    qs = perms.visible(request.auth, GridStation).filter(  # type: ignore[attr-defined]
        archived_at__isnull=not filters.archived
    )
    rows, next_cursor = keyset(qs, ("number", "id"), cursor=filters.cursor, limit=filters.limit)
    return {
        "items": [
            s.StationOut(
                id=st.pk, number=st.number, name=st.name, address=st.address, lat=st.lat, lng=st.lng
            )
            for st in rows
        ],
        "next_cursor": next_cursor,
    }


def _page_by_code(
    qs: QuerySet[Any], f: GridFilters | AreaFilters, build: Callable[..., Any]
) -> dict[str, Any]:
    """One page of grids or areas in code order, with their boundaries if asked for."""
    if not f.geometry:
        qs = qs.defer("geometry")
    return page(qs, ("code", "id"), f, lambda p: build(p, geometry=f.geometry))


class GridFilters(Archived):
    station: int | None = Field(None, ge=1, le=s.MAX_ID)
    residential_area: int | None = Field(None, ge=1, le=s.MAX_ID)
    geometry: bool = Field(False, description="Include each grid's boundary (GeoJSON).")


@router.get("/grids", response={200: s.GridPage, **READ_ERRORS}, url_name="grid_list")
def grid_list(request: HttpRequest, filters: Query[GridFilters]) -> Any:
    f = filters
    qs = perms.visible(
        request.auth,  # type: ignore[attr-defined]
        Grid.objects.select_related("station", "residential_area", "estate"),
    ).filter(archived_at__isnull=not f.archived)
    if f.station:
        qs = qs.filter(station_id=f.station)
    if f.residential_area:
        qs = qs.filter(residential_area_id=f.residential_area)
    return _page_by_code(qs, f, build_grid)


@router.get("/grids/{grid_id}", response={200: s.GridOut, **READ_ERRORS}, url_name="grid_detail")
def grid_detail(request: HttpRequest, grid_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    """One grid with its boundary."""
    g = perms.get_visible_or_404(
        request.auth,  # type: ignore[attr-defined]
        Grid.objects.select_related("station", "residential_area", "estate"),
        pk=grid_id,
    )
    return build_grid(g, geometry=True)


class AreaFilters(Archived):
    geometry: bool = Field(False, description="Include each area's boundary (GeoJSON).")


@router.get("/residential-areas", response={200: s.AreaPage, **READ_ERRORS}, url_name="area_list")
def area_list(request: HttpRequest, filters: Query[AreaFilters]) -> Any:
    """The residential areas this user may see (the whole subdistrict for the centre and
    leaders; its own for an area's secretary; its station's for an inspector)."""
    f = filters
    qs = perms.visible(
        request.auth,  # type: ignore[attr-defined]
        ResidentialArea.objects.select_related("grid_station"),
    ).filter(archived_at__isnull=not f.archived)
    return _page_by_code(qs, f, build_area)


@router.get(
    "/residential-areas/{area_id}",
    response={200: s.AreaOut, **READ_ERRORS},
    url_name="area_detail",
)
def area_detail(request: HttpRequest, area_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    a = perms.get_visible_or_404(
        request.auth,  # type: ignore[attr-defined]
        ResidentialArea.objects.select_related("grid_station"),
        pk=area_id,
    )
    return build_area(a, geometry=True)


class Point(s.InputSchema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


@router.get("/places/locate", response={200: s.LocateOut, **READ_ERRORS}, url_name="locate")
def locate(request: HttpRequest, point: Query[Point]) -> Any:
    """The grid (with its residential area and grid station) covering a WGS84 point; 404
    outside every grid. A point on a boundary shared by grids goes to the lowest grid code."""
    found = selectors.locate(lat=point.lat, lng=point.lng)
    if found is None or not perms.can(request.auth, "view", found.grid):  # type: ignore[attr-defined]
        raise ApiError(404, "outside", _("This point is outside every grid of the subdistrict."))
    return s.LocateOut(
        lat=point.lat,
        lng=point.lng,
        grid=build_grid(found.grid, geometry=False),
        residential_area=s.CodeRef(
            id=found.residential_area.pk,
            code=found.residential_area.code,
            name=found.residential_area.name,
        ),
        station=s.Ref(id=found.station.pk, name=found.station.name),
    )

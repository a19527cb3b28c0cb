"""Import and export of the places as one GeoJSON FeatureCollection.

Each feature says what it is in `properties.kind` (subdistrict, grid_station, residential_area,
estate, grid, building, road, landmark) and names itself and what it refers to by natural keys, never by
database ids:

    subdistrict       code                       (9 digits, 310107005)
    grid_station      subdistrict + number
    residential_area  subdistrict + code         (3 digits, the community part of a grid code)
    estate            subdistrict + residential_area + name
    grid              code                       (15 digits)
    building          name
    road              subdistrict + name         (LineString or MultiLineString, road_kind)
    landmark          subdistrict + name         (Point, landmark_kind)

An import is one transaction: it upserts every feature by its natural key and either all of it
is saved or nothing is (the first bad feature aborts it, naming the feature's index in the file
and the reason). Importing the same file twice changes nothing the second time. A property left
out of a feature leaves that field as it is; rows the file does not mention are left alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError, service_error

from . import index
from .geo import area_m2
from .models import (
    Building,
    Estate,
    Grid,
    GridStation,
    Landmark,
    ResidentialArea,
    Road,
    Subdistrict,
)
from .selectors import current_subdistrict, tiling_lines, tiling_report
from .services import check_grid_relations, clean_line, clean_point, clean_polygon
from .tiling import TilingReport

KINDS = (
    "subdistrict",
    "grid_station",
    "residential_area",
    "estate",
    "grid",
    "building",
    "road",
    "landmark",
)
FORMAT = {"name": "gongzhi-places", "version": 1}
IMPORT_NOTE = "import"

Progress = Callable[[int, int], None]
T = TypeVar("T")


class ImportFailed(ServiceError):
    """The file can't be imported; nothing was changed. `index` is the feature's position in
    the file's `features` list (None when the file as a whole is wrong)."""

    def __init__(self, reason: Any, *, index: int | None = None, label: str = "") -> None:
        if index is None:
            message = str(reason)
        else:
            message = _("features[%(index)d]%(label)s: %(reason)s") % {
                "index": index,
                "label": f" ({label})" if label else "",
                "reason": reason,
            }
        super().__init__(message, code="import")
        self.index = index
        self.reason = str(reason)


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False
    tiling: TilingReport | None = None
    tiling_lines: list[str] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
        }

    def by_kind(self) -> list[tuple[str, int, int, int]]:
        """(kind, created, updated, unchanged) for each kind present, in file order of kinds."""
        return [
            (k, self.created[k], self.updated[k], self.unchanged[k])
            for k in KINDS
            if self.created[k] or self.updated[k] or self.unchanged[k]
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            **self.totals,
            "by_kind": {
                k: {"created": c, "updated": u, "unchanged": n} for k, c, u, n in self.by_kind()
            },
            "tiling": self.tiling.as_dict() if self.tiling else None,
            "tiling_lines": self.tiling_lines,
        }


# --- Export ---------------------------------------------------------------------------------------


def _feature(kind: str, geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": kind, **properties}}


def _point(lng: float | None, lat: float | None) -> dict[str, Any] | None:
    return None if lng is None or lat is None else {"type": "Point", "coordinates": [lng, lat]}


def _attr(obj: Any, path: str) -> Any:
    """The value at a dotted path of attributes: None past an empty relation."""
    for name in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _km2(s: Subdistrict) -> float | None:
    return float(s.area_km2) if s.area_km2 is not None else None


def _point_of(obj: Any) -> dict[str, Any] | None:
    return _point(obj.lng, obj.lat)


# What an export writes of each kind, in the order an import needs them: (model, relations to
# select, the geometry, {property: dotted attribute path or function of the row}).
EXPORTED: tuple[tuple[str, type[models.Model], tuple[str, ...], Any, dict[str, Any]], ...] = (
    (
        "subdistrict",
        Subdistrict,
        (),
        "geometry",
        {
            "code": "code",
            "name": "name",
            "district": "district",
            "city": "city",
            "area_km2": _km2,
            "registered_population": "registered_population",
            "resident_population": "resident_population",
        },
    ),
    (
        "grid_station",
        GridStation,
        ("subdistrict",),
        _point_of,
        {
            "subdistrict": "subdistrict.code",
            "number": "number",
            "name": "name",
            "address": "address",
            "colour": "colour",
        },
    ),
    (
        "residential_area",
        ResidentialArea,
        ("subdistrict", "grid_station"),
        "geometry",
        {
            "subdistrict": "subdistrict.code",
            "code": "code",
            "name": "name",
            "grid_station": "grid_station.number",
            "committee_address": "committee_address",
            "office_phone": "office_phone",
            "households": "households",
            "population": "population",
        },
    ),
    (
        "estate",
        Estate,
        ("residential_area__subdistrict", "property_company"),
        "geometry",
        {
            "subdistrict": "residential_area.subdistrict.code",
            "residential_area": "residential_area.code",
            "name": "name",
            "address": "address",
            "households": "households",
            "buildings": "buildings",
            "built_year": "built_year",
            "property_company": "property_company.name",
        },
    ),
    (
        "grid",
        Grid,
        ("station__subdistrict", "residential_area", "estate"),
        "geometry",
        {
            "code": "code",
            "name": "name",
            "grid_kind": "kind",
            "subdistrict": "station.subdistrict.code",
            "station": "station.number",
            "residential_area": "residential_area.code",
            "estate": "estate.name",
            "area_m2": "area_m2",
        },
    ),
    (
        "building",
        Building,
        ("residential_area__subdistrict", "grid"),
        _point_of,
        {
            "name": "name",
            "building_kind": "kind",
            "address": "address",
            "subdistrict": "residential_area.subdistrict.code",
            "residential_area": "residential_area.code",
            "grid": "grid.code",
            "enterprises": "enterprises",
            "workers": "workers",
        },
    ),
    (
        "road",
        Road,
        ("subdistrict",),
        "geometry",
        {
            "subdistrict": "subdistrict.code",
            "name": "name",
            "road_kind": "kind",
            "width_m": "width_m",
        },
    ),
    (
        "landmark",
        Landmark,
        ("subdistrict",),
        _point_of,
        {
            "subdistrict": "subdistrict.code",
            "name": "name",
            "landmark_kind": "kind",
            "address": "address",
        },
    ),
)


def _value(obj: Any, spec: Any) -> Any:
    return _attr(obj, spec) if isinstance(spec, str) else spec(obj)


def _active(model: type[models.Model], related: tuple[str, ...]) -> Any:
    qs = model._default_manager.active()  # type: ignore[attr-defined]
    return qs.select_related(*related) if related else qs


def export_places() -> dict[str, Any]:
    """Every active place as one FeatureCollection, in the order an import needs them."""
    features = [
        _feature(
            kind,
            _value(row, geometry),
            **{name: _value(row, spec) for name, spec in properties.items()},
        )
        for kind, model, related, geometry, properties in EXPORTED
        for row in _active(model, related)
    ]
    return {"type": "FeatureCollection", "gongzhi": FORMAT, "features": features}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


# --- Import ---------------------------------------------------------------------------------------


def loads(text: str | bytes) -> Any:
    """Parse the file's text, or ImportFailed saying it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportFailed(_("The file is not valid JSON: %(error)s") % {"error": exc}) from exc


class _Bad(Exception):
    """A problem with the current feature (its index is added by the caller)."""


@contextmanager
def _bad_on_service_error() -> Iterator[None]:
    """A service's refusal (a bad geometry, a grid's relations) as a problem of the feature."""
    try:
        yield
    except ServiceError as exc:
        raise _Bad(exc.message) from exc


def _text(props: dict[str, Any], key: str) -> str:
    """The property as text ("" when it is null or absent)."""
    value = props.get(key)
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise _Bad(_("the property %(key)s must be text") % {"key": key})
    return str(value).strip()


def _required(value: T | None, key: str) -> T:
    """The value of a property that must be given (not null, absent or empty)."""
    if value is None or value == "":
        raise _Bad(_("the property %(key)s is required") % {"key": key})
    return value


def _required_text(props: dict[str, Any], key: str) -> str:
    return _required(_text(props, key), key)


def _int(props: dict[str, Any], key: str) -> int | None:
    value = props.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or float(value) != int(float(value)):
            raise ValueError
        return int(float(value))
    except (TypeError, ValueError, OverflowError) as exc:
        raise _Bad(_("the property %(key)s must be a whole number") % {"key": key}) from exc


def _required_int(props: dict[str, Any], key: str) -> int:
    return _required(_int(props, key), key)


def _decimal(props: dict[str, Any], key: str) -> Decimal | None:
    value = props.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _Bad(_("the property %(key)s must be a number") % {"key": key}) from exc


def _float(props: dict[str, Any], key: str) -> float | None:
    value = _decimal(props, key)
    return None if value is None else float(value)


MISSING = object()  # the feature has no "geometry" member at all: leave the geometry as it is


def _polygon_field(geometry: Any) -> dict[str, Any]:
    if geometry is MISSING:
        return {}
    if geometry is None:
        return {"geometry": None}
    with _bad_on_service_error():
        return {"geometry": clean_polygon(geometry)}


def _point_fields(geometry: Any) -> dict[str, float | None]:
    if geometry is MISSING:
        return {}
    if geometry is None:
        return {"lng": None, "lat": None}
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise _Bad(_("the geometry must be a GeoJSON Point or null"))
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise _Bad(_("a Point needs [longitude, latitude] coordinates"))
    with _bad_on_service_error():
        lng, lat = clean_point(lng=coords[0], lat=coords[1])
    return {"lng": lng, "lat": lat}


Reader = Callable[[dict[str, Any], str], Any]


def _present(props: dict[str, Any], **readers: tuple[str, Reader]) -> dict[str, Any]:
    """{field: value} for the properties the feature has: a property left out leaves the field
    as it is (a property given as null clears it)."""
    return {name: read(props, key) for name, (key, read) in readers.items() if key in props}


def _one(qs: models.QuerySet[Any], what: str) -> Any:
    rows = list(qs[:2])
    if not rows:
        raise _Bad(_("there is no %(what)s") % {"what": what})
    if len(rows) > 1:
        raise _Bad(_("there are several %(what)s") % {"what": what})
    return rows[0]


class _Importer:
    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.result = ImportResult()

    # Upsert by natural key -------------------------------------------------------------------

    def upsert(
        self, kind: str, model: type[models.Model], key: dict[str, Any], fields: dict[str, Any]
    ) -> Any:
        existing = list(model._default_manager.filter(**key)[:2])
        if len(existing) > 1:
            raise _Bad(_("several rows in the database have this name"))
        try:
            if not existing:
                obj = audit.create(actor=self.actor, model=model, note=IMPORT_NOTE, **key, **fields)
                self.result.created[kind] += 1
                return obj
            obj = existing[0]
            changes = {name: v for name, v in fields.items() if not _same(obj, name, v)}
            if changes:
                obj = audit.update(actor=self.actor, obj=obj, note=IMPORT_NOTE, **changes)
            if getattr(obj, "archived_at", None) is not None:
                audit.restore(actor=self.actor, obj=obj, note=IMPORT_NOTE)
                changes["archived_at"] = None
        except ValidationError as exc:
            raise _Bad(service_error(exc, model=model).message) from exc
        (self.result.updated if changes else self.result.unchanged)[kind] += 1
        return obj

    # Lookups of what a feature refers to ----------------------------------------------------------

    def subdistrict(self, props: dict[str, Any]) -> Subdistrict:
        code = _required_text(props, "subdistrict")
        return _one(
            Subdistrict.objects.filter(code=code),
            _("subdistrict with the code %(code)s") % {"code": code},
        )

    def area(self, subdistrict: Subdistrict, code: str) -> ResidentialArea:
        return _one(
            ResidentialArea.objects.filter(subdistrict=subdistrict, code=code),
            _("residential area with the code %(code)s") % {"code": code},
        )

    def station(self, subdistrict: Subdistrict, number: int) -> GridStation:
        return _one(
            GridStation.objects.filter(subdistrict=subdistrict, number=number),
            _("grid station number %(number)s") % {"number": number},
        )

    # One function per kind: each reads its feature, resolves what it refers to and upserts it.

    def import_subdistrict(self, props: dict[str, Any], geometry: Any) -> None:
        fields = _present(
            props,
            district=("district", _text),
            city=("city", _text),
            area_km2=("area_km2", _decimal),
            registered_population=("registered_population", _int),
            resident_population=("resident_population", _int),
        )
        fields["name"] = _required_text(props, "name")
        fields.update(_polygon_field(geometry))
        self.upsert("subdistrict", Subdistrict, {"code": _required_text(props, "code")}, fields)

    def import_grid_station(self, props: dict[str, Any], geometry: Any) -> None:
        key = {"subdistrict": self.subdistrict(props), "number": _required_int(props, "number")}
        fields = _present(props, address=("address", _text), colour=("colour", _text))
        fields["name"] = _required_text(props, "name")
        fields.update(_point_fields(geometry))
        self.upsert("grid_station", GridStation, key, fields)

    def import_residential_area(self, props: dict[str, Any], geometry: Any) -> None:
        subdistrict = self.subdistrict(props)
        fields = _present(
            props,
            committee_address=("committee_address", _text),
            office_phone=("office_phone", _text),
            households=("households", _int),
            population=("population", _int),
        )
        fields["name"] = _required_text(props, "name")
        if "grid_station" in props:
            number = _int(props, "grid_station")
            fields["grid_station"] = None if number is None else self.station(subdistrict, number)
        fields.update(_polygon_field(geometry))
        key = {"subdistrict": subdistrict, "code": _required_text(props, "code")}
        self.upsert("residential_area", ResidentialArea, key, fields)

    def import_estate(self, props: dict[str, Any], geometry: Any) -> None:
        area = self.area(self.subdistrict(props), _required_text(props, "residential_area"))
        fields = _present(
            props,
            address=("address", _text),
            households=("households", _int),
            buildings=("buildings", _int),
            built_year=("built_year", _int),
        )
        if "property_company" in props:
            company = _text(props, "property_company")
            fields["property_company"] = (
                _one(
                    _property_companies().filter(name=company),
                    _("organisation named %(name)s (import the organisations first)")
                    % {"name": company},
                )
                if company
                else None
            )
        fields.update(_polygon_field(geometry))
        key = {"residential_area": area, "name": _required_text(props, "name")}
        self.upsert("estate", Estate, key, fields)

    def import_grid(self, props: dict[str, Any], geometry: Any) -> None:
        code = _required_text(props, "code")
        subdistrict = self.subdistrict(props)
        station = self.station(subdistrict, _required_int(props, "station"))
        area = self.area(subdistrict, _required_text(props, "residential_area"))
        estate_name = _text(props, "estate")
        estate = (
            _one(
                Estate.objects.filter(residential_area=area, name=estate_name),
                _("estate named %(name)s in that residential area") % {"name": estate_name},
            )
            if estate_name
            else None
        )
        shape = _polygon_field(geometry).get("geometry")
        if shape is None:
            raise _Bad(_("a grid needs a Polygon or MultiPolygon geometry"))
        with _bad_on_service_error():
            check_grid_relations(code=code, station=station, area=area, estate=estate)
        fields = {
            "name": _required_text(props, "name"),
            "kind": _required_text(props, "grid_kind"),
            "station": station,
            "residential_area": area,
            "estate": estate,
            "geometry": shape,
            "area_m2": round(area_m2(shape), 2),
        }
        self.upsert("grid", Grid, {"code": code}, fields)

    def import_building(self, props: dict[str, Any], geometry: Any) -> None:
        fields = _present(
            props,
            kind=("building_kind", _text),
            address=("address", _text),
            enterprises=("enterprises", _int),
            workers=("workers", _int),
        )
        if "residential_area" in props:
            code = _text(props, "residential_area")
            fields["residential_area"] = self.area(self.subdistrict(props), code) if code else None
        if "grid" in props:
            grid_code = _text(props, "grid")
            fields["grid"] = (
                _one(
                    Grid.objects.filter(code=grid_code),
                    _("grid with the code %(code)s") % {"code": grid_code},
                )
                if grid_code
                else None
            )
        fields.update(_point_fields(geometry))
        self.upsert("building", Building, {"name": _required_text(props, "name")}, fields)

    def import_road(self, props: dict[str, Any], geometry: Any) -> None:
        key = {"subdistrict": self.subdistrict(props), "name": _required_text(props, "name")}
        fields = _present(props, kind=("road_kind", _text), width_m=("width_m", _float))
        if geometry is not MISSING:
            if geometry is None:
                raise _Bad(_("a road needs a LineString or MultiLineString geometry"))
            with _bad_on_service_error():
                fields["geometry"] = clean_line(geometry)
        self.upsert("road", Road, key, fields)

    def import_landmark(self, props: dict[str, Any], geometry: Any) -> None:
        key = {"subdistrict": self.subdistrict(props), "name": _required_text(props, "name")}
        fields = _present(props, kind=("landmark_kind", _text), address=("address", _text))
        point = _point_fields(geometry)
        if point and point["lat"] is None:
            raise _Bad(_("a landmark needs a Point geometry"))
        fields.update(point)
        self.upsert("landmark", Landmark, key, fields)


def _same(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    current = getattr(obj, field.attname)  # type: ignore[union-attr]
    if field.is_relation:
        return bool(current == (value.pk if value is not None else None))
    return bool(current == value)


def _natural_key(props: dict[str, Any]) -> tuple[Any, ...]:
    kind = props.get("kind")
    if kind == "subdistrict" or kind == "grid":
        return (kind, props.get("code"))
    if kind == "grid_station":
        return (kind, props.get("subdistrict"), props.get("number"))
    if kind == "residential_area":
        return (kind, props.get("subdistrict"), props.get("code"))
    if kind == "estate":
        return (kind, props.get("subdistrict"), props.get("residential_area"), props.get("name"))
    if kind in ("road", "landmark"):
        return (kind, props.get("subdistrict"), props.get("name"))
    return (kind, props.get("name"))


def _features(data: Any) -> list[tuple[int, dict[str, Any], Any]]:
    """(index, properties, geometry) of each feature, checked for shape, kind and duplicates."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed(_("The file must be one GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFailed(_("The FeatureCollection has no list of features."))
    out = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, f in enumerate(features):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise ImportFailed(_("not a GeoJSON Feature"), index=i)
        props = f.get("properties")
        if not isinstance(props, dict):
            raise ImportFailed(_("the feature has no properties"), index=i)
        if props.get("kind") not in KINDS:
            raise ImportFailed(
                _("properties.kind must be one of %(kinds)s") % {"kinds": ", ".join(KINDS)},
                index=i,
            )
        key = _natural_key(props)
        if key in seen:
            raise ImportFailed(
                _("the same %(kind)s appears twice (also features[%(other)d])")
                % {"kind": props["kind"], "other": seen[key]},
                index=i,
            )
        seen[key] = i
        out.append((i, props, f.get("geometry", MISSING)))
    # Referenced places first: subdistricts, then stations, areas, estates, grids, buildings.
    out.sort(key=lambda row: (KINDS.index(row[1]["kind"]), row[0]))
    return out


def import_places(
    *,
    data: Any,
    actor: Any,
    dry_run: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert the places of a FeatureCollection (parsed JSON) in one transaction. With
    `dry_run` everything is checked and counted, then rolled back. Raises ImportFailed (and
    changes nothing) on the first bad feature."""
    rows = _features(data)
    importer = _Importer(actor)
    with transaction.atomic():
        for done, (i, props, geometry) in enumerate(rows, start=1):
            handler = getattr(importer, f"import_{props['kind']}")
            try:
                handler(props, geometry)
            except _Bad as exc:
                label = " ".join(
                    str(props[k]) for k in ("kind", "code", "number", "name") if props.get(k)
                )
                raise ImportFailed(exc, index=i, label=label) from exc
            if progress is not None:
                progress(done, len(rows))
        result = importer.result
        result.dry_run = dry_run
        subdistrict = current_subdistrict()
        if subdistrict is not None and subdistrict.geometry:
            result.tiling = tiling_report(subdistrict=subdistrict)
            result.tiling_lines = tiling_lines(result.tiling)
        totals = result.totals
        audit.record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_repr=_("places (GeoJSON)"),
            changes={k: {"before": None, "after": v} for k, v in totals.items()},
            note=_("%(source)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {"source": source or _("places file"), **totals},
        )
        if dry_run:
            transaction.set_rollback(True)
        else:
            transaction.on_commit(index.invalidate)
    return result


def _property_companies() -> Any:
    """The organisations an estate's property company may be (the org app's, through the
    foreign key: places sits below org and does not import it)."""
    return Estate._meta.get_field("property_company").related_model._default_manager.all()

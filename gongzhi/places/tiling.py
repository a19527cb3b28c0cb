"""The tiling check: the grids must cover the subdistrict with no gap and no overlap.

"无缝衔接": every point of the subdistrict belongs to exactly one grid. The check reports, in m²
and by name, every gap between grids, every overlap of two grids and every part of a grid outside
the outline, each larger than the tolerance (1 m² by default, settings.GONGZHI).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from .geo import GeometryError, LocalProjection, to_geojson, to_shape


@dataclass
class TilingIssue:
    kind: str  # "gap" | "overlap" | "outside" | "invalid"
    grids: list[str]  # codes of the grids concerned (for a gap: the grids around it)
    area_m2: float
    geometry: dict[str, Any] | None = None  # GeoJSON (WGS84) of the offending piece
    detail: str = ""


@dataclass
class TilingReport:
    outline_area_m2: float
    grids_area_m2: float
    tolerance_m2: float
    grid_count: int
    issues: list[TilingIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def by_kind(self, kind: str) -> list[TilingIssue]:
        return [i for i in self.issues if i.kind == kind]

    def as_dict(self, with_geometry: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        if not with_geometry:
            for issue in data["issues"]:
                issue.pop("geometry", None)
        return data


def _polygons(geom: BaseGeometry) -> list[BaseGeometry]:
    """The polygonal parts of a geometry (intersections may also yield lines and points)."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in {"MultiPolygon", "GeometryCollection"}:
        out: list[BaseGeometry] = []
        for part in geom.geoms:  # type: ignore[attr-defined]
            out.extend(_polygons(part))
        return out
    return []


def check_tiling(
    outline: dict[str, Any],
    grids: Iterable[tuple[str, dict[str, Any]]],
    tolerance_m2: float = 1.0,
) -> TilingReport:
    """Check that `grids` ((code, GeoJSON) pairs) tile `outline` (GeoJSON)."""
    outline_ll = to_shape(outline)
    proj = LocalProjection.around(outline_ll)
    outline_m = shapely.make_valid(proj.forward(outline_ll))
    codes: list[str] = []
    shapes: list[BaseGeometry] = []
    issues: list[TilingIssue] = []
    for code, geojson in grids:
        try:
            g = proj.forward(to_shape(geojson))
        except GeometryError as exc:
            issues.append(TilingIssue("invalid", [code], 0.0, None, str(exc)))
            continue
        if not g.is_valid:
            issues.append(TilingIssue("invalid", [code], 0.0, None, explain_validity(g)))
            g = shapely.make_valid(g)
        codes.append(code)
        shapes.append(g)

    def piece_geojson(piece: BaseGeometry) -> dict[str, Any]:
        return to_geojson(proj.inverse(piece))

    # Parts of grids outside the outline.
    for code, g in zip(codes, shapes, strict=True):
        outside = g.difference(outline_m)
        a = sum(p.area for p in _polygons(outside))
        if a > tolerance_m2:
            issues.append(TilingIssue("outside", [code], round(a, 2), piece_geojson(outside)))

    # Overlaps between pairs of grids.
    tree = STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        inter = shapes[i].intersection(shapes[j])
        a = sum(p.area for p in _polygons(inter))
        if a > tolerance_m2:
            issues.append(
                TilingIssue(
                    "overlap", sorted([codes[i], codes[j]]), round(a, 2), piece_geojson(inter)
                )
            )

    # Gaps: what of the outline no grid covers, piece by piece.
    union = shapely.union_all(shapes) if shapes else shapely.Polygon()
    for piece in _polygons(outline_m.difference(union)):
        if piece.area > tolerance_m2:
            near = tree.query(piece.buffer(0.5), predicate="intersects") if shapes else []
            names = sorted(codes[k] for k in list(near))
            issues.append(TilingIssue("gap", names, round(piece.area, 2), piece_geojson(piece)))

    kinds = {"invalid": 0, "outside": 1, "overlap": 2, "gap": 3}
    issues.sort(key=lambda i: (kinds[i.kind], -i.area_m2, i.grids))
    return TilingReport(
        outline_area_m2=round(outline_m.area, 2),
        grids_area_m2=round(sum(s.area for s in shapes), 2),
        tolerance_m2=tolerance_m2,
        grid_count=len(shapes),
        issues=issues,
    )


def describe(report: TilingReport, codes_to_names: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Human-readable lines (translated) for the command and the admin."""
    from django.utils.translation import gettext as _

    names = dict(codes_to_names)

    def label(code: str) -> str:
        return f"{code} {names[code]}" if code in names else code

    lines: list[str] = []
    for issue in report.issues:
        grids = ", ".join(label(c) for c in issue.grids) or _("(no grid nearby)")
        if issue.kind == "gap":
            lines.append(
                _("Gap of %(area).1f m² between %(grids)s")
                % {"area": issue.area_m2, "grids": grids}
            )
        elif issue.kind == "overlap":
            lines.append(
                _("Overlap of %(area).1f m² between %(grids)s")
                % {"area": issue.area_m2, "grids": grids}
            )
        elif issue.kind == "outside":
            lines.append(
                _("%(area).1f m² of %(grids)s lies outside the subdistrict")
                % {"area": issue.area_m2, "grids": grids}
            )
        else:
            lines.append(
                _("Invalid geometry in %(grids)s: %(detail)s")
                % {"grids": grids, "detail": issue.detail}
            )
    return lines

"""Back office for places. Geometry is edited as GeoJSON text and validated before anything is
saved; grids are saved through the places services, so their area is recomputed, the point →
grid index sees the change and the tiling check runs: its problems are shown as warnings.
The grid list also offers the GeoJSON export download and the import upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.audit import services as audit
from gongzhi.audit.backoffice import AuditedModelAdmin
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ServiceError
from gongzhi.core.models import adopt_saved

from . import geojson_io, selectors, services
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
from .tiling import TilingReport

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _warn_tiling(request: HttpRequest, report: TilingReport | None) -> None:
    if report is None or report.ok:
        return
    for line in selectors.tiling_lines(report):
        messages.warning(request, line)
    messages.warning(request, selectors.tiling_summary(report))


class GeometryFormMixin(forms.ModelForm):
    """Validates the `geometry` GeoJSON (Polygon/MultiPolygon, valid, WGS84) on the form, so a
    bad shape is an error on the field and nothing is saved."""

    geometry_required = False

    def clean_geometry(self) -> Any:
        value = self.cleaned_data.get("geometry")
        if value in (None, "", {}) and not self.geometry_required:
            return None
        try:
            return services.clean_polygon(value)
        except ServiceError as exc:
            raise ValidationError(exc.message) from exc


class OutlineForm(GeometryFormMixin):
    """For the subdistrict, residential areas and estates (the admin supplies the fields)."""


class RoadForm(forms.ModelForm):
    """A road's centre line is a LineString or MultiLineString, checked before saving."""

    class Meta:
        model = Road
        fields = ["subdistrict", "name", "kind", "width_m", "geometry"]

    def clean_geometry(self) -> Any:
        try:
            return services.clean_line(self.cleaned_data.get("geometry"))
        except ServiceError as exc:
            raise ValidationError(exc.message) from exc


class GridForm(GeometryFormMixin):
    geometry_required = True

    class Meta:
        model = Grid
        fields = ["code", "name", "kind", "station", "residential_area", "estate", "geometry"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        station, area = data.get("station"), data.get("residential_area")
        if data.get("code") and station and area:
            try:
                services.check_grid_relations(
                    code=data["code"], station=station, area=area, estate=data.get("estate")
                )
            except ServiceError as exc:
                raise ValidationError(exc.message) from exc
        return data


@admin.register(Subdistrict)
class SubdistrictAdmin(AuditedModelAdmin):
    form = OutlineForm
    list_display = ["code", "name", "district", "area_km2", "archived_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "geometry" in form.changed_data:
            try:
                _warn_tiling(request, selectors.tiling_report(subdistrict=obj))
            except ServiceError:
                pass


@admin.register(GridStation)
class GridStationAdmin(AuditedModelAdmin):
    list_display = ["number", "name", "address", "colour", "archived_at"]


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(AuditedModelAdmin):
    form = OutlineForm
    list_display = ["code", "name", "grid_station", "households", "archived_at"]
    list_filter = ["grid_station"]
    search_fields = ["name", "code"]


@admin.register(Estate)
class EstateAdmin(AuditedModelAdmin):
    form = OutlineForm
    list_display = ["name", "residential_area", "households", "property_company", "archived_at"]
    list_filter = ["residential_area"]
    search_fields = ["name", "address"]
    raw_id_fields = ["property_company"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        help_text=gettext_lazy("One FeatureCollection, as the export writes it."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check and count, save nothing"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // 2**20}
            )
        return upload


@admin.register(Grid)
class GridAdmin(AuditedModelAdmin):
    form = GridForm
    list_display = ["code", "name", "kind", "station", "residential_area", "area_m2", "archived_at"]
    list_filter = ["kind", "station"]
    search_fields = ["code", "name"]
    readonly_fields = ["area_m2"]
    change_list_template = "admin/places/grid/change_list.html"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            fields = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in services.GRID_FIELDS
            }
            result = services.grid_update(actor=request.user, grid=obj, note="admin", **fields)
        else:
            result = services.grid_create(
                actor=request.user,
                note="admin",
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                station=obj.station,
                residential_area=obj.residential_area,
                estate=obj.estate,
                geometry=obj.geometry,
            )
            adopt_saved(obj, result.obj)
        _warn_tiling(request, result.tiling)

    @admin.action(description=gettext_lazy("Archive the selected rows"))
    def archive_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        grids = queryset.filter(archived_at__isnull=True)
        self._write_grids(request, grids, services.grid_archive, _("%(n)d rows archived."))

    @admin.action(description=gettext_lazy("Restore the selected rows"))
    def restore_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        grids = queryset.filter(archived_at__isnull=False)
        self._write_grids(request, grids, services.grid_restore, _("%(n)d rows restored."))

    def _write_grids(
        self, request: HttpRequest, grids: models.QuerySet[Any], write: Any, done: str
    ) -> None:
        """Archives or restores through the places services; the tiling check after the last
        write says what the change did to the grid's coverage."""
        last = self.write_each(
            request, grids, lambda grid: write(actor=request.user, grid=grid, note="admin"), done
        )
        if last is not None:
            _warn_tiling(request, last.tiling)

    # --- GeoJSON export and import -------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "export-places/",
                self.admin_site.admin_view(self.export_view),
                name="places_export",
            ),
            path(
                "import-places/",
                self.admin_site.admin_view(self.import_view),
                name="places_import",
            ),
        ]
        return own + super().get_urls()  # type: ignore[return-value]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        data = geojson_io.export_places()
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action=AuditEvent.Action.EXPORT,
                object_repr=_("places (GeoJSON)"),
                note=_("%(n)d features") % {"n": len(data["features"])},
            )
        name = f"places-{timezone.localdate():%Y%m%d}.geojson"
        response = HttpResponse(
            geojson_io.dumps(data), content_type="application/geo+json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        result = None
        error = ""
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    result = geojson_io.import_places(
                        data=geojson_io.loads(upload.read()),
                        actor=request.user,
                        dry_run=form.cleaned_data["dry_run"],
                        source=upload.name,
                    )
                except ServiceError as exc:
                    error = str(exc.message)
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import places from GeoJSON"),
            "form": form,
            "result": result,
            "error": error,
        }
        status = 400 if error or (request.method == "POST" and not form.is_valid()) else 200
        return TemplateResponse(request, "admin/places/import.html", context, status=status)


@admin.register(Building)
class BuildingAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "residential_area", "enterprises", "archived_at"]
    list_filter = ["kind"]


@admin.register(Road)
class RoadAdmin(AuditedModelAdmin):
    form = RoadForm
    list_display = ["name", "kind", "width_m", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Landmark)
class LandmarkAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "address", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]

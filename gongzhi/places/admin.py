from django.contrib import admin

from gongzhi.core.admin import AuditedModelAdmin

from .models import Building, Estate, Grid, GridStation, ResidentialArea, Subdistrict


@admin.register(Subdistrict)
class SubdistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "district", "area_km2", "archived_at"]


@admin.register(GridStation)
class GridStationAdmin(AuditedModelAdmin):
    list_display = ["number", "name", "address", "archived_at"]


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "grid_station", "households", "archived_at"]
    list_filter = ["grid_station"]
    search_fields = ["name", "code"]


@admin.register(Estate)
class EstateAdmin(AuditedModelAdmin):
    list_display = ["name", "residential_area", "households", "property_company", "archived_at"]
    list_filter = ["residential_area"]
    search_fields = ["name", "address"]
    raw_id_fields = ["property_company"]


@admin.register(Grid)
class GridAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "station", "residential_area", "area_m2", "archived_at"]
    list_filter = ["kind", "station"]
    search_fields = ["code", "name"]


@admin.register(Building)
class BuildingAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "residential_area", "enterprises", "archived_at"]
    list_filter = ["kind"]

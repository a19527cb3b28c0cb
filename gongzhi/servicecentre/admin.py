"""Back office: administrators keep the service points (opening hours), their rooms, the brand
programmes and the catalogue (audited, archived rather than deleted); menus, orders, events,
registrations, volunteers and the points ledger are shown read-only (they change through the
service network's pages and services)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import (
    CatalogueItem,
    Event,
    Menu,
    Order,
    PointsEntry,
    Programme,
    Registration,
    Room,
    ServicePoint,
    Volunteer,
)


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedModelAdmin):
    list_display = ["organisation", "kind", "opening_hours", "archived_at"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    fields = ["organisation", "kind", "opening_hours"]
    search_fields = ["organisation__name"]


@admin.register(Room)
class RoomAdmin(AuditedModelAdmin):
    list_display = ["name", "point", "seats", "archived_at"]
    list_select_related = ["point__organisation"]
    fields = ["point", "name", "seats"]


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "audience", "archived_at"]
    fields = ["name", "audience", "description"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(AuditedModelAdmin):
    list_display = [
        "title",
        "kind",
        "programme",
        "provider_org",
        "audience",
        "minutes",
        "capacity",
        "archived_at",
    ]
    list_filter = ["kind", "programme", "audience"]
    list_select_related = ["programme", "provider_org"]
    search_fields = ["title"]
    fields = [
        "title",
        "kind",
        "programme",
        "provider_org",
        "provider_person",
        "audience",
        "minutes",
        "capacity",
        "materials",
        "description",
    ]
    raw_id_fields = ["provider_org", "provider_person"]


@admin.register(Menu)
class MenuAdmin(ReadOnlyModelAdmin):
    list_display = ["month", "state", "published_at"]


@admin.register(Order)
class OrderAdmin(ReadOnlyModelAdmin):
    list_display = ["menu_item", "station", "proposed_on", "state"]
    list_filter = ["state"]
    list_select_related = ["menu_item__item", "menu_item__menu", "station__organisation"]


@admin.register(Event)
class EventAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "point", "starts_at", "capacity", "state"]
    list_filter = ["state"]
    list_select_related = ["point__organisation"]
    date_hierarchy = "starts_at"


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyModelAdmin):
    list_display = ["event", "name", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["event"]
    exclude = ["mobile", "code"]


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "residential_area", "skills", "created_at"]
    list_select_related = ["residential_area"]
    search_fields = ["name"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["volunteer", "kind", "amount", "reason", "at"]
    list_filter = ["kind"]
    list_select_related = ["volunteer"]

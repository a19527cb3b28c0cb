"""Back office: everything of sharing shown read-only (it changes through the sharing pages, the
API and their services, audited); personal data stays masked in the lists."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.audit.backoffice import ReadOnlyModelAdmin

from .models import (
    Booking,
    Draw,
    GateEvent,
    Permit,
    PermitApplication,
    SharedResource,
    Violation,
)


@admin.register(SharedResource)
class SharedResourceAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "kind", "owner", "capacity", "archived_at"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    search_fields = ["name"]


@admin.register(PermitApplication)
class PermitApplicationAdmin(ReadOnlyModelAdmin):
    list_display = ["plate", "resource", "name_masked", "phone_masked", "state", "submitted_at"]
    list_filter = ["state", "resource"]
    list_select_related = ["resource"]
    search_fields = ["plate"]
    exclude = ["phone"]


@admin.register(Draw)
class DrawAdmin(ReadOnlyModelAdmin):
    list_display = ["resource", "drawn_at", "seed", "spaces", "period_from", "period_to"]
    list_select_related = ["resource"]


@admin.register(Permit)
class PermitAdmin(ReadOnlyModelAdmin):
    list_display = ["plate", "resource", "holder_name_masked", "valid_from", "valid_to", "state"]
    list_filter = ["state", "resource"]
    list_select_related = ["resource"]
    search_fields = ["plate"]
    exclude = ["holder_name"]


@admin.register(GateEvent)
class GateEventAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "resource", "plate", "direction", "verdict", "reason"]
    list_filter = ["verdict", "direction", "reason"]
    list_select_related = ["resource"]
    search_fields = ["plate"]
    date_hierarchy = "at"


@admin.register(Violation)
class ViolationAdmin(ReadOnlyModelAdmin):
    list_display = ["permit", "window_closed_at", "left_at", "outcome", "appeal"]
    list_filter = ["outcome", "appeal"]
    list_select_related = ["permit", "permit__resource"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "resource", "starts_at", "ends_at", "attendees", "state"]
    list_filter = ["state", "resource"]
    list_select_related = ["resource"]

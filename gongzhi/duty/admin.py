"""Back office: administrators configure the shift patterns; the roster, swaps, the log and
handovers are shown read-only (they change through the duty pages and their services)."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.audit.backoffice import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import DutyAssignment, Handover, Shift, ShiftLogEntry, ShiftPattern, SwapRequest


@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedModelAdmin):
    """Changing a pattern's times applies to shifts created afterwards; existing shifts keep
    the times they were rostered with."""

    list_display = ["name", "code", "start_time", "end_time", "operators_needed", "archived_at"]
    fields = ["code", "name", "start_time", "end_time", "operators_needed", "sort_order"]
    ordering = ["sort_order", "start_time"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyModelAdmin):
    list_display = ["date", "pattern", "starts_at", "ends_at", "archived_at"]
    list_filter = ["pattern"]
    date_hierarchy = "date"


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(ReadOnlyModelAdmin):
    list_display = ["shift", "role", "person", "archived_at"]
    list_filter = ["role"]
    list_select_related = ["shift", "shift__pattern", "person"]
    search_fields = ["person__name"]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyModelAdmin):
    list_display = ["assignment", "from_person", "to_person", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["assignment__shift__pattern", "from_person", "to_person"]


@admin.register(ShiftLogEntry)
class ShiftLogEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "kind", "author", "text", "case"]
    list_filter = ["kind"]
    search_fields = ["text"]
    date_hierarchy = "at"


@admin.register(Handover)
class HandoverAdmin(ReadOnlyModelAdmin):
    list_display = [
        "shift",
        "handed_over_by",
        "handed_over_at",
        "acknowledged_by",
        "acknowledged_at",
    ]

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.backoffice import AuditedModelAdmin

from . import calendar
from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedModelAdmin):
    """Audited like every back-office model; every write also refreshes this process's working
    calendar (other processes see it within calendar.VERSION_CHECK_SECONDS)."""

    list_display = ["date", "weekday", "is_working_day", "name", "remarks", "archived_at"]
    list_filter = ["is_working_day"]
    search_fields = ["name", "remarks"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fields = ["date", "is_working_day", "name", "remarks"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarOverride) -> str:
        return date_format(obj.date, "D")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            year = timezone.localdate().year
            for missing in calendar.years_without_holiday_data([year, year + 1]):
                messages.warning(
                    request,
                    gettext(
                        "No holiday data for %(year)d: its working days fall back to Monday "
                        "to Friday. Add %(year)d's statutory holidays and make-up working days "
                        "here, or upgrade the chinesecalendar package."
                    )
                    % {"year": missing},
                )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar.invalidate()

    @admin.action(description=_("Archive the selected rows"))
    def archive_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        super().archive_selected(request, queryset)
        calendar.invalidate()

    @admin.action(description=_("Restore the selected rows"))
    def restore_selected(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        super().restore_selected(request, queryset)
        calendar.invalidate()

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
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

    def after_write(self) -> None:
        calendar.invalidate()

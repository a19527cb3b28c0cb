"""System checks (`manage.py check`): the working periods are valid, and this year and next
year have holiday data (else working days fall back to Monday to Friday)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import timezone

from . import calendar

HINT = (
    "Working days of {year} fall back to Monday to Friday. Once the State Council publishes "
    "{year}'s statutory holidays and make-up working days, an administrator enters its notice "
    "at /calendar/{year}/notice/ (menu: Working calendar), or upgrade the chinesecalendar "
    "package; `manage.py calendar_year {year}` shows what is in use. Operators, duty chiefs "
    "and administrators see a banner about it from November."
)


@checks.register()
def check_working_time(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    try:
        calendar.parse_periods(calendar.periods_setting())
    except ImproperlyConfigured as exc:
        messages.append(
            checks.Error(
                str(exc),
                hint='Use ("HH:MM", "HH:MM") pairs in order, or GONGZHI_WORKING_PERIODS='
                '"08:30-12:00,13:00-17:30".',
                id="worktime.E001",
            )
        )
    year = timezone.localdate().year
    try:
        missing = calendar.years_without_holiday_data([year, year + 1])
    except DatabaseError:  # before migrate: the package alone
        missing = [y for y in (year, year + 1) if y not in calendar.package_years()]
    for y in missing:
        which = "this year" if y == year else "next year"
        messages.append(
            checks.Warning(
                f"No holiday data for {y} ({which}).",
                hint=HINT.format(year=y),
                id="worktime.W001" if y == year else "worktime.W002",
            )
        )
    return messages

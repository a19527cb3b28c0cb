"""Reads for people who check the calendar: a year's holidays and make-up working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from . import calendar
from .models import CalendarOverride


@dataclass(frozen=True)
class Day:
    date: dt.date
    is_working_day: bool
    name: str
    source: str  # calendar.Source


@dataclass
class YearReport:
    year: int
    has_holiday_data: bool
    from_package: bool
    working_days: int
    days_off: int
    # Named days off and weekday days off (ordinary weekends are left out).
    holidays: list[Day] = field(default_factory=list)
    # Saturdays and Sundays that are working days.
    make_up_days: list[Day] = field(default_factory=list)
    overrides: list[CalendarOverride] = field(default_factory=list)


def year_report(*, year: int) -> YearReport:
    cal = calendar.get_calendar(max_age=0)
    overrides = {
        o.date: o
        for o in CalendarOverride.objects.active().filter(date__year=year).order_by("date")
    }
    from_package = year in calendar.package_years()
    report = YearReport(
        year=year,
        has_holiday_data=cal.has_holiday_data(year),
        from_package=from_package,
        working_days=0,
        days_off=0,
        overrides=list(overrides.values()),
    )
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = cal.is_working_day(day)
        if working:
            report.working_days += 1
        else:
            report.days_off += 1
        override = overrides.get(day)
        if override is not None:
            name = override.name
        elif from_package:
            name = calendar.package_day(day)[1]
            name = f"{calendar.holiday_name_zh(name)} ({name})" if name else ""
        else:
            name = ""
        entry = Day(day, working, name, cal.source(day))
        weekend = day.weekday() >= 5
        if not working and (name or not weekend):
            report.holidays.append(entry)
        elif working and weekend:
            report.make_up_days.append(entry)
        day += dt.timedelta(days=1)
    return report


# From this month on, a missing next year is announced to the people whose deadlines it moves.
NEXT_YEAR_FROM_MONTH = 11


def years_to_enter(today: dt.date | None = None) -> list[int]:
    """The years whose holidays should be entered now: this year when it has no holiday data,
    and from November next year too (the State Council publishes it in the autumn). Read from
    the cached calendar: this runs on every page its banner shows on."""
    today = today or timezone.localdate()
    cal = calendar.get_calendar()
    years = [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])
    return [y for y in years if not cal.has_holiday_data(y)]

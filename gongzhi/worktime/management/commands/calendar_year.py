"""Print a year's holidays and make-up working days as the deadlines use them:
`manage.py calendar_year 2026 [2027 …]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.worktime import calendar
from gongzhi.worktime.selectors import Day, year_report

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Command(BaseCommand):
    help = "Print the holidays and make-up working days of the given years."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="+", type=int, metavar="YEAR")

    def handle(self, *args: Any, years: list[int], **options: Any) -> None:
        cal = calendar.get_calendar(max_age=0)
        for n, year in enumerate(years):
            if n:
                self.stdout.write("")
            report = year_report(year=year)
            if report.from_package:
                source = f"chinesecalendar {calendar.package_version()}"
            elif report.has_holiday_data:
                source = "calendar overrides only"
            else:
                source = "none"
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"{year}: holiday data from {source}; "
                    f"{len(report.overrides)} override(s); "
                    f"working periods {cal.periods.describe()}"
                )
            )
            if not report.has_holiday_data:
                self.stderr.write(
                    self.style.WARNING(
                        f"No holiday data for {year}: working days are Monday to Friday. "
                        "Enter the statutory holidays and make-up working days as calendar "
                        "overrides, or upgrade the chinesecalendar package."
                    )
                )
            self.stdout.write("Days off (holidays; ordinary weekends not listed):")
            for day in report.holidays:
                self.stdout.write(self._line(day))
            if not report.holidays:
                self.stdout.write("  (none)")
            self.stdout.write("Make-up working days (调休上班) on weekends:")
            for day in report.make_up_days:
                self.stdout.write(self._line(day))
            if not report.make_up_days:
                self.stdout.write("  (none)")
            self.stdout.write(f"{report.working_days} working days, {report.days_off} days off.")

    @staticmethod
    def _line(day: Day) -> str:
        mark = "  [override]" if day.source == calendar.Source.OVERRIDE else ""
        status = "working" if day.is_working_day else "off"
        return (
            f"  {day.date.isoformat()} {WEEKDAYS[day.date.weekday()]}  {status:<7}  "
            f"{day.name}{mark}".rstrip()
        )

"""Which dates are working days, and which hours of a working day are working time.

A date is a working day according to, in this order:
1. an active `CalendarOverride` for that date (admin-editable, audited);
2. the `chinesecalendar` package (import name `chinese_calendar`): the State Council's
   statutory holidays and make-up working days (调休) for the years it knows (its `holidays`
   and `workdays` tables; version 1.11 knows 2004–2026);
3. otherwise Monday to Friday. That fallback is made visible: `years_without_holiday_data()`,
   the system checks worktime.W001 / W002 (`manage.py check`), a warning in the admin list of
   calendar overrides and a log line when a fallback year is first used.
A year counts as having holiday data when the package knows it or when it has at least one
active override (an administrator who enters a new year's arrangement enters all of it).

The working day is `settings.GONGZHI["WORKING_PERIODS"]`: one or more ("HH:MM", "HH:MM") periods
in local time (settings.TIME_ZONE), e.g. 08:30–12:00 and 13:00–17:30. A string
"08:30-12:00,13:00-17:30" is accepted as well.

Cache: `get_calendar()` returns a per-process `Calendar` snapshot (overrides loaded in one query,
working-day tables built lazily per year), kept in a `core.cache.TableCache`. Time-limit
arithmetic runs thousands of times per request or sweep, so the snapshot is not re-validated on
every call: writes through gongzhi.worktime.services (and the admin) call `invalidate()`, and
every `VERSION_CHECK_SECONDS` one cheap aggregate query over the overrides (count, latest change,
archived count, latest archive), with the working periods and TIME_ZONE, detects changes made
by other processes. A change of those settings (override_settings in tests) is seen at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gongzhi.core.cache import TableCache, table_version

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 5.0
US_PER_HOUR = 3_600_000_000
# A search for the next working day gives up after this many years (every day overridden off).
MAX_SEARCH_YEARS = 20


class Source:
    """Where a date's working-day status comes from."""

    OVERRIDE = "override"
    PACKAGE = "chinesecalendar"
    WEEKDAYS = "weekdays"


@lru_cache(maxsize=1)
def package_years() -> frozenset[int]:
    """The years the chinesecalendar package has holiday arrangements for."""
    return frozenset(day.year for day in chinese_calendar.holidays)


def package_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


def package_day(day: dt.date) -> tuple[bool, str]:
    """(is a working day, holiday name or "") from the package, for a year it knows."""
    name = chinese_calendar.workdays.get(day)
    if name is not None:
        return True, name
    name = chinese_calendar.holidays.get(day)
    if name is not None:
        return False, name
    return day.weekday() < 5, ""


def holiday_name_zh(name: str) -> str:
    """The Chinese name of one of the package's holidays ("National Day" → 国庆节)."""
    try:
        return str(chinese_calendar.Holiday(name).chinese)
    except ValueError:
        return name


# --- Working periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingPeriods:
    """The working periods of one working day, in microseconds since local midnight."""

    periods: tuple[tuple[int, int], ...]
    # cum[i] = working microseconds in the periods before period i.
    cum: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        cum = [0]
        for start, end in self.periods:
            cum.append(cum[-1] + end - start)
        object.__setattr__(self, "cum", tuple(cum))

    @property
    def day_us(self) -> int:
        """Working microseconds in one working day."""
        return self.cum[-1]

    @property
    def first_start(self) -> int:
        return self.periods[0][0]

    @property
    def last_end(self) -> int:
        return self.periods[-1][1]

    def worked_before(self, us: int) -> int:
        """Working microseconds of a working day before the local time `us`."""
        total = 0
        for start, end in self.periods:
            if us <= start:
                break
            total += min(us, end) - start
        return total

    def time_at(self, worked: int) -> int:
        """The earliest local time at which `worked` (0 < worked <= day_us) microseconds of the
        day's working time have passed: a deadline that uses up a period ends with it (12:00),
        it does not move to the start of the next one (13:00)."""
        for i, (start, _end) in enumerate(self.periods):
            if worked <= self.cum[i + 1]:
                return start + worked - self.cum[i]
        raise ValueError(f"{worked} µs is more than a working day")

    def contains(self, us: int) -> bool:
        return any(start <= us < end for start, end in self.periods)

    def next_start(self, us: int) -> int | None:
        """The start of the first period that begins at or after `us`, None if none does."""
        for start, _end in self.periods:
            if start >= us:
                return start
        return None

    def describe(self) -> str:
        return ", ".join(f"{_hhmm(s)}–{_hhmm(e)}" for s, e in self.periods)


def _hhmm(us: int) -> str:
    minutes = us // 60_000_000
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_time(value: Any, *, setting: str) -> int:
    if isinstance(value, dt.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
    text = str(value).strip()
    try:
        hours, minutes = text.split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        raise ImproperlyConfigured(f"{setting}: {text!r} is not a time like 08:30.") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ImproperlyConfigured(f"{setting}: {text!r} is not a time of day.")
    return (h * 60 + m) * 60_000_000


def parse_periods(value: Any, *, setting: str = 'GONGZHI["WORKING_PERIODS"]') -> WorkingPeriods:
    """Working periods from "08:30-12:00,13:00-17:30" or [("08:30", "12:00"), …]. Periods must
    be in order, not overlap, and not be empty; anything else raises ImproperlyConfigured."""
    if isinstance(value, str):
        items: Sequence[Any] = [p.split("-", 1) for p in value.split(",") if p.strip()]
    else:
        items = list(value or [])
    periods: list[tuple[int, int]] = []
    for item in items:
        if isinstance(item, str) or len(item) != 2:
            raise ImproperlyConfigured(
                f"{setting}: {item!r} is not a period like ('08:30', '17:30')."
            )
        start, end = (_parse_time(v, setting=setting) for v in item)
        if end <= start:
            raise ImproperlyConfigured(
                f"{setting}: the period {_hhmm(start)}–{_hhmm(end)} ends before it starts."
            )
        if periods and start < periods[-1][1]:
            raise ImproperlyConfigured(
                f"{setting}: the period {_hhmm(start)}–{_hhmm(end)} overlaps or precedes "
                "the one before it; list the periods in order."
            )
        periods.append((start, end))
    if not periods:
        raise ImproperlyConfigured(f"{setting}: at least one working period is needed.")
    return WorkingPeriods(tuple(periods))


def periods_setting() -> Any:
    """The raw WORKING_PERIODS setting (validated by parse_periods)."""
    return settings.GONGZHI.get("WORKING_PERIODS", [("08:30", "17:30")])


# --- The calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    first: int  # ordinal of 1 January
    working: bytes  # 1 for each working day of the year
    cum: tuple[int, ...]  # cum[i] = working days among the year's first i days

    @property
    def end(self) -> int:
        """Ordinal of the next 1 January."""
        return self.first + len(self.working)

    @property
    def total(self) -> int:
        return self.cum[-1]


class Calendar:
    """An immutable snapshot: overrides as of `version`, the working periods and time zone.
    Dates are handled as proleptic ordinals (`date.toordinal()`) so that hot loops do not
    create date objects."""

    def __init__(
        self,
        *,
        overrides: dict[dt.date, bool],
        raw_periods: Any,
        time_zone: str,
    ) -> None:
        self.overrides = overrides
        self.raw_periods = raw_periods
        self.periods = parse_periods(raw_periods)
        self.time_zone = time_zone
        self.tz = ZoneInfo(time_zone)
        self.override_years = frozenset(day.year for day in overrides)
        self._years: dict[int, _Year] = {}
        self._last: _Year | None = None  # the year used last: most lookups hit it again
        self._lock = threading.Lock()

    # Years.

    def has_holiday_data(self, year: int) -> bool:
        return year in package_years() or year in self.override_years

    def _year(self, year: int) -> _Year:
        data = self._years.get(year)
        if data is None:
            with self._lock:
                data = self._years.get(year)
                if data is None:
                    data = self._build_year(year)
                    self._years[year] = data
        return data

    def _build_year(self, year: int) -> _Year:
        first = dt.date(year, 1, 1).toordinal()
        days = dt.date(year + 1, 1, 1).toordinal() - first
        known = year in package_years()
        flags = bytearray(days)
        cum = [0] * (days + 1)
        for i in range(days):
            day = dt.date.fromordinal(first + i)
            override = self.overrides.get(day)
            if override is not None:
                working = override
            elif known:
                working = package_day(day)[0]
            else:
                working = day.weekday() < 5
            flags[i] = working
            cum[i + 1] = cum[i] + working
        if not self.has_holiday_data(year):
            _warn_fallback(year)
        return _Year(first, bytes(flags), tuple(cum))

    def _year_of(self, ordinal: int) -> _Year:
        last = self._last
        if last is not None and last.first <= ordinal < last.end:
            return last
        year = self._year(dt.date.fromordinal(ordinal).year)
        self._last = year
        return year

    # Days.

    def is_working_day(self, day: dt.date) -> bool:
        return self.is_working_ordinal(day.toordinal())

    def is_working_ordinal(self, ordinal: int) -> bool:
        year = self._year_of(ordinal)
        return bool(year.working[ordinal - year.first])

    def source(self, day: dt.date) -> str:
        if day in self.overrides:
            return Source.OVERRIDE
        return Source.PACKAGE if day.year in package_years() else Source.WEEKDAYS

    def count(self, start: int, end: int) -> int:
        """Working days among the ordinals [start, end); negative if end < start."""
        if end < start:
            return -self.count(end, start)
        year = self._year_of(start)
        total = 0
        i = start - year.first
        while True:
            if end <= year.end:
                return total + year.cum[end - year.first] - year.cum[i]
            total += year.total - year.cum[i]
            year = self._year_of(year.end)
            i = 0

    def nth(self, start: int, n: int) -> int:
        """The ordinal of the n-th (0-based) working day on or after the ordinal `start`."""
        year = self._year_of(start)
        i = start - year.first
        for _ in range(MAX_SEARCH_YEARS):
            target = year.cum[i] + n + 1
            if target <= year.total:
                return year.first + bisect.bisect_left(year.cum, target) - 1
            n -= year.total - year.cum[i]
            year = self._year_of(year.end)
            i = 0
        raise RuntimeError(
            f"No working day within {MAX_SEARCH_YEARS} years after "
            f"{dt.date.fromordinal(start).isoformat()}: check the calendar overrides."
        )


_warned_years: set[int] = set()


def _warn_fallback(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning(
            "No holiday data for %d: working days fall back to Monday to Friday. Enter the "
            "year's statutory holidays and make-up working days as calendar overrides, or "
            "upgrade the chinesecalendar package.",
            year,
        )


# --- The per-process snapshot ---------------------------------------------------------------------


def _build() -> Calendar:
    from .models import CalendarOverride

    overrides = dict(CalendarOverride.objects.active().values_list("date", "is_working_day"))
    return Calendar(
        overrides=overrides,
        raw_periods=periods_setting(),
        time_zone=settings.TIME_ZONE,
    )


def _version() -> Any:
    from .models import CalendarOverride

    return (*table_version(CalendarOverride), repr(periods_setting()), settings.TIME_ZONE)


_cache = TableCache(_build, version=_version, check_seconds=lambda: VERSION_CHECK_SECONDS)


def get_calendar(*, max_age: float | None = None) -> Calendar:
    """The current calendar. Checks the overrides' version when the snapshot is older than
    `max_age` seconds (VERSION_CHECK_SECONDS by default; 0 checks now)."""
    return _cache.get(max_age=max_age)


def invalidate() -> None:
    """Forget the snapshot: the next use reloads the overrides."""
    _cache.invalidate()


def settings_changed(*, setting: str, **kwargs: Any) -> None:
    """Receiver of django's setting_changed (override_settings, the tests' settings fixture):
    settings are otherwise compared only at each version check, not on every call."""
    if setting in {"GONGZHI", "TIME_ZONE"}:
        invalidate()


def years_without_holiday_data(years: Iterable[int]) -> list[int]:
    """Those of `years` for which working days fall back to Monday to Friday: the package
    does not know them and no active override lies in them."""
    wanted = sorted(set(years) - package_years())
    if not wanted:
        return []
    from .models import CalendarOverride

    covered = set(
        CalendarOverride.objects.active()
        .filter(date__year__in=wanted)
        .order_by()
        .values_list("date__year", flat=True)
    )
    return [year for year in wanted if year not in covered]

"""When a shared resource is open: its weekly windows, its exceptions and the working-day calendar,
as intervals of local time.

A window belongs to the day it starts on; one that ends at or before its start runs past
midnight (weekdays 17:30–07:30: Friday's evening window ends on Saturday at 07:30). For a
resource that follows the working-day calendar (gongzhi.worktime: China's statutory holidays and
make-up working days), a statutory holiday on a weekday takes Sunday's windows (the school is
closed: open all day where the weekend is) and a make-up working day on a weekend takes Monday's
(school is on). An exception covers whole dates: "open" opens the resource all day, "closed"
closes it all day (closed wins), whatever the windows say.

`Schedule` is built once from the rows (`schedule_for(resource)`) and answers in memory, so the
gate check costs no query per window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from gongzhi.core.cache import TableCache
from gongzhi.worktime.calendar import get_calendar

from .models import AvailabilityException, AvailabilityWindow, SharedResource

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WindowSpec:
    weekdays: frozenset[int]
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class ExceptionSpec:
    kind: str  # "open" / "closed"
    date_from: dt.date
    date_to: dt.date
    note: str = ""


@dataclass
class Schedule:
    windows: list[WindowSpec]
    exceptions: list[ExceptionSpec] = field(default_factory=list)
    follows_calendar: bool = True
    tz: dt.tzinfo | None = None

    # --- what kind of day a date is ---------------------------------------------------------

    def weekday_of(self, day: dt.date) -> int:
        """The weekday whose windows apply on `day` (see the module's docstring)."""
        wd = day.weekday()
        if not self.follows_calendar:
            return wd
        working = get_calendar().is_working_day(day)
        if working and wd >= 5:
            return 0  # make-up working day: a school day
        if not working and wd < 5:
            return 6  # statutory holiday: a non-school day
        return wd

    def exception_on(self, day: dt.date) -> ExceptionSpec | None:
        found = None
        for e in self.exceptions:
            if e.date_from <= day <= e.date_to:
                if e.kind == AvailabilityException.Kind.CLOSED:
                    return e
                found = e
        return found

    # --- intervals ------------------------------------------------------------------------

    def _zone(self) -> dt.tzinfo:
        return self.tz or timezone.get_current_timezone()

    def _at(self, day: dt.date, t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, t, tzinfo=self._zone())

    def _raw(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The windows starting on `day`, before exceptions."""
        wd = self.weekday_of(day)
        out = []
        for w in self.windows:
            if wd not in w.weekdays:
                continue
            start = self._at(day, w.start)
            if w.start == w.end == dt.time(0, 0):
                end = self._at(day + DAY, dt.time(0, 0))
            elif w.end <= w.start:
                end = self._at(day + DAY, w.end)
            else:
                end = self._at(day, w.end)
            out.append((start, end))
        return out

    def intervals(self, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open intervals touching the dates first…last (inclusive), merged and sorted.
        Intervals may reach past `last` (an evening window ends the next morning)."""
        raw: list[tuple[dt.datetime, dt.datetime]] = []
        day = first - DAY  # yesterday's evening window reaches into `first`
        while day <= last:
            raw.extend(self._raw(day))
            day += DAY
        # Exceptions cut or add whole dates.
        day = first - DAY
        while day <= last + DAY:
            exc = self.exception_on(day)
            if exc is not None:
                lo, hi = self._at(day, dt.time(0, 0)), self._at(day + DAY, dt.time(0, 0))
                raw = _subtract(raw, lo, hi)
                if exc.kind == AvailabilityException.Kind.OPEN:
                    raw.append((lo, hi))
            day += DAY
        return _merge(raw)

    def open_at(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
        """The open interval containing `at` (start inclusive, end exclusive), or None."""
        local = timezone.localtime(at, self._zone())
        for start, end in self.intervals(local.date(), local.date()):
            if start <= local < end:
                return start, end
        return None

    def next_opening(self, at: dt.datetime, days: int = 14) -> dt.datetime | None:
        local = timezone.localtime(at, self._zone())
        for start, _end in self.intervals(local.date(), local.date() + dt.timedelta(days=days)):
            if start > local:
                return start
        return None


def _subtract(
    intervals: list[tuple[dt.datetime, dt.datetime]], lo: dt.datetime, hi: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for s, e in intervals:
        if e <= lo or s >= hi:
            out.append((s, e))
            continue
        if s < lo:
            out.append((s, lo))
        if e > hi:
            out.append((hi, e))
    return out


def _merge(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def schedule_for(resource: SharedResource) -> Schedule:
    """The resource's schedule from its active windows and exceptions (two queries)."""
    windows = [
        WindowSpec(frozenset(w.weekdays), w.start, w.end)
        for w in AvailabilityWindow.objects.active().filter(resource=resource)
    ]
    exceptions = [
        ExceptionSpec(e.kind, e.date_from, e.date_to, e.note)
        for e in AvailabilityException.objects.active().filter(resource=resource)
    ]
    return Schedule(windows, exceptions, follows_calendar=resource.follows_school_calendar)


@dataclass(frozen=True)
class ResourceInfo:
    """What the gate needs of a resource, kept per process (`gate_info`)."""

    pk: int
    owner_id: int
    kind: str
    schedule: Schedule


def _load_gate_info() -> dict[int, ResourceInfo]:
    windows: dict[int, list[WindowSpec]] = {}
    for w in AvailabilityWindow.objects.active():
        windows.setdefault(w.resource_id, []).append(
            WindowSpec(frozenset(w.weekdays), w.start, w.end)
        )
    exceptions: dict[int, list[ExceptionSpec]] = {}
    for e in AvailabilityException.objects.active():
        exceptions.setdefault(e.resource_id, []).append(
            ExceptionSpec(e.kind, e.date_from, e.date_to, e.note)
        )
    return {
        r.pk: ResourceInfo(
            r.pk,
            r.owner_id,
            r.kind,
            Schedule(
                windows.get(r.pk, []),
                exceptions.get(r.pk, []),
                follows_calendar=r.follows_school_calendar,
            ),
        )
        for r in SharedResource.objects.active()
    }


_GATE_INFO = TableCache(_load_gate_info, SharedResource, AvailabilityWindow, AvailabilityException)


def gate_info(resource_id: int) -> ResourceInfo | None:
    """The active resource's owner, kind and schedule from the per-process cache (reloaded
    when any resource, window or exception changes; gongzhi.core.cache)."""
    return _GATE_INFO.get().get(resource_id)


def invalidate_gate_info() -> None:
    _GATE_INFO.invalidate()


def car_park_owner_ids() -> frozenset[int]:
    """The units that own an active car park (from the same cache)."""
    return frozenset(
        i.owner_id for i in _GATE_INFO.get().values() if i.kind == SharedResource.Kind.CAR_PARK
    )

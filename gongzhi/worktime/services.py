"""Working-time arithmetic for time limits (时限), and the audited writes of calendar overrides.

Digital urban management and 12345 practice state time limits in three units (e.g. Yuncheng's
立结案标准: 井盖缺失 2紧急工作时, 破损 4工作时, 弹跳 2工作日):

- `Unit.CONTINUOUS_HOURS` (紧急工作时): hours on the wall clock; nights, weekends and holidays
  count. 2 continuous hours from 16:00 are due at 18:00, even on 1 October.
- `Unit.WORKING_HOURS` (工作时): only time inside the working periods (settings
  GONGZHI["WORKING_PERIODS"], e.g. 08:30–17:30) of working days (gongzhi.worktime.calendar:
  statutory holidays and make-up working days 调休) counts. A start outside working time counts
  from the next working period. A deadline that uses up a period exactly falls at the period's
  end (17:30), not at the start of the next one.
- `Unit.WORKING_DAYS` (工作日): **the day of receipt does not count; counting begins the next
  day, and the deadline is the close of business (the end of the last working period) of the
  N-th working day after the day of receipt.** Received Wednesday 30 September 2026 at 10:00 with
  5 working days: 1–7 October are the National Day holiday, Saturday 10 October is a make-up
  working day, so the days are 8, 9, 10, 12 and 13 October and the work is due on Tuesday
  13 October 2026 at 17:30. The same holds whether the request came at 08:00, 17:29 or 23:00,
  or on a Sunday (then the first day counted is the next working day).

  Why this rule, and not "the same clock time N working days later": it is the rule of Chinese
  law for periods counted in days, and the one 12345 regulations state.
  * Civil Code (民法典) art. 201: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算
    (the first day is not counted; the period runs from the next day); art. 203: 期间的最后一日
    的截止时间为二十四时；有业务时间的，停止业务活动的时间为截止时间 (the last day ends when
    business closes). The same rule was in 民法通则 art. 154.
  * Administrative Licensing Law (行政许可法) art. 82: 期限以工作日计算，不含法定节假日 (working
    days exclude statutory holidays; make-up working days are working days).
  * 12345 practice, e.g. a bureau's 12345 rules: 应在收到转办件工单的次日起13个工作日内办结
    (within 13 working days from the day after receiving the work order;
    fsou.com/html/text/lar/172733/17273310_2.html), and Shanghai's 1/5/15-working-day limits.
  It also gives a handler whole days, and a deadline a caller can be told ("by the end of
  Tuesday 13 October"). Fractional amounts are allowed: 0.5 working days end half-way through
  the working time of the first counted day.

Operations (all datetimes timezone-aware; results are in settings.TIME_ZONE, Asia/Shanghai,
which has had no daylight-saving time since 1991, so working periods are plain wall-clock times;
a naive datetime raises `NaiveDatetimeError`):

- `add(start, amount, unit)`: the deadline. An approved extension (延期) is `add(due_at, amount,
  unit)`: N more working days after a deadline at 17:30 on Friday end on the N-th working day
  after that Friday.
- `elapsed(start, end, unit)`: time used between two instants, in the unit (hours, or working
  days for WORKING_DAYS, with the day of `start` not counted); `elapsed(start, add(start, x, u),
  u) == x`.
- `remaining(now, due, unit)`: time left until the deadline in the unit (negative when overdue);
  for WORKING_DAYS, working time / length of the working day, e.g. 0.5 at 13:00 on the last day
  of an 08:30–17:30 day.
- `shift(due, paused_from=…, paused_until=…, unit=…)`: the deadline after a suspension (挂账):
  the clock stops, so the deadline moves later by the time of the unit that passed during the
  pause (working time for working units: a pause over a weekend moves nothing). A WORKING_DAYS
  deadline moved this way is rounded up to the close of business of its day, so it keeps ending
  a working day (a pause of a few working hours gives one more working day).
- `is_working_time(at)`, `next_working_start(at)`, `is_working_day(day)`.

The calendar is cached per process (see calendar.py): after the first call, `add()` and the
others run no query and take microseconds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.core.errors import ServiceError

from . import calendar as cal_module
from .calendar import US_PER_HOUR, Calendar, get_calendar
from .models import CalendarOverride, Unit

__all__ = [
    "NaiveDatetimeError",
    "Unit",
    "add",
    "calendar_override_archive",
    "calendar_override_create",
    "calendar_override_restore",
    "calendar_override_update",
    "elapsed",
    "is_working_day",
    "is_working_time",
    "next_working_start",
    "remaining",
    "shift",
]

Amount = float | Decimal
CONTINUOUS_HOURS, WORKING_HOURS, WORKING_DAYS = (
    Unit.CONTINUOUS_HOURS,
    Unit.WORKING_HOURS,
    Unit.WORKING_DAYS,
)


class NaiveDatetimeError(ValueError):
    def __init__(self, name: str, value: dt.datetime) -> None:
        super().__init__(
            f"{name}={value.isoformat()} is a naive datetime: working time needs a "
            "timezone-aware one (django.utils.timezone.now(), or attach settings.TIME_ZONE)."
        )


# --- Helpers -------------------------------------------------------------------------------------


def _unit(unit: Unit | str) -> Unit:
    return unit if isinstance(unit, Unit) else Unit(unit)


def _local(cal: Calendar, value: dt.datetime, name: str) -> tuple[int, int]:
    """(date ordinal, microseconds since local midnight) of an aware datetime."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name, value)
    loc = value.astimezone(cal.tz)
    us = ((loc.hour * 60 + loc.minute) * 60 + loc.second) * 1_000_000 + loc.microsecond
    return loc.toordinal(), us


def _instant(cal: Calendar, ordinal: int, us: int) -> dt.datetime:
    day = dt.date.fromordinal(ordinal)
    return dt.datetime(day.year, day.month, day.day, tzinfo=cal.tz) + dt.timedelta(microseconds=us)


def _amount(amount: Amount) -> float:
    value = float(amount)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"A time limit must be a finite number ≥ 0, not {amount!r}.")
    return value


def _worked(cal: Calendar, ordinal: int, us: int) -> int:
    """Working microseconds of the day `ordinal` before the local time `us`."""
    return cal.periods.worked_before(us) if cal.is_working_ordinal(ordinal) else 0


def _work_between(cal: Calendar, a: tuple[int, int], b: tuple[int, int]) -> int:
    """Working microseconds from local position a to b (negative if b precedes a)."""
    return (
        cal.periods.day_us * cal.count(a[0], b[0])
        + _worked(cal, b[0], b[1])
        - _worked(cal, a[0], a[1])
    )


def _advance(cal: Calendar, ordinal: int, worked: int, delta: int) -> tuple[int, int]:
    """The earliest local position at which `delta` (> 0) working microseconds have passed
    after the point of day `ordinal` where `worked` microseconds of its working time had
    passed (`worked` is 0 when that day is not a working day)."""
    day_us = cal.periods.day_us
    k, rest = divmod(worked + delta, day_us)
    if rest == 0:
        return cal.nth(ordinal, k - 1), cal.periods.last_end
    return cal.nth(ordinal, k), cal.periods.time_at(rest)


# --- Arithmetic ----------------------------------------------------------------------------------


def add(start: dt.datetime, amount: Amount, unit: Unit | str) -> dt.datetime:
    """The deadline of a time limit of `amount` `unit`s starting at `start` (see the module
    docstring for the rule of each unit). An amount of 0 is due at `start`."""
    unit = _unit(unit)
    cal = get_calendar()
    value = _amount(amount)
    ordinal, us = _local(cal, start, "start")
    if value == 0:
        return start.astimezone(cal.tz)
    if unit is CONTINUOUS_HOURS:
        return (start + dt.timedelta(microseconds=round(value * US_PER_HOUR))).astimezone(cal.tz)
    if unit is WORKING_HOURS:
        delta = round(value * US_PER_HOUR)
        if delta == 0:
            return start.astimezone(cal.tz)
        return _instant(cal, *_advance(cal, ordinal, _worked(cal, ordinal, us), delta))
    delta = round(value * cal.periods.day_us)
    if delta == 0:
        return start.astimezone(cal.tz)
    # Working days: the day of receipt is not counted.
    return _instant(cal, *_advance(cal, ordinal + 1, 0, delta))


def elapsed(start: dt.datetime, end: dt.datetime, unit: Unit | str) -> float:
    """Time of the unit used between `start` and `end` (end ≥ start): hours for the hour
    units, working days for WORKING_DAYS (the day of `start` not counted, as in add())."""
    unit = _unit(unit)
    cal = get_calendar()
    a = _local(cal, start, "start")
    b = _local(cal, end, "end")
    if end < start:
        raise ValueError("elapsed(): end precedes start.")
    if unit is CONTINUOUS_HOURS:
        return (end - start) / dt.timedelta(hours=1)
    if unit is WORKING_HOURS:
        return _work_between(cal, a, b) / US_PER_HOUR
    if b[0] <= a[0]:
        return 0.0
    return _work_between(cal, (a[0] + 1, 0), b) / cal.periods.day_us


def remaining(now: dt.datetime, due: dt.datetime, unit: Unit | str) -> float:
    """Time of the unit left from `now` until `due`: hours for the hour units, working days
    (working time divided by the length of the working day) for WORKING_DAYS. Negative when
    the deadline has passed."""
    unit = _unit(unit)
    cal = get_calendar()
    a = _local(cal, now, "now")
    b = _local(cal, due, "due")
    if unit is CONTINUOUS_HOURS:
        return (due - now) / dt.timedelta(hours=1)
    worked = _work_between(cal, a, b)
    if unit is WORKING_HOURS:
        return worked / US_PER_HOUR
    return worked / cal.periods.day_us


def shift(
    due: dt.datetime,
    *,
    paused_from: dt.datetime,
    paused_until: dt.datetime,
    unit: Unit | str,
) -> dt.datetime:
    """The deadline `due` moved by a suspension from `paused_from` to `paused_until`: later by
    the time of the unit that passed during the pause; a WORKING_DAYS deadline is then rounded
    up to the close of business of its day."""
    unit = _unit(unit)
    cal = get_calendar()
    d = _local(cal, due, "due")
    p0 = _local(cal, paused_from, "paused_from")
    p1 = _local(cal, paused_until, "paused_until")
    if paused_until < paused_from:
        raise ValueError("shift(): paused_until precedes paused_from.")
    if unit is CONTINUOUS_HOURS:
        return (due + (paused_until - paused_from)).astimezone(cal.tz)
    paused = _work_between(cal, p0, p1)
    if paused == 0:
        return due.astimezone(cal.tz)
    ordinal, us = _advance(cal, d[0], _worked(cal, *d), paused)
    if unit is WORKING_DAYS:
        us = cal.periods.last_end
    return _instant(cal, ordinal, us)


def is_working_day(day: dt.date) -> bool:
    return get_calendar().is_working_day(day)


def is_working_time(at: dt.datetime) -> bool:
    """True inside a working period of a working day (periods are half-open: 17:30 is out)."""
    cal = get_calendar()
    ordinal, us = _local(cal, at, "at")
    return cal.is_working_ordinal(ordinal) and cal.periods.contains(us)


def next_working_start(at: dt.datetime) -> dt.datetime:
    """`at` itself if it is working time, else the start of the next working period."""
    cal = get_calendar()
    ordinal, us = _local(cal, at, "at")
    if cal.is_working_ordinal(ordinal):
        if cal.periods.contains(us):
            return at.astimezone(cal.tz)
        start = cal.periods.next_start(us)
        if start is not None:
            return _instant(cal, ordinal, start)
    return _instant(cal, cal.nth(ordinal + 1, 0), cal.periods.first_start)


# --- Calendar overrides (audited writes) ------------------------------------------------------------


def _calendar_changed(override: CalendarOverride) -> CalendarOverride:
    """Every write of an override ends here: the working calendar is refreshed now and after
    the commit."""
    cal_module.invalidate()
    transaction.on_commit(cal_module.invalidate)
    return override


@transaction.atomic
def calendar_override_create(
    *,
    actor: Any,
    date: dt.date,
    is_working_day: bool,
    name: str = "",
    remarks: str = "",
    note: str = "",
) -> CalendarOverride:
    """A new override; `note` goes to the audit trail."""
    override = audit.create(
        actor=actor,
        model=CalendarOverride,
        note=note,
        date=date,
        is_working_day=is_working_day,
        name=name,
        remarks=remarks,
    )
    return _calendar_changed(override)


@transaction.atomic
def calendar_override_update(
    *, actor: Any, override: CalendarOverride, note: str = "", **fields: Any
) -> CalendarOverride:
    allowed = {"date", "is_working_day", "name", "remarks"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"calendar_override_update() cannot set {sorted(unknown)}.")
    return _calendar_changed(audit.update(actor=actor, obj=override, note=note, **fields))


@transaction.atomic
def calendar_override_archive(
    *, actor: Any, override: CalendarOverride, note: str = ""
) -> CalendarOverride:
    return _calendar_changed(audit.archive(actor=actor, obj=override, note=note))


@transaction.atomic
def calendar_override_restore(
    *, actor: Any, override: CalendarOverride, note: str = ""
) -> CalendarOverride:
    return _calendar_changed(audit.restore(actor=actor, obj=override, note=note))


# --- A year's holiday notice ----------------------------------------------------------------------
#
# The State Council publishes each year's arrangement (国务院办公厅关于<year>年部分节假日安排的
# 通知) in the autumn before: for each statutory holiday the days off and the weekend days worked
# instead (调休上班). Until the chinesecalendar package carries the year, an administrator enters
# the notice here; it becomes one calendar override per date.

# The holidays of the notice, in its order: (key, Chinese name as the notice writes it).
NOTICE_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("new_year", "元旦"),
    ("spring_festival", "春节"),
    ("tomb_sweeping", "清明节"),
    ("labour_day", "劳动节"),
    ("dragon_boat", "端午节"),
    ("mid_autumn", "中秋节"),
    ("national_day", "国庆节"),
)
MAX_HOLIDAY_DAYS = 10
MAKE_UP_NAME = "调休上班"


@dataclass(frozen=True)
class HolidayPeriod:
    """One holiday of the notice: its days off (start to end) and the days worked instead."""

    key: str
    name: str
    start: dt.date
    end: dt.date
    make_up: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class PlannedDay:
    date: dt.date
    is_working_day: bool
    name: str
    replaces: CalendarOverride | None  # the override of this date there already is


@dataclass
class NoticePlan:
    year: int
    days: list[PlannedDay]
    working_days_before: int
    working_days_after: int

    @property
    def days_off(self) -> list[PlannedDay]:
        return [d for d in self.days if not d.is_working_day]

    @property
    def make_up_days(self) -> list[PlannedDay]:
        return [d for d in self.days if d.is_working_day]


def _first_allowed(year: int) -> dt.date:
    # 元旦 may begin on 31 December of the year before (the 2023 notice did).
    return dt.date(year - 1, 12, 25)


def plan_holiday_notice(*, year: int, periods: list[HolidayPeriod]) -> NoticePlan:
    """The overrides a year's notice comes to, checked: every date in the year (元旦 may start
    in the last days of the year before), each holiday at most MAX_HOLIDAY_DAYS long and ending
    after it starts, no two holidays overlapping, make-up working days on a Saturday or Sunday
    outside every holiday and entered once. Every problem at once (ServiceError, by field
    `<key>_start`, `<key>_end`, `<key>_make_up`)."""
    problems: dict[str, list[Any]] = {}

    def refuse(field: str, message: Any) -> None:
        problems.setdefault(field, []).append(message)

    if not periods:
        raise ServiceError(_("Enter the days off of at least one holiday."))
    first, last = _first_allowed(year), dt.date(year, 12, 31)
    taken: dict[dt.date, str] = {}
    for p in periods:
        for field, day in ((f"{p.key}_start", p.start), (f"{p.key}_end", p.end)):
            if not first <= day <= last:
                refuse(field, _("%(date)s is not in %(year)s.") % {"date": day, "year": year})
        if p.end < p.start:
            refuse(f"{p.key}_end", _("The last day off comes before the first."))
        elif (p.end - p.start).days + 1 > MAX_HOLIDAY_DAYS:
            refuse(
                f"{p.key}_end",
                _("A holiday of more than %(n)s days: check the dates.") % {"n": MAX_HOLIDAY_DAYS},
            )
        else:
            day = p.start
            while day <= p.end:
                if day in taken:
                    refuse(
                        f"{p.key}_start",
                        _("%(date)s is already a day off of %(other)s.")
                        % {"date": day, "other": taken[day]},
                    )
                    break
                taken[day] = p.name
                day += dt.timedelta(days=1)
    worked: dict[dt.date, str] = {}
    for p in periods:
        for day in p.make_up:
            field = f"{p.key}_make_up"
            if not first <= day <= last:
                refuse(field, _("%(date)s is not in %(year)s.") % {"date": day, "year": year})
            elif day.weekday() < 5:
                refuse(
                    field,
                    _("%(date)s is a weekday: make-up working days fall on a Saturday or Sunday.")
                    % {"date": day},
                )
            elif day in taken:
                refuse(
                    field,
                    _("%(date)s is a day off of %(other)s.") % {"date": day, "other": taken[day]},
                )
            elif day in worked:
                refuse(field, _("%(date)s is entered twice.") % {"date": day})
            worked[day] = p.name
    if problems:
        raise ServiceError(
            _("The notice could not be taken as entered: see the marked fields."),
            field_errors=problems,
        )
    existing = {
        o.date: o
        for o in CalendarOverride.objects.filter(date__in=[*taken, *worked]).order_by("date")
    }
    days = [PlannedDay(day, False, name, existing.get(day)) for day, name in taken.items()] + [
        PlannedDay(day, True, f"{MAKE_UP_NAME}（{name}）", existing.get(day))
        for day, name in worked.items()
    ]
    days.sort(key=lambda d: d.date)
    cal = cal_module.get_calendar(max_age=0)
    before = sum(
        1
        for ordinal in range(dt.date(year, 1, 1).toordinal(), last.toordinal() + 1)
        if cal.is_working_day(dt.date.fromordinal(ordinal))
    )
    change = {d.date: d.is_working_day for d in days if d.date.year == year}
    after = before + sum(
        (1 if working else -1)
        for day, working in change.items()
        if cal.is_working_day(day) != working
    )
    return NoticePlan(year, days, before, after)


@transaction.atomic
def holiday_notice_save(*, actor: Any, plan: NoticePlan, remarks: str = "") -> int:
    """Write a checked notice: one override per date (an override of the date there already is,
    active or archived, is changed and restored; the dates' uniqueness keeps one each). Each
    write is in the audit trail. Returns how many dates were written."""
    note = str(_("Holiday notice for %(year)s") % {"year": plan.year})
    for day in plan.days:
        fields: dict[str, Any] = {
            "is_working_day": day.is_working_day,
            "name": day.name,
            "remarks": remarks,
        }
        old = day.replaces
        if old is None:
            calendar_override_create(actor=actor, date=day.date, note=note, **fields)
            continue
        old = CalendarOverride.objects.select_for_update().get(pk=old.pk)
        if old.archived_at is not None:
            calendar_override_restore(actor=actor, override=old, note=note)
        calendar_override_update(actor=actor, override=old, note=note, **fields)
    return len(plan.days)

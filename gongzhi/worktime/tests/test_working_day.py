"""Configurable working periods (a lunch break), start instants in and out of them, and the
round trip add() ↔ elapsed()."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongzhi.worktime import calendar, services
from gongzhi.worktime.checks import check_working_time
from gongzhi.worktime.models import Unit

from .factories import LUNCH_BREAK, at

pytestmark = pytest.mark.django_db

CH, WH, WD = Unit.CONTINUOUS_HOURS, Unit.WORKING_HOURS, Unit.WORKING_DAYS

# Tuesday 2 June 2026 – Monday 8 June 2026 is an ordinary week.


@pytest.mark.parametrize(
    "start,hours,due",
    [
        # Inside a period.
        (at(2026, 6, 2, 9), 2, at(2026, 6, 2, 11)),
        # Inside, ending exactly at the lunch break: 12:00, not 13:00.
        (at(2026, 6, 2, 9), 3, at(2026, 6, 2, 12)),
        # Inside, across the lunch break.
        (at(2026, 6, 2, 11), 2, at(2026, 6, 2, 14)),
        # Between the periods: counting starts at 13:00.
        (at(2026, 6, 2, 12, 30), 1, at(2026, 6, 2, 14)),
        # Before the day starts.
        (at(2026, 6, 2, 7), 1, at(2026, 6, 2, 9, 30)),
        # After the day ends.
        (at(2026, 6, 2, 18), 1, at(2026, 6, 3, 9, 30)),
        # Friday evening to Monday, across Monday's lunch break.
        (at(2026, 6, 5, 18), 4, at(2026, 6, 8, 13, 30)),
        # A whole working day is 8 hours.
        (at(2026, 6, 2, 8, 30), 8, at(2026, 6, 2, 17, 30)),
        (at(2026, 6, 2, 8, 30), 8.5, at(2026, 6, 3, 9)),
    ],
)
def test_working_hours_with_a_lunch_break(lunch_break, start, hours, due):
    assert services.add(start, hours, WH) == due
    assert services.elapsed(start, due, WH) == pytest.approx(hours)


def test_the_lunch_break_is_not_working_time(lunch_break):
    assert services.elapsed(at(2026, 6, 2, 11), at(2026, 6, 2, 14), WH) == pytest.approx(2)
    assert not services.is_working_time(at(2026, 6, 2, 12, 30))
    assert services.is_working_time(at(2026, 6, 2, 13))
    assert services.next_working_start(at(2026, 6, 2, 12)) == at(2026, 6, 2, 13)
    assert services.next_working_start(at(2026, 6, 5, 17, 30)) == at(2026, 6, 8, 8, 30)
    # Working days end at the close of the afternoon; 4.5 of 8 hours is 0.5625 of a day.
    assert services.add(at(2026, 6, 2, 10), 1, WD) == at(2026, 6, 3, 17, 30)
    assert services.remaining(at(2026, 6, 3, 13), at(2026, 6, 3, 17, 30), WD) == 0.5625


def test_the_default_working_day_is_0830_to_1730():
    assert services.add(at(2026, 6, 2, 11), 2, WH) == at(2026, 6, 2, 13)
    assert services.is_working_time(at(2026, 6, 2, 12, 30))


def test_working_periods_from_the_environment_string(settings):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": "08:30-12:00, 13:00-17:30"}
    assert services.add(at(2026, 6, 2, 11), 2, WH) == at(2026, 6, 2, 14)
    assert calendar.parse_periods("08:30-12:00,13:00-17:30") == calendar.parse_periods(LUNCH_BREAK)


def test_a_change_of_working_periods_is_seen_at_once(settings):
    assert services.add(at(2026, 6, 2, 11), 2, WH) == at(2026, 6, 2, 13)
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": LUNCH_BREAK}
    assert services.add(at(2026, 6, 2, 11), 2, WH) == at(2026, 6, 2, 14)


@pytest.mark.parametrize(
    "value,message",
    [
        ([("17:30", "08:30")], "ends before it starts"),
        ([("13:00", "17:30"), ("08:30", "12:00")], "overlaps or precedes"),
        ([("08:30", "12:30"), ("12:00", "17:30")], "overlaps or precedes"),
        ([("0830", "1730")], "not a time"),
        ([("08:30",)], "not a period"),
        ([("25:00", "26:00")], "not a time of day"),
        ([], "at least one"),
    ],
)
def test_invalid_working_periods_are_refused_clearly(settings, value, message):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": value}
    with pytest.raises(ImproperlyConfigured, match=message):
        services.add(at(2026, 6, 2, 9), 1, WH)
    errors = [m for m in check_working_time() if m.id == "worktime.E001"]
    assert len(errors) == 1 and message in errors[0].msg


# --- add() and elapsed() are inverses -------------------------------------------------------------

FIRST = at(2025, 1, 1)
SPAN_MINUTES = int((at(2028, 1, 1) - FIRST).total_seconds() // 60)  # 2027: Mon–Fri fallback


def _random_instant(rng: random.Random) -> dt.datetime:
    return FIRST + dt.timedelta(minutes=rng.randrange(SPAN_MINUTES), seconds=rng.random())


@pytest.mark.parametrize("periods", [[("08:30", "17:30")], LUNCH_BREAK])
def test_elapsed_inverts_add_for_random_instants(settings, periods):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": periods}
    rng = random.Random(2026)  # noqa: S311
    for _ in range(600):
        start = _random_instant(rng)
        for unit, amount in (
            (CH, rng.uniform(0, 300)),
            (WH, rng.uniform(0, 300)),
            (WH, rng.randrange(1, 40)),
            (WD, rng.randrange(1, 25)),
            (WD, rng.uniform(0, 25)),
        ):
            due = services.add(start, amount, unit)
            assert due >= start
            assert services.elapsed(start, due, unit) == pytest.approx(amount, abs=1e-6)
            if unit == WD and amount == int(amount):
                assert due.time() == dt.time(17, 30)


@pytest.mark.parametrize("periods", [[("08:30", "17:30")], LUNCH_BREAK])
def test_add_inverts_elapsed_up_to_time_outside_working_hours(settings, periods):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": periods}
    rng = random.Random(12345)  # noqa: S311
    for _ in range(600):
        start, end = sorted((_random_instant(rng), _random_instant(rng)))
        if rng.random() < 0.5:  # often close together
            end = start + dt.timedelta(minutes=rng.randrange(0, 5 * 24 * 60))
        for unit in (CH, WH, WD):
            used = services.elapsed(start, end, unit)
            back = services.add(start, used, unit)
            # The earliest instant at which that much time has been used: `end` itself, or
            # the end of the last working period before it (no working time in between).
            assert back <= end + dt.timedelta(microseconds=1)
            if unit == CH:
                assert abs(back - end) <= dt.timedelta(microseconds=1)
            elif unit == WD and used == 0:
                assert back == start  # nothing counted yet (the day of receipt never is)
            else:
                assert abs(services.remaining(back, end, WH)) < 1e-6
            if unit == WH and services.is_working_time(end):
                assert abs(back - end) <= dt.timedelta(microseconds=1)

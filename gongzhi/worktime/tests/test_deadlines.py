"""Deadlines in the three units across the 2026 holidays, with the default working day
08:30–17:30 (9 working hours).

2026 as the State Council arranged it (chinesecalendar 1.11): Mid-Autumn Fri 25 – Sun 27 Sept
off; National Day Thu 1 – Wed 7 Oct off, with make-up working days Sun 20 Sept and Sat 10 Oct;
Spring Festival Sun 15 – Mon 23 Feb off, with make-up working days Sat 14 and Sat 28 Feb.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.worktime import services
from gongzhi.worktime.models import Unit

from .factories import SHANGHAI, at

pytestmark = pytest.mark.django_db

CH, WH, WD = Unit.CONTINUOUS_HOURS, Unit.WORKING_HOURS, Unit.WORKING_DAYS


def test_the_2026_national_day_arrangement_is_known():
    off = [dt.date(2026, 10, d) for d in range(1, 8)] + [dt.date(2026, 9, 25)]
    assert not any(services.is_working_day(d) for d in off)
    assert services.is_working_day(dt.date(2026, 9, 20))  # Sunday, make-up working day
    assert services.is_working_day(dt.date(2026, 10, 10))  # Saturday, make-up working day
    assert not services.is_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday
    assert services.is_working_day(dt.date(2026, 10, 8))


# --- Working days: the day of receipt is not counted; due at close of business ----------------


@pytest.mark.parametrize(
    "start,days,due",
    [
        # Received the working day before the holiday: 8, 9, 10 (Sat), 12, 13 October.
        (at(2026, 9, 30, 10), 5, at(2026, 10, 13, 17, 30)),
        (at(2026, 9, 30, 10), 1, at(2026, 10, 8, 17, 30)),
        (at(2026, 9, 30, 10), 3, at(2026, 10, 10, 17, 30)),  # the make-up Saturday counts
        (at(2026, 9, 30, 10), 4, at(2026, 10, 12, 17, 30)),  # Sunday 11th does not
        (at(2026, 9, 30, 10), 15, at(2026, 10, 27, 17, 30)),
        # Same whatever the hour of receipt.
        (at(2026, 9, 30, 8), 5, at(2026, 10, 13, 17, 30)),
        (at(2026, 9, 30, 23, 59), 5, at(2026, 10, 13, 17, 30)),
        # Received during the holiday: counting starts on the first working day after it.
        (at(2026, 10, 3, 11), 1, at(2026, 10, 8, 17, 30)),
        # Received Saturday 19 Sept: Sunday 20 Sept is a make-up working day.
        (at(2026, 9, 19, 10), 1, at(2026, 9, 20, 17, 30)),
        # Received before Mid-Autumn: Fri 25 to Sun 27 off.
        (at(2026, 9, 24, 16), 1, at(2026, 9, 28, 17, 30)),
    ],
)
def test_working_days_across_national_day(start, days, due):
    assert services.add(start, days, WD) == due
    assert services.elapsed(start, due, WD) == pytest.approx(days)


def test_working_days_across_spring_festival_2026():
    friday = at(2026, 2, 13, 10)
    assert services.add(friday, 1, WD) == at(2026, 2, 14, 17, 30)  # make-up Saturday
    assert services.add(friday, 2, WD) == at(2026, 2, 24, 17, 30)  # after nine days off
    assert services.add(friday, 5, WD) == at(2026, 2, 27, 17, 30)
    assert services.add(friday, 6, WD) == at(2026, 2, 28, 17, 30)  # make-up Saturday
    assert services.add(at(2026, 2, 18, 9), 1, WD) == at(2026, 2, 24, 17, 30)


def test_an_extension_adds_working_days_after_the_deadline():
    due = services.add(at(2026, 9, 30, 10), 5, WD)
    assert services.add(due, 3, WD) == at(2026, 10, 16, 17, 30)


# --- Working hours: only working periods of working days ------------------------------------------


@pytest.mark.parametrize(
    "start,hours,due",
    [
        # An evening, an ordinary Saturday, then the make-up Sunday 20 Sept.
        (at(2026, 9, 18, 17), 2, at(2026, 9, 20, 10)),
        # Mid-Autumn: Thursday evening to Monday morning.
        (at(2026, 9, 24, 17), 1, at(2026, 9, 28, 9)),
        # The whole National Day holiday is skipped.
        (at(2026, 9, 30, 16, 30), 3, at(2026, 10, 8, 10, 30)),
        # … and the make-up Saturday 10 Oct counts: 1 + 9 + 9 + 1 hours.
        (at(2026, 9, 30, 16, 30), 20, at(2026, 10, 10, 9, 30)),
        # Then the ordinary Sunday 11 Oct does not: 1 + 9 + 9 + 9 + 1 hours.
        (at(2026, 9, 30, 16, 30), 29, at(2026, 10, 12, 9, 30)),
        # Using up the day exactly ends at 17:30, not at 08:30 on 8 October.
        (at(2026, 9, 30, 15, 30), 2, at(2026, 9, 30, 17, 30)),
        # A start during the holiday counts from 08:30 on 8 October.
        (at(2026, 10, 2, 12), 4, at(2026, 10, 8, 12, 30)),
        # Spring Festival: Friday evening, make-up Saturday, nine days off.
        (at(2026, 2, 13, 17), 1, at(2026, 2, 14, 9)),
        (at(2026, 2, 14, 17), 10, at(2026, 2, 25, 9)),
    ],
)
def test_working_hours_across_holidays(start, hours, due):
    assert services.add(start, hours, WH) == due
    assert services.elapsed(start, due, WH) == pytest.approx(hours)


# --- Continuous hours: the clock never stops ----------------------------------------------------


@pytest.mark.parametrize(
    "start,hours,due",
    [
        (at(2026, 9, 30, 16), 2, at(2026, 9, 30, 18)),
        (at(2026, 9, 30, 16), 48, at(2026, 10, 2, 16)),
        (at(2026, 10, 3, 23), 2, at(2026, 10, 4, 1)),
        (at(2026, 9, 19, 22), 0.5, at(2026, 9, 19, 22, 30)),
    ],
)
def test_continuous_hours_ignore_nights_weekends_and_holidays(start, hours, due):
    assert services.add(start, hours, CH) == due
    assert services.elapsed(start, due, CH) == pytest.approx(hours)


# --- Elapsed, remaining, suspension -----------------------------------------------------------


def test_elapsed_working_days_does_not_count_the_day_of_receipt():
    start = at(2026, 9, 30, 10)
    assert services.elapsed(start, at(2026, 9, 30, 17), WD) == 0
    assert services.elapsed(start, at(2026, 10, 7, 12), WD) == 0  # holiday
    assert services.elapsed(start, at(2026, 10, 8, 13), WD) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="precedes"):
        services.elapsed(start, at(2026, 9, 29), WD)


def test_remaining_counts_down_in_the_unit_and_goes_negative_when_overdue():
    due = at(2026, 10, 13, 17, 30)
    assert services.remaining(at(2026, 10, 12, 17, 30), due, WD) == pytest.approx(1)
    assert services.remaining(at(2026, 10, 13, 13), due, WH) == pytest.approx(4.5)
    assert services.remaining(at(2026, 10, 14, 8, 30), due, WH) == 0  # overnight: no loss
    assert services.remaining(at(2026, 10, 14, 12, 30), due, WH) == pytest.approx(-4)
    assert services.remaining(at(2026, 10, 14, 12, 30), due, CH) == pytest.approx(-19)
    # During the holiday the countdown of a working-hours limit stands still.
    due_wh = at(2026, 10, 8, 12, 30)
    assert services.remaining(at(2026, 10, 1, 9), due_wh, WH) == pytest.approx(4)
    assert services.remaining(at(2026, 10, 7, 18), due_wh, WH) == pytest.approx(4)


def test_a_suspension_over_the_holiday_moves_a_working_hours_deadline_by_its_working_time():
    # Suspended 16:30 on 30 Sept to 10:30 on 8 Oct: 1 + 2 working hours.
    new_due = services.shift(
        at(2026, 10, 9, 12),
        paused_from=at(2026, 9, 30, 16, 30),
        paused_until=at(2026, 10, 8, 10, 30),
        unit=WH,
    )
    assert new_due == at(2026, 10, 9, 15)


def test_a_suspension_outside_working_time_moves_nothing():
    due = at(2026, 10, 12, 12)
    assert (
        services.shift(
            due, paused_from=at(2026, 10, 1, 9), paused_until=at(2026, 10, 7, 20), unit=WH
        )
        == due
    )


def test_a_working_days_deadline_moves_by_whole_days_and_ends_a_working_day():
    due = at(2026, 10, 13, 17, 30)
    # 7.5 + 9 + 1.5 working hours = 2 working days.
    assert services.shift(
        due, paused_from=at(2026, 9, 30, 10), paused_until=at(2026, 10, 9, 10), unit=WD
    ) == at(2026, 10, 15, 17, 30)
    # Two hours of suspension: one more working day.
    assert services.shift(
        due, paused_from=at(2026, 10, 12, 9), paused_until=at(2026, 10, 12, 11), unit=WD
    ) == at(2026, 10, 14, 17, 30)


def test_a_continuous_hours_deadline_moves_by_the_whole_pause():
    assert services.shift(
        at(2026, 10, 1, 12),
        paused_from=at(2026, 10, 1, 9),
        paused_until=at(2026, 10, 1, 14),
        unit=CH,
    ) == at(2026, 10, 1, 17)
    with pytest.raises(ValueError, match="precedes"):
        services.shift(
            at(2026, 10, 1, 12),
            paused_from=at(2026, 10, 1, 9),
            paused_until=at(2026, 10, 1, 8),
            unit=CH,
        )


def test_working_time_and_next_working_start_around_the_holiday():
    assert services.is_working_time(at(2026, 9, 30, 17, 29))
    assert not services.is_working_time(at(2026, 9, 30, 17, 30))
    assert not services.is_working_time(at(2026, 10, 5, 10))
    assert services.is_working_time(at(2026, 10, 10, 10))  # make-up Saturday
    assert services.next_working_start(at(2026, 9, 30, 17, 30)) == at(2026, 10, 8, 8, 30)
    assert services.next_working_start(at(2026, 10, 9, 18)) == at(2026, 10, 10, 8, 30)
    assert services.next_working_start(at(2026, 10, 10, 18)) == at(2026, 10, 12, 8, 30)
    assert services.next_working_start(at(2026, 10, 12, 7)) == at(2026, 10, 12, 8, 30)
    assert services.next_working_start(at(2026, 10, 12, 9)) == at(2026, 10, 12, 9)


# --- Inputs -----------------------------------------------------------------------------------


def test_units_and_amounts_from_the_database_are_accepted():
    start = at(2026, 9, 30, 10)
    assert services.add(start, Decimal("1.5"), "working_hours") == at(2026, 9, 30, 11, 30)
    assert services.add(start, 0, WD) == start
    with pytest.raises(ValueError):
        services.add(start, -1, WH)
    with pytest.raises(ValueError):
        services.add(start, float("nan"), WH)
    with pytest.raises(ValueError):
        services.add(start, 1, "fortnights")


def test_naive_datetimes_are_refused_with_a_clear_error():
    naive = dt.datetime(2026, 9, 30, 10)
    aware = at(2026, 9, 30, 10)
    calls = [
        lambda: services.add(naive, 1, WD),
        lambda: services.elapsed(naive, aware, WH),
        lambda: services.elapsed(aware, naive, WH),
        lambda: services.remaining(naive, aware, WD),
        lambda: services.shift(aware, paused_from=naive, paused_until=aware, unit=WH),
        lambda: services.is_working_time(naive),
        lambda: services.next_working_start(naive),
    ]
    for call in calls:
        with pytest.raises(services.NaiveDatetimeError, match="timezone-aware"):
            call()


def test_any_aware_instant_is_read_in_shanghai_time_and_answers_are_in_shanghai_time():
    utc = dt.UTC
    # 23:00 UTC on 29 Sept is 07:00 on 30 Sept in Shanghai: the day of receipt is the 30th.
    due = services.add(dt.datetime(2026, 9, 29, 23, tzinfo=utc), 5, WD)
    assert due == at(2026, 10, 13, 17, 30)
    assert due.tzinfo == SHANGHAI
    assert due.isoformat() == "2026-10-13T17:30:00+08:00"
    # 00:30 UTC is 08:30 in Shanghai: the start of the working day.
    assert services.is_working_time(dt.datetime(2026, 10, 8, 0, 30, tzinfo=utc))
    # No daylight saving: 17:30 stays 09:30 UTC in winter and in summer.
    for month in (1, 7):
        end = services.add(at(2026, month, 6, 16, 30), 1, WH)
        assert end.utcoffset() == dt.timedelta(hours=8)
        assert end.astimezone(utc).time() == dt.time(9, 30)

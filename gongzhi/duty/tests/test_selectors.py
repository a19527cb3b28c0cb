"""Who is on duty and who is the duty chief now, across shift boundaries: day 08:30–17:30,
night 17:30–08:30 the next day; the centre works 7×24, so holidays and make-up working days
change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.cases import notices
from gongzhi.duty import selectors, services
from gongzhi.duty.models import DutyRole, Shift

from .conftest import at

D = dt.date


def _chiefs_at(when: dt.datetime) -> list[str]:
    return sorted(u.username for u in selectors.current_duty_chiefs(when))


def _put(staff, day: dt.date, pattern, chief, *operators):
    shift, _ = services.shift_ensure(actor=staff.chief, pattern=pattern, day=day)
    now = shift.starts_at - dt.timedelta(days=1)
    services.assignment_create(
        actor=staff.chief, shift=shift, person=chief.person, role=DutyRole.DUTY_CHIEF, now=now
    )
    for op in operators:
        services.assignment_create(
            actor=staff.chief, shift=shift, person=op.person, role=DutyRole.OPERATOR, now=now
        )
    return shift


def test_duty_chief_changes_at_the_shift_boundaries(staff):
    # 30 Nov night: chief2; 1 Dec day: duty_chief; 1 Dec night: chief2; 2 Dec day: duty_chief.
    _put(staff, D(2026, 11, 30), staff.night, staff.chief2)
    _put(staff, D(2026, 12, 1), staff.day, staff.chief, staff.operator)
    _put(staff, D(2026, 12, 1), staff.night, staff.chief2, staff.op2)
    _put(staff, D(2026, 12, 2), staff.day, staff.chief)

    assert _chiefs_at(at(2026, 12, 1, 8, 29)) == ["chief2"]  # still the night of 30 Nov
    assert _chiefs_at(at(2026, 12, 1, 8, 30)) == ["duty_chief"]  # the day shift starts
    assert _chiefs_at(at(2026, 12, 1, 17, 29)) == ["duty_chief"]
    assert _chiefs_at(at(2026, 12, 1, 17, 30)) == ["chief2"]  # the night shift starts
    assert _chiefs_at(at(2026, 12, 1, 23, 59)) == ["chief2"]
    assert _chiefs_at(at(2026, 12, 2, 0, 0)) == ["chief2"]  # past midnight: same night shift
    assert _chiefs_at(at(2026, 12, 2, 8, 29)) == ["chief2"]
    assert _chiefs_at(at(2026, 12, 2, 8, 30)) == ["duty_chief"]
    assert _chiefs_at(at(2026, 12, 2, 17, 30)) == []  # nobody rostered for that night

    night = selectors.current_shift(at(2026, 12, 2, 3, 0))
    assert night is not None and night.date == D(2026, 12, 1) and night.pattern == staff.night
    on_duty = selectors.on_duty(at(2026, 12, 1, 20, 0))
    assert [(a.person.name, a.role) for a in on_duty] == [
        ("周值班", DutyRole.DUTY_CHIEF),
        ("吴受理", DutyRole.OPERATOR),
    ]


def test_the_shift_times_are_aware_and_the_night_ends_the_next_morning(staff):
    shift, created = services.shift_ensure(actor=None, pattern=staff.night, day=D(2026, 12, 31))
    assert created
    assert shift.starts_at == at(2026, 12, 31, 17, 30)
    assert shift.ends_at == at(2027, 1, 1, 8, 30)
    again, created = services.shift_ensure(actor=None, pattern=staff.night, day=D(2026, 12, 31))
    assert again == shift and not created


def test_holidays_and_make_up_working_days_are_ordinary_days_for_the_centre(staff):
    # 1 Oct 2026 is National Day (a holiday), Saturday 10 Oct a make-up working day and
    # Sunday 11 Oct a rest day: every one of them has both shifts and its chief.
    staff.roster(D(2026, 9, 30), days=12, now=at(2026, 9, 1))
    for day in (D(2026, 10, 1), D(2026, 10, 10), D(2026, 10, 11)):
        assert Shift.objects.filter(date=day).count() == 2
        for hour in (3, 9, 12, 20):
            assert len(selectors.current_duty_chiefs(at(day.year, day.month, day.day, hour))) == 1
    # The rotation does not care what kind of day it is: the turn follows the date only.
    before = [_chiefs_at(at(2026, 10, 9, 9)), _chiefs_at(at(2026, 10, 9, 20))]
    make_up = [_chiefs_at(at(2026, 10, 10, 9)), _chiefs_at(at(2026, 10, 10, 20))]
    assert before == make_up


def test_no_roster_means_no_current_chief_and_notices_page_every_duty_chief(staff):
    assert selectors.current_duty_chiefs(at(2026, 12, 1, 9)) == []
    assert sorted(u.username for u in notices.duty_chiefs()) == ["chief2", "duty_chief"]


def test_a_chief_without_a_login_is_not_paged_and_notices_fall_back(staff):
    from gongzhi.org.tests.factories import PersonFactory, PositionFactory

    person = PersonFactory(name="无账号")
    PositionFactory(person=person, organisation=staff.world.orgs["centre"], role="duty_chief")
    shift, _ = services.shift_ensure(actor=None, pattern=staff.day, day=D(2026, 12, 1))
    services.assignment_create(
        actor=None, shift=shift, person=person, role=DutyRole.DUTY_CHIEF, now=at(2026, 11, 1)
    )
    assert selectors.current_duty_chiefs(at(2026, 12, 1, 10)) == []


def test_an_archived_assignment_or_inactive_user_is_not_the_chief(staff):
    shift = _put(staff, D(2026, 12, 1), staff.day, staff.chief2)
    assert _chiefs_at(at(2026, 12, 1, 10)) == ["chief2"]
    staff.chief2.is_active = False
    staff.chief2.save()
    assert _chiefs_at(at(2026, 12, 1, 10)) == []
    staff.chief2.is_active = True
    staff.chief2.save()
    assignment = shift.assignments.get()
    services.assignment_archive(actor=staff.chief, assignment=assignment, now=at(2026, 11, 30))
    assert _chiefs_at(at(2026, 12, 1, 10)) == []


def test_week_roster_is_shifts_by_days_and_marks_now_and_mine(staff, django_assert_max_num_queries):
    staff.roster(D(2026, 11, 30), days=7)
    with django_assert_max_num_queries(4):
        week = selectors.week_roster(
            start=D(2026, 12, 2), now=at(2026, 12, 2, 20), person_id=staff.op2.person_id
        )
        cells = [(row.pattern.code, cell) for row in week.rows for cell in row.cells]
    assert week.start == D(2026, 11, 30)  # the Monday
    assert [row.pattern.code for row in week.rows] == ["day", "night"]
    assert len(cells) == 14
    now_cells = [(code, c.day) for code, c in cells if c.is_now]
    assert now_cells == [("night", D(2026, 12, 2))]
    assert all(c.chief is not None and len(c.operators) == 2 for _, c in cells)
    assert any(c.mine for _, c in cells) and not all(c.mine for _, c in cells)


@pytest.mark.parametrize("hour,expected", [(9, "day"), (18, "night"), (2, "night")])
def test_current_shift(staff, hour, expected):
    staff.roster(D(2026, 11, 30), days=3)
    assert selectors.current_shift(at(2026, 12, 1, hour)).pattern.code == expected

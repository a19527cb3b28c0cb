"""The roster's rules: one duty chief per shift (the database refuses a second), nobody twice on
a shift or on two overlapping shifts, only qualified staff, ended shifts are history; the
generator covers 7×24 and is idempotent; the management command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.duty import services
from gongzhi.duty.models import DutyAssignment, DutyRole, Shift, ShiftPattern

from .conftest import at
from .factories import DutyAssignmentFactory, ShiftFactory

D = dt.date
BEFORE = at(2026, 11, 1)
DEC_1 = D(2026, 12, 1)


def _shift(staff, day=DEC_1, pattern=None) -> Shift:
    return services.shift_ensure(actor=None, pattern=pattern or staff.day, day=day)[0]


def _assign(staff, shift, user, role=DutyRole.OPERATOR, actor=None):
    return services.assignment_create(
        actor=actor or staff.chief, shift=shift, person=user.person, role=role, now=BEFORE
    )


# --- the database ---------------------------------------------------------------------------


def test_the_database_refuses_a_second_duty_chief_on_a_shift(staff):
    shift = ShiftFactory()
    first = DutyAssignmentFactory(shift=shift, person=staff.chief.person, role=DutyRole.DUTY_CHIEF)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignmentFactory(shift=shift, person=staff.chief2.person, role=DutyRole.DUTY_CHIEF)
    # Operators are not limited, and an archived chief makes room for a new one.
    DutyAssignmentFactory(shift=shift, person=staff.operator.person, role=DutyRole.OPERATOR)
    DutyAssignmentFactory(shift=shift, person=staff.op2.person, role=DutyRole.OPERATOR)
    DutyAssignment.objects.filter(pk=first.pk).update(archived_at=BEFORE)
    DutyAssignmentFactory(shift=shift, person=staff.chief2.person, role=DutyRole.DUTY_CHIEF)
    assert shift.assignments.active().filter(role=DutyRole.DUTY_CHIEF).get().person == (
        staff.chief2.person
    )


def test_the_database_refuses_the_same_person_twice_on_a_shift(staff):
    shift = ShiftFactory()
    DutyAssignmentFactory(shift=shift, person=staff.operator.person)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignmentFactory(shift=shift, person=staff.operator.person)


def test_the_database_refuses_a_shift_that_ends_before_it_starts(staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftFactory(starts_at=at(2026, 12, 1, 10), ends_at=at(2026, 12, 1, 9))


def test_assignments_are_never_hard_deleted(staff):
    a = DutyAssignmentFactory(person=staff.operator.person)
    with pytest.raises(RuntimeError):
        a.delete()


# --- assigning ------------------------------------------------------------------------------


def test_assigning_is_audited(staff):
    shift = _shift(staff)
    a = _assign(staff, shift, staff.chief2, DutyRole.DUTY_CHIEF)
    event = AuditEvent.objects.for_object(a).get()
    assert event.action == "create" and event.actor == staff.chief
    assert event.changes["person"]["after"] == staff.chief2.person_id


def test_a_second_duty_chief_is_refused_with_a_message_and_nothing_changes(staff):
    shift = _shift(staff)
    _assign(staff, shift, staff.chief, DutyRole.DUTY_CHIEF)
    with pytest.raises(ServiceError, match="already has a duty chief"):
        _assign(staff, shift, staff.chief2, DutyRole.DUTY_CHIEF)
    assert shift.assignments.count() == 1


def test_the_same_person_twice_on_a_shift_is_refused(staff):
    shift = _shift(staff)
    _assign(staff, shift, staff.chief, DutyRole.DUTY_CHIEF)
    with pytest.raises(ServiceError, match="already on this shift"):
        _assign(staff, shift, staff.chief, DutyRole.OPERATOR)


def test_nobody_is_on_two_overlapping_shifts(staff):
    middle = ShiftPattern.objects.create(
        code="middle", name="中班", start_time=dt.time(12), end_time=dt.time(20)
    )
    day = _shift(staff)
    _assign(staff, day, staff.op2)
    overlapping = _shift(staff, pattern=middle)
    with pytest.raises(ServiceError, match="two overlapping shifts"):
        _assign(staff, overlapping, staff.op2)
    assert not overlapping.assignments.exists()
    # Back to back is fine: the night after the day shift.
    _assign(staff, _shift(staff, pattern=staff.night), staff.op2)


def test_only_duty_chiefs_lead_a_shift_and_only_centre_staff_are_on_it(staff):
    shift = _shift(staff)
    with pytest.raises(ServiceError, match="does not hold the duty chief's position"):
        _assign(staff, shift, staff.operator, DutyRole.DUTY_CHIEF)
    with pytest.raises(ServiceError, match="not on the grid centre's staff"):
        _assign(staff, shift, staff.world.handler)
    with pytest.raises(ServiceError, match="Choose the role"):
        _assign(staff, shift, staff.operator, "boss")
    assert not shift.assignments.exists()


def test_the_roster_of_an_ended_shift_is_not_changed(staff):
    shift = _shift(staff)
    a = _assign(staff, shift, staff.operator)
    with pytest.raises(ServiceError, match="has ended"):
        services.assignment_create(
            actor=staff.chief,
            shift=shift,
            person=staff.op2.person,
            role=DutyRole.OPERATOR,
            now=at(2026, 12, 2),
        )
    with pytest.raises(ServiceError, match="has ended"):
        services.assignment_archive(actor=staff.chief, assignment=a, now=at(2026, 12, 2))
    assert list(shift.assignments.active()) == [a]


@pytest.mark.parametrize("who", ["operator", "handler", "resident", "leader"])
def test_only_duty_chiefs_and_administrators_edit_the_roster(staff, who):
    shift = _shift(staff)
    with pytest.raises(NotAllowed):
        _assign(staff, shift, staff.op2, actor=getattr(staff.world, who))
    assert not shift.assignments.exists()
    _assign(staff, shift, staff.op2, actor=staff.world.admin)
    a = _assign(staff, shift, staff.op3, actor=staff.chief)
    with pytest.raises(NotAllowed):
        services.assignment_archive(actor=getattr(staff.world, who), assignment=a, now=BEFORE)


def test_unassigning_archives_and_frees_the_slot(staff):
    shift = _shift(staff)
    a = _assign(staff, shift, staff.chief, DutyRole.DUTY_CHIEF)
    services.assignment_archive(actor=staff.chief2, assignment=a, now=BEFORE)
    a.refresh_from_db()
    assert a.archived_at is not None and a.archived_by == staff.chief2
    with pytest.raises(ServiceError, match="already taken off"):
        services.assignment_archive(actor=staff.chief2, assignment=a, now=BEFORE)
    _assign(staff, shift, staff.chief2, DutyRole.DUTY_CHIEF)
    assert DutyAssignment.objects.filter(shift=shift).count() == 2


# --- generating -----------------------------------------------------------------------------


def test_the_generated_roster_covers_every_hour_with_a_chief_and_operators(staff):
    result = staff.roster(D(2026, 12, 1), days=28)
    shifts = list(Shift.objects.order_by("starts_at"))
    assert len(shifts) == 56 and result.shifts_created == 56
    assert shifts[0].starts_at == at(2026, 12, 1, 8, 30)
    assert shifts[-1].ends_at == at(2026, 12, 29, 8, 30)
    for a, b in zip(shifts, shifts[1:], strict=False):
        assert a.ends_at == b.starts_at  # no gap, no overlap: 7×24
    for s in shifts:
        roles = sorted(s.assignments.values_list("role", flat=True))
        assert roles == ["duty_chief", "operator", "operator"]
    assert result.assignments_created == 56 * 3 and not result.conflicts
    # Both chiefs and all three operators take turns.
    chiefs = set(DutyAssignment.objects.filter(role="duty_chief").values_list("person", flat=True))
    assert chiefs == {staff.chief.person_id, staff.chief2.person_id}
    ops = DutyAssignment.objects.filter(role="operator").values_list("person", flat=True)
    assert set(ops) == {p.person_id for p in (staff.operator, staff.op2, staff.op3)}


def test_generating_twice_changes_nothing_and_keeps_existing_assignments(staff):
    shift = _shift(staff, D(2026, 12, 3))
    manual = _assign(staff, shift, staff.op3, DutyRole.OPERATOR)
    staff.roster(D(2026, 12, 1), days=7)
    count = DutyAssignment.objects.count()
    audit = AuditEvent.objects.count()
    again = staff.roster(D(2026, 12, 1), days=7)
    assert again.assignments_created == 0 and again.shifts_created == 0
    assert again.assignments_kept == count
    assert DutyAssignment.objects.count() == count
    assert AuditEvent.objects.count() == audit
    manual.refresh_from_db()
    assert manual.archived_at is None


def test_the_turns_follow_the_date_so_consecutive_periods_continue_the_cycle(staff):
    staff.roster(D(2026, 12, 1), days=14)
    whole = list(
        DutyAssignment.objects.order_by("shift__starts_at", "role", "person_id").values_list(
            "shift__date", "shift__pattern__code", "role", "person_id"
        )
    )
    DutyAssignment.objects.update(archived_at=BEFORE)
    Shift.objects.update(archived_at=BEFORE)
    staff.roster(D(2026, 12, 8), days=7)
    staff.roster(D(2026, 12, 1), days=7)
    parts = list(
        DutyAssignment.objects.active()
        .order_by("shift__starts_at", "role", "person_id")
        .values_list("shift__date", "shift__pattern__code", "role", "person_id")
    )
    assert parts == whole


def test_generation_refuses_bad_rotations_and_changes_nothing(staff):
    with pytest.raises(ServiceError, match="at least one duty chief"):
        staff.roster(D(2026, 12, 1), chiefs=[])
    with pytest.raises(ServiceError, match="does not hold the duty chief's position"):
        staff.roster(D(2026, 12, 1), chiefs=[staff.operator.person])
    with pytest.raises(ServiceError, match="not on the grid centre's staff"):
        staff.roster(D(2026, 12, 1), operators=[staff.world.handler.person])
    with pytest.raises(ServiceError, match="between 1 and 366"):
        staff.roster(D(2026, 12, 1), days=0)
    with pytest.raises(ServiceError, match="No rotation for the 夜班 shifts"):
        services.roster_generate(
            actor=staff.chief,
            start=D(2026, 12, 1),
            days=3,
            rotation={"day": staff.rotation()},
            now=BEFORE,
        )
    with pytest.raises(NotAllowed):
        services.roster_generate(
            actor=staff.operator, start=D(2026, 12, 1), days=3, rotation=staff.rotation()
        )
    assert not Shift.objects.exists() and not DutyAssignment.objects.exists()


def test_generation_per_pattern_rotations(staff):
    services.roster_generate(
        actor=staff.chief,
        start=D(2026, 12, 1),
        days=4,
        rotation={
            "day": staff.rotation(chiefs=[staff.chief.person], operators=[staff.operator.person]),
            "night": staff.rotation(
                chiefs=[staff.chief2.person], operators=[staff.op2.person, staff.op3.person]
            ),
        },
        now=BEFORE,
    )
    day = DutyAssignment.objects.filter(shift__pattern__code="day")
    night = DutyAssignment.objects.filter(shift__pattern__code="night")
    assert set(day.values_list("person", flat=True)) == {
        staff.chief.person_id,
        staff.operator.person_id,
    }
    assert set(night.values_list("person", flat=True)) == {
        staff.chief2.person_id,
        staff.op2.person_id,
        staff.op3.person_id,
    }


def test_generation_reports_gaps_it_cannot_fill(staff):
    result = staff.roster(D(2026, 12, 1), days=2, operators=[staff.operator.person])
    # One operator for two per shift: every shift is one short, and said so.
    assert len(result.conflicts) == 4
    assert "1 operator(s) short" in result.conflicts[0]


def test_generation_leaves_ended_shifts_alone(staff):
    result = staff.roster(D(2026, 12, 1), days=3, now=at(2026, 12, 2, 12))
    assert result.past_shifts_skipped == 2  # 1 Dec day and night
    assert not Shift.objects.filter(date=D(2026, 12, 1)).exists()
    assert DutyAssignment.objects.filter(shift__date=D(2026, 12, 2)).exists()


# --- the command ----------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("duty_roster", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_generates_and_is_idempotent(staff):
    args = [
        "--from",
        "2099-12-01",
        "--days",
        "28",
        "--chiefs",
        "duty_chief,chief2",
        "--operators",
        "operator,op2,op3",
    ]
    out = _command(*args)
    assert "168 assignments added, 0 kept, 56 new shifts" in out
    out = _command(*args)
    assert "0 assignments added, 168 kept, 0 new shifts" in out
    assert DutyAssignment.objects.count() == 168


@pytest.mark.parametrize(
    "args,message",
    [
        (["--from", "2099-13-01", "--chiefs", "duty_chief"], "is not a date"),
        (["--from", "2099-12-01", "--chiefs", "nobody"], "no user named 'nobody'"),
        (["--from", "2099-12-01", "--chiefs", "resident"], "not linked to a person"),
        (["--from", "2099-12-01", "--chiefs", "operator"], "duty chief's position"),
    ],
)
def test_the_command_refuses_bad_input_and_changes_nothing(staff, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)
    assert not DutyAssignment.objects.exists()

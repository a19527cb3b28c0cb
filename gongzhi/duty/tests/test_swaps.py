"""Swaps: accepting moves the assignment (and the one given in exchange) in one transaction; a
swap that would put someone on two overlapping shifts is refused; refusing or cancelling changes
nothing; who may ask, accept, refuse and cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.duty import services
from gongzhi.duty.models import DutyAssignment, DutyRole, ShiftPattern, SwapRequest

from .conftest import at

D = dt.date
BEFORE = at(2026, 11, 1)


def _on(staff, user, day, pattern=None, role=DutyRole.OPERATOR) -> DutyAssignment:
    shift, _ = services.shift_ensure(actor=None, pattern=pattern or staff.day, day=day)
    return services.assignment_create(
        actor=staff.chief, shift=shift, person=user.person, role=role, now=BEFORE
    )


def _ask(staff, assignment, to, actor=None, counter=None, **kw) -> SwapRequest:
    return services.swap_request(
        actor=actor or staff.operator,
        assignment=assignment,
        to_person=to.person,
        counter_assignment=counter,
        now=kw.pop("now", BEFORE),
        **kw,
    )


def _person_of(assignment) -> int:
    assignment.refresh_from_db()
    return assignment.person_id


def test_accepting_moves_the_assignment(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    swap = _ask(staff, mine, staff.op2, message="家里有事")
    assert swap.status == "pending" and swap.from_person == staff.operator.person
    assert swap.message == "家里有事"
    services.swap_accept(actor=staff.op2, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.op2.person_id
    swap.refresh_from_db()
    assert swap.status == "accepted" and swap.decided_by == staff.op2
    assert swap.decided_at is not None
    moved = AuditEvent.objects.for_object(mine).filter(action="update").get()
    assert moved.changes["person"] == {
        "before": staff.operator.person_id,
        "after": staff.op2.person_id,
    }
    assert moved.note == f"swap #{swap.pk}"


def test_an_exchange_moves_both_assignments(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    theirs = _on(staff, staff.op2, D(2026, 12, 3), staff.night)
    swap = _ask(staff, mine, staff.op2, counter=theirs)
    services.swap_accept(actor=staff.op2, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.op2.person_id
    assert _person_of(theirs) == staff.operator.person_id


def test_an_exchange_of_two_overlapping_shifts_is_allowed(staff):
    # The day shift for an overlapping middle shift: each gives up one to take the other.
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    middle = ShiftPattern.objects.create(
        code="middle", name="中班", start_time=dt.time(12), end_time=dt.time(20)
    )
    theirs = _on(staff, staff.op2, D(2026, 12, 1), middle)
    swap = _ask(staff, mine, staff.op2, counter=theirs)
    services.swap_accept(actor=staff.chief, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.op2.person_id
    assert _person_of(theirs) == staff.operator.person_id


def test_a_swap_creating_an_overlap_is_refused_when_asked(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    _on(staff, staff.op2, D(2026, 12, 1))  # op2 is on the same shift already
    with pytest.raises(ServiceError, match="already on this shift"):
        _ask(staff, mine, staff.op2)
    middle = ShiftPattern.objects.create(
        code="middle", name="中班", start_time=dt.time(12), end_time=dt.time(20)
    )
    _on(staff, staff.op3, D(2026, 12, 1), middle)
    with pytest.raises(ServiceError, match="two overlapping shifts"):
        _ask(staff, mine, staff.op3)
    assert not SwapRequest.objects.exists()


def test_a_swap_creating_an_overlap_is_refused_when_accepted_and_nothing_changes(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    swap = _ask(staff, mine, staff.op2)
    # Meanwhile op2 is put on an overlapping shift.
    middle = ShiftPattern.objects.create(
        code="middle", name="中班", start_time=dt.time(12), end_time=dt.time(20)
    )
    _on(staff, staff.op2, D(2026, 12, 1), middle)
    with pytest.raises(ServiceError, match="two overlapping shifts"):
        services.swap_accept(actor=staff.op2, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.operator.person_id
    swap.refresh_from_db()
    assert swap.status == "pending" and swap.decided_at is None


def test_refusing_and_cancelling_change_nothing(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    swap = _ask(staff, mine, staff.op2)
    services.swap_refuse(actor=staff.op2, swap=swap, note="那天不行")
    swap.refresh_from_db()
    assert swap.status == "refused" and swap.decision_note == "那天不行"
    assert _person_of(mine) == staff.operator.person_id
    with pytest.raises(ConflictError, match="already refused by"):
        services.swap_accept(actor=staff.op2, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.operator.person_id

    again = _ask(staff, mine, staff.op3)
    services.swap_cancel(actor=staff.operator, swap=again)
    again.refresh_from_db()
    assert again.status == "cancelled"
    with pytest.raises(ConflictError, match="already cancelled"):
        services.swap_accept(actor=staff.op3, swap=again, now=BEFORE)
    assert _person_of(mine) == staff.operator.person_id


def test_one_pending_swap_per_assignment(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    _ask(staff, mine, staff.op2)
    with pytest.raises(ServiceError, match="already waiting for 吴受理"):
        _ask(staff, mine, staff.op3)
    with pytest.raises(IntegrityError), transaction.atomic():
        SwapRequest.objects.create(
            assignment=mine, from_person=staff.operator.person, to_person=staff.op3.person
        )


def test_the_database_refuses_a_decided_swap_without_a_decision_time(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        SwapRequest.objects.create(
            assignment=mine,
            from_person=staff.operator.person,
            to_person=staff.op2.person,
            status="accepted",
        )


def test_a_duty_chiefs_shift_only_goes_to_a_duty_chief(staff):
    lead = _on(staff, staff.chief, D(2026, 12, 1), role=DutyRole.DUTY_CHIEF)
    with pytest.raises(ServiceError, match="duty chief's position"):
        _ask(staff, lead, staff.op2, actor=staff.chief)
    swap = _ask(staff, lead, staff.chief2, actor=staff.chief)
    services.swap_accept(actor=staff.chief2, swap=swap, now=BEFORE)
    assert _person_of(lead) == staff.chief2.person_id


def test_a_started_shift_cannot_be_swapped(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    with pytest.raises(ServiceError, match="already started"):
        _ask(staff, mine, staff.op2, now=at(2026, 12, 1, 9))
    swap = _ask(staff, mine, staff.op2)
    with pytest.raises(ServiceError, match="already started"):
        services.swap_accept(actor=staff.op2, swap=swap, now=at(2026, 12, 1, 9))
    assert _person_of(mine) == staff.operator.person_id


def test_who_may_ask_accept_refuse_and_cancel(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    # Someone else's shift: only the person on it or a duty chief may ask.
    with pytest.raises(NotAllowed):
        _ask(staff, mine, staff.op3, actor=staff.op2)
    with pytest.raises(NotAllowed):
        _ask(staff, mine, staff.op3, actor=staff.world.handler)
    swap = _ask(staff, mine, staff.op2)
    for outsider in (staff.op3, staff.world.handler, staff.world.leader):
        with pytest.raises(NotAllowed):
            services.swap_accept(actor=outsider, swap=swap, now=BEFORE)
        with pytest.raises(NotAllowed):
            services.swap_refuse(actor=outsider, swap=swap)
        with pytest.raises(NotAllowed):
            services.swap_cancel(actor=outsider, swap=swap)
    # The person asked may not cancel (they refuse); a duty chief may decide for them.
    with pytest.raises(NotAllowed):
        services.swap_cancel(actor=staff.op2, swap=swap)
    assert _person_of(mine) == staff.operator.person_id
    services.swap_accept(actor=staff.chief2, swap=swap, now=BEFORE)
    assert _person_of(mine) == staff.op2.person_id


def test_removing_an_assignment_cancels_its_pending_swap(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    swap = _ask(staff, mine, staff.op2)
    services.assignment_archive(actor=staff.chief, assignment=mine, now=BEFORE)
    swap.refresh_from_db()
    assert swap.status == "cancelled" and "removed" in swap.decision_note


def test_accepting_cancels_other_swaps_that_no_longer_make_sense(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    theirs = _on(staff, staff.op2, D(2026, 12, 3))
    elsewhere = _ask(staff, theirs, staff.op3, actor=staff.op2)
    swap = _ask(staff, mine, staff.op2, counter=theirs)
    services.swap_accept(actor=staff.op2, swap=swap, now=BEFORE)
    elsewhere.refresh_from_db()
    assert elsewhere.status == "cancelled"
    assert _person_of(theirs) == staff.operator.person_id


def test_an_exchange_must_offer_the_other_persons_own_shift(staff):
    mine = _on(staff, staff.operator, D(2026, 12, 1))
    someone_elses = _on(staff, staff.op3, D(2026, 12, 3))
    with pytest.raises(ServiceError, match="must be one of 吴受理's"):
        _ask(staff, mine, staff.op2, counter=someone_elses)
    with pytest.raises(ServiceError, match="someone else"):
        _ask(staff, mine, staff.operator)

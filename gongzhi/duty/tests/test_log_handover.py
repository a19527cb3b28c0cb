"""The shift log (any centre staff write it, about a case if they like) and the handover at the
end of a shift (the outgoing chief writes it, the incoming chief acknowledges it)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ConflictError, NotAllowed, ServiceError
from gongzhi.duty import selectors, services
from gongzhi.duty.models import DutyRole, Handover, ShiftLogEntry

from .conftest import at

D = dt.date
DAY = at(2026, 12, 1, 10)  # during the day shift of 1 December
EVENING = at(2026, 12, 1, 17, 25)
NIGHT = at(2026, 12, 1, 17, 40)


@pytest.fixture
def rostered(staff):
    """1 Dec day: duty_chief + operator, op2; 1 Dec night: chief2 + op3 …"""
    staff.roster(D(2026, 12, 1), days=2)
    day = selectors.current_shift(DAY)
    night = selectors.current_shift(NIGHT)
    assert selectors.chief_of(day).person == staff.chief.person
    assert selectors.chief_of(night).person == staff.chief2.person
    return staff, day, night


# --- the log --------------------------------------------------------------------------------


def test_an_operator_writes_the_log_of_the_current_shift(rostered):
    staff, day, _ = rostered
    entry = services.log_write(actor=staff.op3, text=" 兰溪路积水，已通知城管 ", now=DAY)
    assert entry.shift == day and entry.author == staff.op3 and entry.at == DAY
    assert entry.text == "兰溪路积水，已通知城管" and entry.kind == "note"
    assert AuditEvent.objects.for_object(entry).get().action == "create"
    assert selectors.shift_log(shift=day) == [entry]


def test_a_log_entry_may_name_a_case_by_its_number(rostered, centre):
    staff, day, _ = rostered
    case = centre.intake()
    entry = services.log_write(
        actor=staff.operator, text="现场核实", kind="incident", case=case.number.lower(), now=DAY
    )
    assert entry.case == case and entry.kind == "incident"


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"text": "  "}, "Write what happened"),
        ({"text": "x" * 2001}, "too long"),
        ({"text": "ok", "kind": "gossip"}, "Unknown kind"),
        ({"text": "ok", "case": "CY2026-999999"}, "no case numbered CY2026-999999"),
    ],
)
def test_bad_log_entries_are_refused_and_nothing_is_written(rostered, fields, message):
    staff, _, _ = rostered
    with pytest.raises(ServiceError, match=message):
        services.log_write(actor=staff.operator, now=DAY, **fields)
    assert not ShiftLogEntry.objects.exists()


@pytest.mark.parametrize("who", ["handler", "inspector", "resident", "leader", "auditor"])
def test_only_the_centre_writes_the_log(rostered, who):
    staff, _, _ = rostered
    with pytest.raises(NotAllowed):
        services.log_write(actor=getattr(staff.world, who), text="hello", now=DAY)
    assert not ShiftLogEntry.objects.exists()


def test_without_a_roster_the_log_still_works(staff):
    entry = services.log_write(actor=staff.operator, text="无排班时的记录", now=DAY)
    assert entry.shift is None
    assert selectors.shift_log(since=DAY - dt.timedelta(hours=1)) == [entry]


# --- handover -------------------------------------------------------------------------------


def test_the_outgoing_chief_hands_over_and_the_incoming_chief_takes_over(rostered):
    staff, day, night = rostered
    handover = services.handover_write(
        actor=staff.chief, shift=day, notes="CY2026-000012 待回访；对讲机已充电", now=EVENING
    )
    assert handover.next_shift == night and handover.handed_over_by == staff.chief
    assert not handover.is_acknowledged
    log = selectors.shift_log(shift=day)
    assert [(e.kind, e.text) for e in log] == [("handover", "CY2026-000012 待回访；对讲机已充电")]
    assert selectors.handover_into(night) == handover

    done = services.handover_acknowledge(
        actor=staff.chief2, handover=handover, note="已阅", now=NIGHT
    )
    assert done.acknowledged_by == staff.chief2 and done.acknowledged_at == NIGHT
    assert done.acknowledgement_note == "已阅"
    taken = selectors.shift_log(shift=night)
    assert len(taken) == 1 and taken[0].kind == "handover" and "已阅" in taken[0].text
    assert AuditEvent.objects.for_object(handover).filter(action="update").exists()

    with pytest.raises(ConflictError, match="already acknowledged by 周值班"):
        services.handover_acknowledge(actor=staff.chief2, handover=handover, now=NIGHT)


def test_a_shift_is_handed_over_once(rostered):
    staff, day, _ = rostered
    services.handover_write(actor=staff.chief, shift=day, notes="一切正常", now=EVENING)
    with pytest.raises(ConflictError, match="already handed over by"):
        services.handover_write(actor=staff.chief, shift=day, notes="再交一次", now=EVENING)
    assert Handover.objects.count() == 1


def test_only_the_shifts_chief_hands_it_over(rostered):
    staff, day, _ = rostered
    with pytest.raises(NotAllowed):
        services.handover_write(actor=staff.operator, shift=day, notes="x", now=EVENING)
    with pytest.raises(NotAllowed, match="The duty chief of .* is 李值班"):
        services.handover_write(actor=staff.chief2, shift=day, notes="x", now=EVENING)
    services.handover_write(actor=staff.world.admin, shift=day, notes="管理员代交", now=EVENING)


def test_only_the_incoming_chief_acknowledges(rostered):
    staff, day, _ = rostered
    handover = services.handover_write(actor=staff.chief, shift=day, notes="x", now=EVENING)
    with pytest.raises(NotAllowed):
        services.handover_acknowledge(actor=staff.chief, handover=handover, now=NIGHT)
    with pytest.raises(NotAllowed):
        services.handover_acknowledge(actor=staff.op3, handover=handover, now=NIGHT)
    handover.refresh_from_db()
    assert not handover.is_acknowledged


def test_a_handover_needs_notes_and_a_started_shift(rostered):
    staff, day, night = rostered
    with pytest.raises(ServiceError, match="Write the handover notes"):
        services.handover_write(actor=staff.chief, shift=day, notes="  ", now=EVENING)
    with pytest.raises(ServiceError, match="has not started"):
        services.handover_write(actor=staff.chief2, shift=night, notes="x", now=EVENING)
    assert not Handover.objects.exists() and not ShiftLogEntry.objects.exists()


def test_with_no_chief_on_the_shift_any_duty_chief_hands_over(staff):
    shift, _ = services.shift_ensure(actor=None, pattern=staff.day, day=D(2026, 12, 1))
    services.assignment_create(
        actor=staff.chief,
        shift=shift,
        person=staff.operator.person,
        role=DutyRole.OPERATOR,
        now=at(2026, 11, 1),
    )
    handover = services.handover_write(actor=staff.chief2, shift=shift, notes="x", now=EVENING)
    assert handover.next_shift is None
    services.handover_acknowledge(actor=staff.chief, handover=handover, now=NIGHT)

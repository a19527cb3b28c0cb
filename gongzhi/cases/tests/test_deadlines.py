"""Deadlines in working time, across the 2026 National Day holiday (1–7 October off; Sunday
20 September and Saturday 10 October are make-up working days), with extension and suspension.

Working days: the day of receipt does not count and a deadline falls at close of business
(17:30) of the N-th working day after (gongzhi.worktime.services)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from gongzhi.cases import services, sla
from gongzhi.cases.models import Case, TimeLimit

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def dispatched(centre, when, **kw):
    with time_machine.travel(when, tick=False):
        case = centre.intake(**kw)
        services.case_file(actor=centre.world.operator, case=case)
        services.case_dispatch(
            actor=centre.world.operator, case=case, department=centre.world.orgs["chengguan"]
        )
    case.refresh_from_db()
    return case


def test_five_working_days_from_the_eve_of_national_day(centre):
    # Hotline complaint: 5 working days. Counted days: 8, 9, Sat 10 (make-up), 12, 13 October.
    case = dispatched(centre, at(9, 30, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    assert case.handle_due_at == at(10, 13, 17, 30)
    assert case.due_at == case.handle_due_at


def test_a_make_up_sunday_counts_as_a_working_day(centre):
    # Received Friday 18 September: Sat 19 off; Sun 20 (make-up), 21, 22, 23, 24 count.
    case = dispatched(centre, at(9, 18, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    assert case.handle_due_at == at(9, 24, 17, 30)


def test_working_hours_jump_the_holiday(centre):
    # Component/event cases are verified within 4 working hours of being handled: handled on
    # 30 September at 16:00 leaves 1.5 h that day, then 2.5 h from 08:30 on 8 October.
    case = dispatched(centre, at(9, 30, 9))
    with time_machine.travel(at(9, 30, 16), tick=False):
        services.case_accept(actor=centre.world.handler, case=case)
        services.case_handle(actor=centre.world.handler, case=case, result="已清运")
    case.refresh_from_db()
    assert case.due_at == at(10, 8, 11)


def test_continuous_hours_ignore_the_holiday(centre):
    case = dispatched(centre, at(10, 1, 10), urgency=Case.Urgency.URGENT)
    assert case.handle_due_at == at(10, 1, 12)


def test_a_category_time_limit_overrides_the_default(centre):
    TimeLimit.objects.create(
        category=centre.garbage.parent,
        urgency="normal",
        stage="handle",
        amount=4,
        unit="working_hours",
    )
    sla.invalidate()
    case = dispatched(centre, at(9, 30, 15))
    # 2.5 h on 30 September (15:00–17:30), then 1.5 h on 8 October.
    assert case.handle_due_at == at(10, 8, 10)


def test_an_approved_extension_moves_the_deadline(centre):
    case = dispatched(centre, at(9, 30, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    with time_machine.travel(at(10, 9, 9), tick=False):
        services.case_accept(actor=centre.world.handler, case=case)
        req = services.extension_request(
            actor=centre.world.handler,
            case=case,
            amount=2,
            unit="working_days",
            reason="需采购配件",
        )
        services.extension_decide(
            actor=centre.world.duty_chief, request=req, approve=True, note="同意"
        )
    case.refresh_from_db()
    req.refresh_from_db()
    assert req.old_due_at == at(10, 13, 17, 30)
    assert case.handle_due_at == at(10, 15, 17, 30) == req.new_due_at == case.due_at
    assert case.extension_count == 1


def test_a_refused_extension_keeps_the_deadline(centre):
    case = dispatched(centre, at(9, 30, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    req = services.extension_request(
        actor=centre.world.handler, case=case, amount=2, unit="working_days", reason="需采购配件"
    )
    services.extension_decide(
        actor=centre.world.duty_chief, request=req, approve=False, note="理由不足"
    )
    case.refresh_from_db()
    assert case.handle_due_at == at(10, 13, 17, 30) and case.extension_count == 0


def test_only_one_extension_request_waits_at_a_time(centre):
    import pytest

    from gongzhi.core.errors import ServiceError

    case = dispatched(centre, at(9, 30, 10))
    services.extension_request(
        actor=centre.world.handler, case=case, amount=1, unit="working_days", reason="等待材料"
    )
    with pytest.raises(ServiceError):
        services.extension_request(
            actor=centre.world.handler, case=case, amount=1, unit="working_days", reason="再等等"
        )


def test_suspension_pauses_the_clock(centre):
    case = dispatched(centre, at(9, 30, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    with time_machine.travel(at(10, 9, 9), tick=False):
        services.case_accept(actor=centre.world.handler, case=case)
        services.case_suspend(actor=centre.world.duty_chief, case=case, reason="待雨季过后施工")
    case.refresh_from_db()
    assert case.state == Case.State.SUSPENDED and case.due_at is None
    with time_machine.travel(at(10, 12, 9), tick=False):
        services.case_resume(actor=centre.world.duty_chief, case=case)
    case.refresh_from_db()
    # Paused 9 Oct 09:00 → 12 Oct 09:00: 8.5 + 9 (Sat 10 Oct is a make-up working day) + 0.5
    # = 18 working hours = 2 working days: due 13 Oct 17:30 → 15 Oct 17:30.
    assert case.state == Case.State.ACCEPTED
    assert case.handle_due_at == at(10, 15, 17, 30) == case.due_at


def test_handling_after_the_deadline_is_not_on_time(centre):
    case = dispatched(centre, at(9, 30, 10), channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT)
    with time_machine.travel(at(10, 14, 9), tick=False):
        services.case_accept(actor=centre.world.handler, case=case)
        services.case_handle(actor=centre.world.handler, case=case, result="已处理")
    case.refresh_from_db()
    assert case.handled_on_time is False

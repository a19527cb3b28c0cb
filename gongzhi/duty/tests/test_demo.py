"""The demo seed's duty stage: a roster around today from the centre's staff, with a shift log
and handovers on past shifts whose chief has a login, counted for the seed's summary."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gongzhi.duty import demo, selectors
from gongzhi.duty.models import DutyAssignment, Handover, Shift, ShiftLogEntry

from .conftest import at

NOW = at(2026, 12, 10, 11)


@dataclass
class FakeSeedContext:
    """What a stage of gongzhi.demo.seed gets (the parts this stage uses)."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def rng(self, stream: str) -> random.Random:
        return random.Random(f"test/{stream}")


def test_the_demo_stage_seeds_a_roster_log_and_handovers(staff):
    ctx = FakeSeedContext()
    demo.seed_stage(ctx, now=NOW)
    days = demo.PAST_DAYS + demo.FUTURE_DAYS
    assert Shift.objects.count() == 2 * days
    assert all(s.assignments.filter(role="duty_chief").exists() for s in Shift.objects.all())
    assert [u.username for u in selectors.current_duty_chiefs(NOW)] in (["duty_chief"], ["chief2"])
    past = Shift.objects.filter(ends_at__lte=NOW)
    # Both chiefs have logins here, so every past shift was handed over, and all but the
    # last were acknowledged by the next shift's chief.
    assert Handover.objects.count() == past.count()
    assert Handover.objects.filter(acknowledged_at__isnull=False).count() == past.count()
    assert not Handover.objects.filter(acknowledged_at__gt=NOW).exists()
    assert ShiftLogEntry.objects.filter(kind="handover").count() == past.count()
    assert ShiftLogEntry.objects.exclude(kind="handover").exists()
    assert not ShiftLogEntry.objects.filter(at__gt=NOW).exists()
    assert ctx.counts["duty.Shift"] == 2 * days
    assert ctx.counts["duty.DutyAssignment"] == DutyAssignment.objects.count()
    assert ctx.counts["duty.Handover"] == past.count()


def test_the_demo_stage_without_duty_chiefs_says_so(world):
    from gongzhi.org.models import Position

    Position.objects.filter(role="duty_chief").update(archived_at=NOW)
    ctx = FakeSeedContext()
    demo.seed_stage(ctx, now=NOW)
    assert not Shift.objects.exists()
    assert ctx.notes == ["duty: no duty chief in the grid centre; no roster seeded."]

"""Demo data for emergency duty: a roster from two weeks ago to four weeks ahead, filled from the
grid centre's duty chiefs and operators by the same generator the pages and `duty_roster` use,
with a believable shift log and handovers on the past shifts whose chief has a login.

`seed_stage(ctx)` is a stage of `manage.py seed_demo` (gongzhi.demo.seed): it needs only
`ctx.rng(name)` and, when present, `ctx.counts` / `ctx.notes`, and runs after the people and
accounts exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.audit import services as audit

from . import selectors, services
from .models import DutyAssignment, DutyRole, Handover, Shift, ShiftLogEntry

PAST_DAYS = 14
FUTURE_DAYS = 28

NOTES = [
    "12345来电：枣阳路夜间施工噪音，已登记并转城管中队",
    "巡查员报告兰溪路人行道井盖松动，已派房管办",
    "联勤联动：与曹杨新村派出所联合巡逻杏梅园小区",
    "设备检查：对讲机、应急灯、值班电话正常",
    "气象台发布暴雨蓝色预警，已提醒各网格巡查员关注积水点",
    "居民来电咨询错时停车办理流程，已告知",
    "杏杨居民区反映楼道堆物，已通知物业公司清理",
    "核查梅岭北路共享单车乱停放，已协调运营企业",
]
INCIDENTS = [
    "曹杨新村小区一居民家中燃气报警，已联系燃气公司抢修，现场已处置",
    "花溪路一棵行道树倒伏压占非机动车道，已通知绿化市容所",
    "日月星小区停电，已联系供电公司，预计两小时恢复",
]
HANDOVERS = [
    "本班处置正常，无遗留紧急事项；CY工单两件待回访。",
    "暴雨预警未解除，请下一班继续关注兰溪路、枣阳路积水情况。",
    "一件燃气报警已处置完毕，请白班电话回访居民。",
    "值班设备交接完毕，对讲机已充电。",
]


def _users_by_person() -> dict[int, User]:
    return {
        u.person_id: u
        for u in User.objects.filter(person__isnull=False, is_active=True)
        if u.person_id is not None
    }


def ensure_default_patterns() -> None:
    """The two default shift patterns of migration 0002, for databases emptied since (tests)."""
    import importlib

    from .models import ShiftPattern

    defaults = importlib.import_module("gongzhi.duty.migrations.0002_default_patterns").DEFAULTS
    for code, name, start, end, operators, order in defaults:
        ShiftPattern.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "start_time": start,
                "end_time": end,
                "operators_needed": operators,
                "sort_order": order,
            },
        )


def seed_stage(ctx: Any, *, now: dt.datetime | None = None) -> None:
    t = now or timezone.now()
    ensure_default_patterns()
    rng = ctx.rng("duty")
    chiefs = list(selectors.centre_staff(chiefs_only=True).order_by("pk"))
    operators = [
        p for p in selectors.centre_staff().order_by("pk") if p.pk not in {c.pk for c in chiefs}
    ]
    notes = getattr(ctx, "notes", None)
    if not chiefs:
        if notes is not None:
            notes.append("duty: no duty chief in the grid centre; no roster seeded.")
        return
    before = {m: m.objects.count() for m in (Shift, DutyAssignment, ShiftLogEntry, Handover)}
    today = timezone.localdate(t)
    result = services.roster_generate(
        actor=None,
        start=today - dt.timedelta(days=PAST_DAYS),
        days=PAST_DAYS + FUTURE_DAYS,
        rotation=services.Rotation(
            chiefs=chiefs, operators=operators, operators_per_shift=min(2, len(operators))
        ),
        allow_past=True,
        now=t,
    )
    if notes is not None:
        notes.extend(f"duty: {line}" for line in result.conflicts[:5])
    users = _users_by_person()
    past = list(
        Shift.objects.active()
        .filter(ends_at__lte=t, date__gte=today - dt.timedelta(days=PAST_DAYS))
        .select_related("pattern")
        .order_by("starts_at")
    )
    for shift in past:
        on_shift = list(DutyAssignment.objects.active().filter(shift=shift))
        writers = [users[a.person_id] for a in on_shift if a.person_id in users]
        chief = next((a for a in on_shift if a.role == DutyRole.DUTY_CHIEF), None)
        length = shift.ends_at - shift.starts_at
        if writers:
            for _ in range(rng.randint(0, 3)):
                kind = "incident" if rng.random() < 0.15 else "note"
                text = rng.choice(INCIDENTS if kind == "incident" else NOTES)
                at = shift.starts_at + length * rng.uniform(0.05, 0.9)
                entry = ShiftLogEntry.objects.create(
                    shift=shift, at=at, author=rng.choice(writers), kind=kind, text=text
                )
                audit.record_created(actor=None, obj=entry, note="seed_demo")
        if chief is not None and chief.person_id in users:
            handover_at = shift.ends_at - dt.timedelta(minutes=rng.randint(5, 20))
            text = rng.choice(HANDOVERS)
            following = selectors.next_shift(shift)
            incoming = selectors.chief_of(following) if following else None
            receiver = users.get(incoming.person_id) if incoming else None
            handover = Handover.objects.create(
                shift=shift,
                next_shift=following,
                handed_over_by=users[chief.person_id],
                handed_over_at=handover_at,
                notes=text,
                acknowledged_by=receiver,
                acknowledged_at=min(
                    t, following.starts_at + dt.timedelta(minutes=rng.randint(1, 15))
                )
                if receiver is not None and following is not None
                else None,
            )
            audit.record_created(actor=None, obj=handover, note="seed_demo")
            entry = ShiftLogEntry.objects.create(
                shift=shift,
                at=handover_at,
                author=users[chief.person_id],
                kind=ShiftLogEntry.Kind.HANDOVER,
                text=text,
            )
            audit.record_created(actor=None, obj=entry, note="seed_demo")
    counts = getattr(ctx, "counts", None)
    if counts is not None:
        for model, n in before.items():
            made = model.objects.count() - n
            if made:
                label = model._meta.label
                counts[label] = counts.get(label, 0) + made

"""Background work of the grid centre: the deadline sweep (every minute) and its notices."""

from __future__ import annotations

from typing import Any

from gongzhi.core.tasks import progress, task


@task("cases.sweep", periodic_seconds=60, max_attempts=1)
def sweep_task() -> dict[str, int]:
    from .sweep import sweep

    return sweep().as_dict()


@task("cases.notify_sweep")
def notify_sweep(
    overdue: list[int] | None = None, emergencies: list[int] | None = None
) -> dict[str, Any]:
    from . import notices
    from .models import Case

    overdue = overdue or []
    emergencies = emergencies or []
    total = len(overdue) + len(emergencies)
    for i, case in enumerate(Case.objects.filter(pk__in=overdue).iterator(), 1):
        notices.overdue(case=case)
        progress(i, total)
    for case in Case.objects.filter(pk__in=emergencies):
        notices.tell_staff(
            notices.staff_users(roles=("leader", "duty_chief", "operator")),
            case,
            "emergency_escalated",
            sms=True,
        )
    return {"overdue": len(overdue), "emergencies": len(emergencies)}

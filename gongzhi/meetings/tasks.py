"""Background work of the councils: every hour, the action items past their deadline remind
their owner and their council's chair (once a day each)."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.core.tasks import task


@task("meetings.remind_overdue", periodic_seconds=3600, max_attempts=1)
def remind_overdue_task() -> dict[str, int]:
    from . import services

    return {"reminded": len(services.remind_overdue(today=timezone.localdate()))}

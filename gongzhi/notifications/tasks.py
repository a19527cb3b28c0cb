"""Background delivery of email and SMS (gongzhi.core.tasks): one task per message, retried with
the task runner's exponential backoff (30 s, 1 min, 2 min …) until MAX_ATTEMPTS, then failed."""

from __future__ import annotations

from gongzhi.core.tasks import task

MAX_ATTEMPTS = 4


@task("notifications.deliver", max_attempts=MAX_ATTEMPTS)
def deliver_task(notification_id: int) -> str:
    from .services import deliver

    return deliver(notification_id=notification_id)

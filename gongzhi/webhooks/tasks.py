"""Background work of the webhooks: send one delivery; every 30 s, queue the retries that are due."""

from __future__ import annotations

from typing import Any

from gongzhi.core.tasks import task


@task("webhooks.deliver", max_attempts=1)
def deliver(delivery_id: int, manual: bool = False) -> dict[str, Any]:
    from .delivery import attempt

    return attempt(delivery_id=delivery_id, manual=manual)


@task("webhooks.retry_due", periodic_seconds=30, max_attempts=1)
def retry_due() -> dict[str, int]:
    from .delivery import enqueue_due

    return {"queued": enqueue_due()}

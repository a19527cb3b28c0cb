"""Background work of the API: forget idempotency records older than a day."""

from __future__ import annotations

from gongzhi.core.tasks import task


@task("api.purge_idempotency", periodic_seconds=3600, max_attempts=1)
def purge_idempotency() -> dict[str, int]:
    from .http import purge_expired

    return {"deleted": purge_expired()}

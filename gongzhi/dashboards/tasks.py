"""The cockpit's background work: rebuilding the daily figures every night, in case a change
reached the cases without an event (a correction in the database, an old import)."""

from __future__ import annotations

from gongzhi.core.tasks import task


@task("dashboards.refresh_aggregates", periodic_seconds=24 * 3600, max_attempts=2)
def refresh_aggregates() -> dict[str, int]:
    from .aggregates import refresh_all

    return {"rows": refresh_all()}

"""The cockpit's background work: rebuilding the daily figures every night, in case a change
reached the cases without an event (a correction in the database, an old import); and the
monthly (quarterly, yearly) reports, generated on demand and on schedule."""

from __future__ import annotations

from typing import Any

from gongzhi.core.tasks import task


@task("dashboards.refresh_aggregates", periodic_seconds=24 * 3600, max_attempts=2)
def refresh_aggregates() -> dict[str, int]:
    from .aggregates import refresh_all

    return {"rows": refresh_all()}


@task("dashboards.generate_report", max_attempts=1)
def generate_report(*, report_id: int) -> dict[str, Any]:
    from .report_services import generate

    r = generate(report_id=report_id, resume=True)
    return {"report": r.pk, "status": r.status}


@task("dashboards.schedule_reports", periodic_seconds=15 * 60, max_attempts=1)
def schedule_reports() -> dict[str, Any]:
    """On the first working day of a month (quarter, year), the previous one's reports."""
    from .report_services import schedule_due

    return {"queued": [r.pk for r in schedule_due()]}

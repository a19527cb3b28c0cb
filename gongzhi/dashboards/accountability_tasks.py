"""Accountability's periodic run: every day, the rules are evaluated for the month that ended
last (and its quarter when one ended with it). Evaluation is idempotent, so the days after the
first only record what has changed; registered when the app starts (apps.py)."""

from __future__ import annotations

from gongzhi.core.tasks import task


@task("dashboards.evaluate_accountability", periodic_seconds=24 * 3600, max_attempts=2)
def evaluate_accountability() -> dict[str, int]:
    from .accountability_services import evaluate_finished

    runs = evaluate_finished()
    return {
        "warnings": sum(len(r.created) for r in runs),
        "existing": sum(r.existing for r in runs),
    }

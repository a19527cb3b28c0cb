"""Background work of triage: checking and importing uploaded files (with progress the page
polls), and retraining the classifier every night."""

from __future__ import annotations

from typing import Any

from gongzhi.core import tasks


@tasks.task("triage.check_batch", max_attempts=1)
def check_batch(*, batch_id: int) -> dict[str, Any]:
    from .services import run_check

    batch = run_check(
        batch_id=batch_id, progress=lambda done, total: tasks.progress(done, total, "check")
    )
    return {"state": batch.state, "rows": batch.rows, "problems": batch.problem_count}


@tasks.task("triage.commit_batch", max_attempts=1)
def commit_batch(*, batch_id: int) -> dict[str, Any]:
    from .services import run_commit

    batch = run_commit(
        batch_id=batch_id, progress=lambda done, total: tasks.progress(done, total, "import")
    )
    return {
        "state": batch.state,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
    }


@tasks.task("triage.retrain", max_attempts=1, periodic_seconds=24 * 3600)
def retrain() -> dict[str, Any]:
    """Train a new model on the subdistrict's cases; it is served only if it evaluates better
    on held-out cases than the one served now."""
    from .classifier import retrain_from_cases

    return retrain_from_cases(actor=None).as_dict()

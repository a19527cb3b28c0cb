"""Background work of the grid centre: the deadline sweep (every minute)."""

from __future__ import annotations

from gongzhi.core.tasks import task


@task("cases.sweep", periodic_seconds=60, max_attempts=1)
def sweep_task() -> dict[str, int]:
    from .sweep import sweep

    return sweep().as_dict()

"""The councils' demo data (seed stage "meetings")."""

from __future__ import annotations

from typing import Any


def seed_stage(ctx: Any) -> None:
    from .meetings import run

    run(ctx)

"""The alliance's demo data (seed stage "alliance")."""

from __future__ import annotations

from typing import Any


def seed_stage(ctx: Any) -> None:
    from .alliance import run

    run(ctx)

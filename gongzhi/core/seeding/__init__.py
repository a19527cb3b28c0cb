"""The seed's stages: each app registers the demo data it owns, and `manage.py seed_demo`
(gongzhi.demo) runs them in order, in one transaction.

    from gongzhi.core.seeding import Stage, register_stage
    register_stage(Stage("cases", seed_cases, "a year of cases", after=("duty",)))

in the app's AppConfig.ready(). A stage is a function of a `SeedContext`: it draws from its own
random stream (`ctx.rng(name)`), creates rows with `ctx.create()` (bulk, counted) and leaves what
later stages need in `ctx.made[name]`. Stages run after the stages they name in `after` (those
that are registered), otherwise in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .context import ProgressFactory, SeedContext, no_progress

__all__ = [
    "ProgressFactory",
    "SeedContext",
    "Stage",
    "no_progress",
    "register_stage",
    "stages",
]


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[SeedContext], None]
    description: str = ""
    after: tuple[str, ...] = ()


_registered: dict[str, Stage] = {}


def register_stage(stage: Stage) -> None:
    """Add a stage; registering the same name again replaces it."""
    _registered[stage.name] = stage


def stages() -> list[Stage]:
    """The registered stages, each after the ones it names (a stable topological order)."""
    ordered: list[Stage] = []
    placed: set[str] = set()
    pending = list(_registered.values())
    while pending:
        for stage in pending:
            if all(dep in placed or dep not in _registered for dep in stage.after):
                ordered.append(stage)
                placed.add(stage.name)
                pending.remove(stage)
                break
        else:
            names = ", ".join(s.name for s in pending)
            raise RuntimeError(f"seed stages depend on each other in a circle: {names}")
    return ordered

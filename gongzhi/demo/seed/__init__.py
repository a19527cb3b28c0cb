"""`manage.py seed_demo`: a believable Caoyang New Village subdistrict, generated from a seed.

The seed runs in stages, in order, all in one transaction, with one audit event for the whole
import. Each stage is a function of a `SeedContext`: it draws from its own random stream
(`ctx.rng(name)`), creates rows with `ctx.create()` (bulk, counted) and leaves what later stages
need in `ctx.made[name]`. Later apps add their own stage (cases, alliance, services …):

    from gongzhi.demo.seed import Stage, register_stage
    register_stage(Stage("cases", seed_cases, "work orders of the last three months"))

in their AppConfig.ready(); the stage runs after the built-in ones (or `after=` a named one).
"""

from __future__ import annotations

from .context import SeedContext
from .runner import (
    DEFAULT_SEED,
    STAGES,
    SeedOutcome,
    Stage,
    register_stage,
    seed_demo,
)

__all__ = [
    "DEFAULT_SEED",
    "STAGES",
    "SeedContext",
    "SeedOutcome",
    "Stage",
    "register_stage",
    "seed_demo",
]

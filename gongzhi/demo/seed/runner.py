"""The seed's orchestrator: refuses a database that already holds data, runs the stages in one
transaction, writes one audit event with the counts, and times it all."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core.seeding import ProgressFactory, SeedContext, no_progress, stages
from gongzhi.places.demo import SUBDISTRICT

DEFAULT_SEED = 2026


@dataclass
class SeedOutcome:
    created: bool
    message: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


def existing_data() -> str:
    """Why the database is not empty enough to seed, or "" when it is."""
    from gongzhi.org.models import Organisation, Person
    from gongzhi.places.models import Subdistrict

    code = SUBDISTRICT["code"]
    if Subdistrict.objects.filter(code=code).exists():
        return _("The subdistrict %(code)s already exists: nothing was changed.") % {"code": code}
    if Subdistrict.objects.exists() or Organisation.objects.exists() or Person.objects.exists():
        return _(
            "The database already holds places, organisations or people: the demo data is only "
            "seeded into an empty database. Nothing was changed."
        )
    return ""


def seed_demo(
    *,
    seed: int = DEFAULT_SEED,
    progress: ProgressFactory = no_progress,
    now: dt.datetime | None = None,
    options: dict[str, Any] | None = None,
) -> SeedOutcome:
    """Seed the demo subdistrict, unless the database already holds data (then change nothing).
    `now` ends the generated history (default: the current time); `options` go to the stages
    (e.g. {"cases": 2000}: how many cases of history)."""
    started = time.perf_counter()
    with transaction.atomic():
        reason = existing_data()
        if reason:
            return SeedOutcome(created=False, message=reason, seed=seed)
        ctx = SeedContext(seed=seed, progress=progress, now=now, options=dict(options or {}))
        timings: dict[str, float] = {}
        ran = stages()
        for stage in ran:
            t0 = time.perf_counter()
            bar = ctx.bar = progress(stage.name)
            try:
                stage.run(ctx)
            finally:
                bar.close()
                ctx.bar = None
            timings[stage.name] = round(time.perf_counter() - t0, 2)
        seconds = round(time.perf_counter() - started, 2)
        _record(ctx, seconds, [s.name for s in ran])
    return SeedOutcome(
        created=True,
        message=_("Seeded the demo subdistrict (seed %(seed)s).") % {"seed": seed},
        seed=seed,
        counts=dict(ctx.counts),
        notes=list(ctx.notes),
        seconds=seconds,
        stage_seconds=timings,
    )


def _record(ctx: SeedContext, seconds: float, names: list[str]) -> None:
    """One audit event for the whole seed: rows per model before and after."""
    from django.apps import apps

    changes = {}
    for label, n in sorted(ctx.counts.items()):
        model = apps.get_model(label)
        total = model._default_manager.count()
        changes[label] = {"before": total - n, "after": total}
    note = "seed_demo --seed {seed}: {rows} rows in {seconds} s ({stages}).{extra}".format(
        seed=ctx.seed,
        rows=sum(ctx.counts.values()),
        seconds=seconds,
        stages=", ".join(names),
        extra=("\n" + "\n".join(ctx.notes)) if ctx.notes else "",
    )
    audit.record(
        actor=None,
        action=AuditEvent.Action.IMPORT,
        object_repr="seed_demo",
        changes=changes,
        note=note,
    )

"""Demo data of the grid management centre: stage "cases" of `manage.py seed_demo`.

1. The category catalogue that ships with the product (gongzhi.cases.catalogue), its routing
   finding the seeded departments by their short names; how often each kind of case is
   reported (catalogue.py).
2. Twelve months of history before `now` — by default 45,000 cases (settings GONGZHI
   ["DEMO_CASES"], `seed_demo --cases N`) across the six channels, every type, the catalogue,
   the grids and the departments, played through the workflow with plausible timings
   (history.py). They are written with bulk inserts: the audit trail records them in the
   seed's one import event, not one row per case.
3. Open cases in every state for the demo logins (open_cases.py), made through the real
   services as those users, so their timelines, deadlines, notices and audit rows are exactly
   what the product makes (their audit rows carry the request id "seed_demo").

The stage needs the places, organisations, people and accounts of the earlier stages. It draws
from its own random streams (`ctx.rng("cases/…")`): the same seed and the same `now` give the
same history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongzhi.core.conf import product_setting

from ..models import Case, CaseCounter, CaseEvent, ExtensionRequest
from . import catalogue, directory, history, open_cases

DEFAULT_CASES = 45_000


def case_count(ctx: Any) -> int:
    options = getattr(ctx, "options", None) or {}
    value = options.get("cases")
    if value is None:
        value = product_setting("DEMO_CASES", DEFAULT_CASES)
    return max(0, int(value))


def seed_stage(ctx: Any, *, count: int | None = None, now: dt.datetime | None = None) -> None:
    # The history ends at today's midnight (local time), not this second: the same seed on the
    # same day gives the same cases, on SQLite and PostgreSQL alike.
    now = (
        now
        or getattr(ctx, "now", None)
        or timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    )
    count = case_count(ctx) if count is None else count
    counts: dict[str, int] = getattr(ctx, "counts", {})
    made = catalogue.setup()
    for label, n in made.created.items():
        counts[label] = counts.get(label, 0) + n
    people = directory.load()
    past = history.History(
        rng=ctx.rng("cases/history"),
        catalogue=made,
        directory=people,
        now=now,
        count=count,
        tick=ctx.tick,
    )
    past.build()
    for label, n in past.save().counts.items():
        if n:
            counts[label] = counts.get(label, 0) + n
    before = {m: m.objects.count() for m in (Case, CaseEvent, ExtensionRequest, CaseCounter)}
    made_open = open_cases.create(rng=ctx.rng("cases/open"), catalogue=made, directory=people)
    for model, n in before.items():
        added = model.objects.count() - n
        if added:
            counts[model._meta.label] = counts.get(model._meta.label, 0) + added
    notes = getattr(ctx, "notes", None)
    if notes is not None and made_open.tracking_codes:
        notes.append("cases: the resident's tracking codes: " + ", ".join(made_open.tracking_codes))
    if hasattr(ctx, "made"):
        ctx.made["cases"] = made_open

"""What the seed stages share: the seed, one random stream per stage, the objects each stage
created (for the stages after it), the counts for the audit event, and progress bars."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)

BATCH_SIZE = 500


class Progress(Protocol):
    def update(self, n: int = 1) -> Any: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


ProgressFactory = Callable[[str], Progress]


def no_progress(desc: str) -> Progress:
    return _NoProgress()


@dataclass
class SeedContext:
    seed: int
    progress: ProgressFactory = no_progress
    # What each stage made, by stage name, for the stages after it (places, org, people …).
    made: dict[str, Any] = field(default_factory=dict)
    # Rows created, by model label ("places.Grid": 227), for the summary and the audit event.
    counts: dict[str, int] = field(default_factory=dict)
    # Remarks for whoever runs the seed (e.g. a demo username that already existed).
    notes: list[str] = field(default_factory=list)
    # The current stage's progress bar (set by the runner).
    bar: Progress | None = None
    # The moment the demo's history ends (None: now). Tests pin it to compare two runs.
    now: dt.datetime | None = None
    # Stage options from the command line, e.g. {"cases": 2000} (see seed_demo --cases).
    options: dict[str, Any] = field(default_factory=dict)

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per name: a stage added later, or drawing more numbers,
        does not change what the other stages generate. Seeded from a string, which Python hashes
        the same way in every process (unlike hash())."""
        return random.Random(f"gongzhi-demo/{self.seed}/{stream}")

    def tick(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def create(self, model: type[M], objs: Sequence[M]) -> list[M]:
        """bulk_create in batches (primary keys are set on both SQLite and PostgreSQL), counted
        and shown on the current stage's progress bar."""
        out: list[M] = []
        for start in range(0, len(objs), BATCH_SIZE):
            batch = list(objs[start : start + BATCH_SIZE])
            out.extend(model._default_manager.bulk_create(batch))
            self.tick(len(batch))
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(out)
        return out

    def create_m2m(self, through: type[models.Model], rows: Iterable[models.Model]) -> None:
        rows = list(rows)
        for start in range(0, len(rows), BATCH_SIZE):
            through._default_manager.bulk_create(rows[start : start + BATCH_SIZE])
        label = through._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)

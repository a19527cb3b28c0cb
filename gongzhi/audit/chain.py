"""The audit trail's hash chain: sealing new rows and verifying the whole chain.

Each audit row, once written and settled, gets one `AuditSeal`:

    hash(n) = SHA-256( hash(n-1) + "\\n" + canonical text of the row )

with hash(0) = 64 zeros. The canonical text is the row's fields as sorted JSON (the moment in
UTC), read back from the database, so that sealing and verifying read the same thing on either
engine. Rows are sealed in the order of their ids among those not yet sealed; a row whose
transaction committed late (after later rows were sealed) is sealed on a later run, so the chain's
order is the seal's `seq`, not the row's id.

What the chain finds: a sealed row changed (its hash no longer matches), a sealed row removed (its
seal names a row that is not there), a seal removed or changed (every later hash is off). What it
cannot find: a row changed or removed in the minute before it was sealed — `unsealed` counts the
rows waiting, and `settle_seconds` bounds the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import AuditEvent, AuditSeal

GENESIS = "0" * 64
FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "ip",
    "request_id",
)
SETTLE_SECONDS = 5  # a row younger than this may belong to a transaction still open
LATE_WINDOW = dt.timedelta(hours=1)  # how far back a sealer looks for rows that committed late
_LOCK_KEY = 0x6A5E_A1  # the PostgreSQL advisory lock that keeps two sealers apart


def canonical(row: dict[str, Any]) -> str:
    """The row as the chain sees it: its fields as compact JSON with sorted keys."""
    data = dict(row)
    at = data["at"]
    if isinstance(at, dt.datetime):
        data["at"] = at.astimezone(dt.UTC).isoformat()
    if data.get("ip") is not None:
        data["ip"] = str(data["ip"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link(previous: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(f"{previous}\n{canonical(row)}".encode()).hexdigest()


def _rows(ids: list[int]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in AuditEvent.objects.filter(id__in=ids).values(*FIELDS)}


def seal(*, now: dt.datetime | None = None, batch: int = 2000) -> int:
    """Seal every settled audit row that has no seal yet; returns how many were sealed."""
    horizon = (now or timezone.now()) - dt.timedelta(seconds=SETTLE_SECONDS)
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            last = AuditSeal.objects.order_by("-seq").values_list("hash", flat=True).first()
            previous = last or GENESIS
            # New rows (ids past the last sealed one) and late ones (a transaction that
            # committed after later rows were sealed): an index range, not the whole trail.
            newest = AuditSeal.objects.order_by("-seq").values_list("event_id", flat=True).first()
            candidates = Q(id__gt=newest or 0) | Q(at__gte=horizon - LATE_WINDOW)
            ids = list(
                AuditEvent.objects.filter(candidates, at__lte=horizon, seal__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                return sealed
            rows = _rows(ids)
            seals = []
            for event_id in ids:
                previous = link(previous, rows[event_id])
                seals.append(AuditSeal(event_id=event_id, hash=previous))
            AuditSeal.objects.bulk_create(seals)
            sealed += len(seals)


@dataclass
class Verification:
    checked: int = 0
    unsealed: int = 0
    broken: list[str] = field(default_factory=list)  # the first problem found, in words

    @property
    def ok(self) -> bool:
        return not self.broken


def _seals(batch: int) -> Iterator[list[tuple[int, int, str]]]:
    after = 0
    while True:
        chunk = list(
            AuditSeal.objects.filter(seq__gt=after)
            .order_by("seq")
            .values_list("seq", "event_id", "hash")[:batch]
        )
        if not chunk:
            return
        yield chunk
        after = chunk[-1][0]


def verify(*, batch: int = 5000) -> Verification:
    """Walk the whole chain from its start; stop at the first seal that does not match."""
    result = Verification()
    previous = GENESIS
    for chunk in _seals(batch):
        rows = _rows([event_id for _, event_id, _ in chunk])
        for seq, event_id, stored in chunk:
            row = rows.get(event_id)
            if row is None:
                result.broken.append(f"seal #{seq}: audit row #{event_id} is missing (removed)")
                return result
            expected = link(previous, row)
            if expected != stored:
                result.broken.append(
                    f"seal #{seq}: audit row #{event_id} does not match its seal "
                    "(the row, or an earlier seal, was changed)"
                )
                return result
            previous = stored
            result.checked += 1
    result.unsealed = AuditEvent.objects.filter(seal__isnull=True).count()
    return result

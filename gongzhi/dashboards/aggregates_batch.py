"""The batch form of the pre-aggregates' case listener (aggregates.on_case_event), for the
events of a bulk import (`events.publish_many`, whose one after-commit task brings them to the
worker together): `apply_cases(ids)` leaves the same daily rows and stored facts as
`aggregates.apply_case` once per case, in a few queries per batch: the cases' rows locked (as
`apply_case` locks each), the stored facts and the new ones read together, the differences
summed per daily row, the days' stamps locked at once, the rows changed by one UPDATE and the
new ones written by one INSERT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.cases.bulk import among, insert_all
from gongzhi.cases.models import Case
from gongzhi.core import events

from .aggregates import CLOCKS, KEY_ALIASES, _key_of, _per_case
from .models import COUNTS, DIMENSIONS, CaseDay, CaseDayStamp, CaseFact, CaseOpen

FIELDS = ("received", *COUNTS, "handling_seconds")
Key = tuple[Any, ...]  # (day, *DIMENSIONS)


@events.subscribe_batch("dashboards.case_day@case.*")
def on_case_events(evs: list[events.Event]) -> None:
    apply_cases(int(e["case_id"]) for e in evs)


def _facts(ids: list[int]) -> tuple[dict[int, tuple[Key, dict[str, float]]], list[CaseOpen]]:
    """What each case contributes now and its row of the "open now" snapshot
    (aggregates._per_case for many cases, in one query)."""
    out: dict[int, tuple[Key, dict[str, float]]] = {}
    opened: list[CaseOpen] = []
    for raw in _per_case(Case.objects.filter(among("pk", ids, "bigint"))):
        cid = int(raw["d_case_id"])
        out[cid] = (tuple(raw[a] for a in KEY_ALIASES), raw["f_counts"])
        if raw["o_open"]:
            values = {**_key_of(raw), **{c: raw[f"o_{c}"] for c in CLOCKS.values()}}
            opened.append(CaseOpen(case_id=cid, **values))
    return out, opened


def _stored_key(fact: CaseFact) -> Key:
    return (fact.day, *(getattr(fact, k) for k in DIMENSIONS))


def apply_cases(case_ids: Iterable[int]) -> int:
    """Bring the daily figures up to date with these cases (aggregates.apply_case for each);
    the number of cases whose contribution changed."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return 0
    with transaction.atomic():
        # The cases' row locks, in one order (a worker applying one case's event takes turns).
        cases = Case.objects.select_for_update().filter(among("pk", ids, "bigint"))
        list(cases.order_by("pk").values_list("pk"))
        stored = {
            f.case_id: f
            for f in CaseFact.objects.select_for_update().filter(among("case_id", ids, "bigint"))
        }
        now, opened = _facts(ids)
        # The snapshot, as aggregates._keep_open leaves it for each case.
        CaseOpen.objects.filter(among("case_id", ids, "bigint")).delete()
        insert_all(opened)
        deltas: dict[Key, dict[str, float]] = {}
        # A daily row whose key only appears taken away: apply_case skips what it cannot find.
        negative_only: set[Key] = set()
        new_facts: list[CaseFact] = []
        changed_facts: list[CaseFact] = []
        gone: list[int] = []
        for cid in ids:
            old = stored.get(cid)
            before = (_stored_key(old), old.counts) if old is not None else None
            after = now.get(cid)
            if before == after:
                continue
            if before is not None:
                _sum(deltas, negative_only, before, -1)
            if after is None:
                gone.append(cid)
                continue
            _sum(deltas, negative_only, after, 1)
            values = dict(zip(("day", *DIMENSIONS), after[0], strict=True))
            if old is None:
                new_facts.append(CaseFact(case_id=cid, counts=after[1], **values))
            else:
                for k, v in values.items():
                    setattr(old, k, v)
                old.counts = after[1]
                changed_facts.append(old)
        if deltas:
            _apply(deltas, negative_only)
        insert_all(new_facts)
        CaseFact.objects.bulk_update(changed_facts, ["day", *DIMENSIONS, "counts"])
        CaseFact.objects.filter(case_id__in=gone).delete()
    return len(new_facts) + len(changed_facts) + len(gone)


def _sum(
    deltas: dict[Key, dict[str, float]],
    negative_only: set[Key],
    fact: tuple[Key, dict[str, float]],
    sign: int,
) -> None:
    key, counts = fact
    if key not in deltas:
        deltas[key] = dict.fromkeys(FIELDS, 0)
        if sign < 0:
            negative_only.add(key)
    elif sign > 0:
        negative_only.discard(key)
    row = deltas[key]
    for k, v in counts.items():
        if k in row:
            row[k] += sign * v


def _apply(deltas: dict[Key, dict[str, float]], negative_only: set[Key]) -> None:
    days: set[dt.date] = {key[0] for key in deltas}
    stamped = set(CaseDayStamp.objects.filter(day__in=days).values_list("day", flat=True))
    moment = timezone.now()
    CaseDayStamp.objects.bulk_create(
        [CaseDayStamp(day=d, refreshed_at=moment) for d in days - stamped], ignore_conflicts=True
    )
    # The days' locks (aggregates._add takes each): their rows stay as read until the commit.
    CaseDayStamp.objects.select_for_update().filter(day__in=days).update(refreshed_at=moment)
    rows = {
        (r["day"], *(r[k] for k in DIMENSIONS)): r["pk"]
        for r in CaseDay.objects.filter(day__in=days).values("pk", "day", *DIMENSIONS)
    }
    changed: list[list[Any]] = []
    created: list[CaseDay] = []
    for key, delta in deltas.items():
        if not any(delta.values()):
            continue
        pk = rows.get(key)
        if pk is None:
            if key in negative_only:
                continue  # nothing to take away from: the nightly rebuild mends
            values = dict(zip(("day", *DIMENSIONS), key, strict=True))
            created.append(CaseDay(**values, **{k: v for k, v in delta.items() if v}))
            continue
        changed.append([delta[k] for k in FIELDS] + [pk])
    insert_all(created)
    if changed:
        # Added to what the rows hold (as aggregates._add does), by one prepared statement.
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(k)} = {qn(k)} + %s" for k in FIELDS)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {qn(CaseDay._meta.db_table)} SET {sets} WHERE id = %s",  # noqa: S608
                changed,
            )

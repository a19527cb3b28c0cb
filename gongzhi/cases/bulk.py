"""Filing many checked reports at once (an import of a 12345 export): the intake contract of
`services.case_intake`, in batches.

`case_intake_many(actor=…, checked=[…])` files a batch as `case_intake` files each report: the
same case built by `services.new_case` (routing, inspector, time received, the deadline to file
in working days), the same timeline row and audit row, the same "case.received" event, and the
same idempotency by work-order number (a report whose number has a case returns that case). What
differs is how the rows are written: the existing cases found by one query, the numbers taken
from the year's counter once per batch, the cases, timeline rows and audit rows written by one
multi-row INSERT each, and the events published together (`events.publish_many`: listeners with
a batch form, such as the cockpit's pre-aggregates, take the batch in one go; the others get the
events one by one, as from `case_intake`).

Not here: the search for duplicates nearby (an import's cases are not shown to the one who
files beside a dispatch form) and photos (an import has none): a report with photos is filed by
`case_intake`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.core import events, rows

from . import intake
from .models import Case, CaseCounter, CaseEvent
from .services import (
    IntakeResult,
    _refer,
    _start_counter,
    case_intake,
    case_values,
    received_event,
    received_rows,
)

BATCH_SIZE = 1000


def next_numbers(year: int, count: int) -> list[str]:
    """`count` consecutive numbers of the year (CY2026-000124 …), taken from the counter in one
    statement: the counter row stays locked until the transaction ends, as for `next_number`."""
    if count <= 0:
        return []
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last",  # noqa: S608
            [count, year],
        )
        row = cursor.fetchone()
    if row is None:
        if not _start_counter(year, last=count):
            return next_numbers(year, count)
        last = count
    else:
        last = row[0]
    return [f"CY{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def case_intake_many(
    *, actor: Any, checked: Sequence[intake.Checked], reporter_user: Any = None
) -> list[IntakeResult]:
    """File checked reports (`intake.check`'s answers) in one transaction, in batches of
    BATCH_SIZE: one IntakeResult per report, in order, `created=False` for a work-order number
    that already has a case (or came earlier in `checked`)."""
    out: list[IntakeResult] = []
    with transaction.atomic():
        for start in range(0, len(checked), BATCH_SIZE):
            out += _batch(list(checked[start : start + BATCH_SIZE]), actor, reporter_user)
    return out


def among(field: str, values: Iterable[Any], db_type: str) -> Q:
    """`field` is one of `values` (`field__in`), for a thousand values: on PostgreSQL they go as
    one array parameter (`IN (SELECT unnest(%s::type[]))`), which psycopg adapts in one go,
    rather than a placeholder each, which it finds and quotes one by one in Python (Django
    binds parameters on the client: 13 ms for a statement of a thousand)."""
    values = list(values)
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    return Q(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{db_type}[])", (values,))})  # noqa: S611


def _existing(batch: list[intake.Checked]) -> dict[tuple[str, str], Case]:
    refs: dict[str, set[str]] = defaultdict(set)
    for c in batch:
        if c.external_ref:
            refs[c.channel].add(c.external_ref)
    found: dict[tuple[str, str], Case] = {}
    for channel, wanted in refs.items():
        for case in Case.objects.filter(among("external_ref", wanted, "text"), channel=channel):
            found[(channel, case.external_ref)] = case
    return found


def _batch(batch: list[intake.Checked], actor: Any, reporter_user: Any) -> list[IntakeResult]:
    if any(c.photos for c in batch):
        return [case_intake(actor=actor, checked=c, find_duplicates=False) for c in batch]
    found = _existing(batch)
    new: list[tuple[int, Case, CaseEvent, AuditEvent]] = []
    results: list[IntakeResult | None] = [None] * len(batch)
    later: dict[int, tuple[str, str]] = {}  # a number that came earlier in the batch
    taken: set[tuple[str, str]] = set()
    for i, c in enumerate(batch):
        key = (c.channel, c.external_ref)
        if c.external_ref and key in found:
            results[i] = IntakeResult(found[key], created=False)
            continue
        if c.external_ref and key in taken:
            later[i] = key
            continue
        case = _new_case(case_values(c, actor=actor, reporter_user=reporter_user))
        event, created = received_rows(case, c, actor=actor)
        new.append((i, case, event, created))
        if c.external_ref:
            taken.add(key)
    if new:
        try:
            # Two imports of the same work order at once: the database's unique constraint
            # lets one in; this batch then files its reports one by one (each returns the case
            # the other created).
            with transaction.atomic():
                _write(new)
        except IntegrityError:
            return [case_intake(actor=actor, checked=c, find_duplicates=False) for c in batch]
        events.publish_many(
            "case.received", [received_event(case, ev) for _, case, ev, _ in new], actor=actor
        )
    made = {(case.channel, case.external_ref): case for _, case, _, _ in new if case.external_ref}
    for i, case, _, _ in new:
        results[i] = IntakeResult(case, created=True)
    for i, key in later.items():
        if results[i] is None:
            results[i] = IntakeResult(made[key], created=False)
    return [r for r in results if r is not None]


def _new_case(values: dict[str, Any]) -> Case:
    """The case of `services.case_values`, as `new_case` builds it (`Case(**values)`), from
    every field's value in order (the ORM's quicker way in, as it builds the rows it reads):
    the values given, and the others' defaults."""
    return Case(*[values[a] if a in values else default() for a, default in _defaults(Case)])


@functools.cache
def _defaults(model: type[models.Model]) -> tuple[tuple[str, Any], ...]:
    """Each concrete field's attribute name and the function giving its default, in order."""
    return tuple((f.attname, f._get_default) for f in model._meta.concrete_fields)  # type: ignore[attr-defined]


def _write(new: list[tuple[int, Case, CaseEvent, AuditEvent]]) -> None:
    """Number the new cases (in order, per year received) and write them with their rows."""
    by_year: dict[int, list[Case]] = defaultdict(list)
    for _, case, _, _ in new:
        by_year[timezone.localtime(case.received_at).year].append(case)
    for year, cases in by_year.items():
        for case, number in zip(cases, next_numbers(year, len(cases)), strict=True):
            case.number = number
    insert_all([case for _, case, _, _ in new])
    for _, case, event, created in new:
        _refer(event, case)
        _refer(created, case)
    insert_all([event for _, _, event, _ in new])
    insert_all([created for _, _, _, created in new])


def _max_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except AttributeError:  # Python < 3.11
            return 999
    return 30000  # PostgreSQL's protocol allows 65,535 parameters per statement


def _preparers(fields: Sequence[models.Field]) -> list[Any]:
    """Per field, the function from an object to the value the database takes (one column at
    a time; `rows.row_maker` makes a whole row at once, with the same conversions)."""
    make = rows.row_maker(tuple(fields))
    return [lambda obj, i=i: make(obj)[i] for i in range(len(fields))]


def _unnest_types(fields: Sequence[models.Field]) -> list[str] | None:
    """On PostgreSQL, each column's type for `INSERT … SELECT * FROM unnest(%s::type[], …)`
    (what Django's own bulk insert uses there), or None where a field does not fit in an
    array (its own placeholder, or a type of its own)."""
    if connection.vendor != "postgresql":
        return None
    out = []
    for f in fields:
        target = f.target_field if f.is_relation else f  # type: ignore[attr-defined]
        if hasattr(f, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return None
        out.append(str(f.db_type(connection)).split("(")[0])
    return out


UNNEST_ROWS = 2000  # rows per statement on PostgreSQL (one array a column: no parameter limit)
COPY_ROWS = 200  # from this many rows on, PostgreSQL is sent them by COPY


def _copy(
    cursor: Any, model: type[models.Model], fields: Sequence[models.Field], made: list[list[Any]]
) -> list[int]:
    """Write rows on PostgreSQL by COPY (its quickest way in, psycopg's rows written in C).
    An automatic key is taken from the table's sequence first (COPY returns none), as an
    INSERT would take it: the rows' keys, in order (none where the rows have their own). The
    rows are in the transaction like any statement's."""
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    qn = connection.ops.quote_name
    keys: list[int] = []
    if isinstance(pk, models.AutoField):
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(made)],
        )
        keys = sorted(row[0] for row in cursor.fetchall())
        made = [[key, *row] for key, row in zip(keys, made, strict=True)]
        fields = (pk, *fields)
    columns = ", ".join(qn(f.column or f.name) for f in fields)
    with cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:  # noqa: S608
        for row in made:
            copy.write_row(row)
    return keys


def insert_all(objs: Sequence[models.Model]) -> None:
    """INSERT new objects of one model with as few multi-row statements as the database allows,
    and set their primary keys. The values are prepared as for `rows.insert` (the ORM's
    `bulk_create` spends most of its time building the statement: several times the cost of
    writing on SQLite, where it also sends 999 parameters at most). On PostgreSQL each column
    goes as one array (`unnest`): a statement of a thousand rows with a parameter per value
    costs the driver more to parse for its placeholders (client-side binding, a statement too
    long for its cache) than the database to write. The keys of one statement's rows rise in
    the order of its rows (a sequence, or SQLite's rowid), so the returned keys, sorted, are
    the rows' in order; a key the objects have (not automatic) stays theirs."""
    if not objs:
        return
    model = type(objs[0])
    head, fields = rows._table(model, connection.vendor)
    pk = model._meta.pk
    assert pk is not None
    returning = connection.ops.quote_name(pk.column or pk.name)
    make = rows.row_maker(tuple(fields))
    types = _unnest_types(fields)
    if types is not None:
        arrays = ", ".join(f"(%s)::{t}[]" for t in types)
        sql = f"INSERT INTO {head} SELECT * FROM unnest({arrays}) RETURNING {returning}"  # noqa: S608
        size = UNNEST_ROWS
    else:
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, _max_params() // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            made = [make(obj) for obj in chunk]
            if types is not None and len(chunk) >= COPY_ROWS:
                keys = _copy(cursor, model, fields, made)
                for obj, key in zip(chunk, keys or [obj.pk for obj in chunk], strict=True):
                    rows.saved(obj, key)
                continue
            if types is not None:
                cursor.execute(sql, [list(column) for column in zip(*made, strict=True)])
            else:
                params = [value for row in made for value in row]
                values = ", ".join([one] * len(chunk))
                cursor.execute(f"INSERT INTO {head} VALUES {values} RETURNING {returning}", params)  # noqa: S608
            keys = [row[0] for row in cursor.fetchall()]
            if isinstance(pk, models.AutoField):
                keys.sort()
            else:  # the objects' own keys
                keys = [obj.pk for obj in chunk]
            for obj, key in zip(chunk, keys, strict=True):
                rows.saved(obj, key)

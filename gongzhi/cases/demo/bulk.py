"""Inserting hundreds of thousands of rows quickly: one prepared INSERT run with executemany().

Django's bulk_create() compiles every value of every row through the field's full preparation
(most of the time of a 250,000-row seed); here each column gets one converter chosen once, the
same conversion bulk_create would apply (datetimes and JSON through the backend's adapters).
Primary keys are given by the caller (the rows refer to each other), and the sequences are
moved past them afterwards (PostgreSQL; SQLite needs nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
CHUNK = 5000


def _sqlite_datetime(value: dt.datetime) -> str:
    """What the SQLite backend stores for an aware datetime (UTC, without the offset)."""
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone == dt.UTC:
            return _sqlite_datetime
        return ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return lambda value: ops.adapt_json_value(value, encoder)
    if kind in PLAIN:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def insert(
    model: type[models.Model],
    fields: Sequence[models.Field[Any, Any]],
    rows: Iterable[Sequence[Any]],
    *,
    tick: Callable[[int], None] = lambda n: None,
) -> int:
    """Insert `rows` (values in the order of `fields`, Python values as on the model) into
    `model`'s table. Returns the number of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column or f.name) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    total = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            batch.append(values)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                total += len(batch)
                tick(len(batch))
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
            tick(len(batch))
    return total


def insert_objects(
    model: type[models.Model],
    objs: Sequence[Any],
    *,
    tick: Callable[[int], None] = lambda n: None,
) -> int:
    """Insert model instances (or objects with the same attributes) as they are: primary keys
    set by the caller, no save() logic (auto_now fields keep the values given)."""
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    return insert(model, fields, ([getattr(o, n) for n in names] for o in objs), tick=tick)


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """Let the database's next automatic ids follow the ones given (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

"""Writing new rows with one prepared statement, for the hot paths that write several rows per
request (a case's intake writes the case, its timeline row and its audit row).

`insert(a, b, …)` writes model instances that are new (the ORM's `save()` minus its per-call
query building and signals, which these models do not use) and sets their primary keys. On
PostgreSQL the rows go in one statement, so one round trip to the server; elsewhere one
statement each. The text of each model's INSERT is built once per process.

`cursor()` is for a statement that runs on every request of a hot path with the same text: on
PostgreSQL it binds the values on the server and prepares the statement once per connection,
so the server parses and plans it once instead of on every request (the ORM's own cursors send
the values inlined in the text, and Django turns prepared statements off, for the connection
poolers that cannot keep them). Setting GONGZHI_PREPARED_STATEMENTS=0 turns it off too, for a
transaction-pooling PgBouncer older than 1.21; elsewhere it is the ORM's cursor.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from .conf import product_setting

_PLAIN = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BooleanField: (bool,),
    models.FloatField: (float, int),
    models.ForeignKey: (int,),
}


_CONVERTING = ("get_prep_value", "get_db_prep_value", "get_db_prep_save", "pre_save")


def _plain_types(klass: type) -> tuple[type, ...] | None:
    """The Python types a field's column takes as they are: those of `_PLAIN`, also for a
    subclass that converts nothing of its own (the project's ProtectedForeignKey, an e-mail
    field); not for one that does (an encrypted text field)."""
    for base in klass.__mro__:
        if base in _PLAIN:
            same = all(getattr(klass, m) is getattr(base, m) for m in _CONVERTING)
            return _PLAIN[base] if same else None
    return None


def row_maker(fields: tuple[models.Field, ...]) -> Callable[[Any], list[Any]]:
    """The function from a new object to its row: the values the database takes, in the order
    of `fields`. The attributes are read together (`attrgetter`); a value of the plain type of
    its column (text, numbers, ids: `_plain_types`) is taken as it is, which skips the field's
    general conversion, most of the time an insert spends in Python; a moment with its zone
    goes straight to the backend's adapter (what the field's own conversion ends in: its checks
    are for naive moments and strings); an automatic moment is set on the object too (the
    field's own `pre_save`); the rest go through the field's conversion. Each column's values
    are of one Python type (PostgreSQL's arrays, which the bulk import sends, refuse ints mixed
    with floats). The connection itself is used rather than its per-thread proxy, whose every
    attribute read is a lookup (a hundred thousand rows read it a million times)."""
    conn = connections[DEFAULT_DB_ALIAS]
    adapt_moment = conn.ops.adapt_datetimefield_value
    get: Any = operator.attrgetter(*(f.attname for f in fields))
    checks: list[tuple[int, tuple[type, ...], models.Field]] = []  # plain: converted if not
    fixes: list[tuple[int, Any]] = []  # (index, function of the object and its value)
    for i, f in enumerate(fields):
        plain = _plain_types(type(f))
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if isinstance(f, models.DateTimeField):

            def moment(obj: Any, value: Any, f: Any = f, auto: bool = auto) -> Any:
                if auto:  # now, set on the object too (the field's own pre_save)
                    value = f.pre_save(obj, True)
                if value is None:
                    return None
                if type(value) is datetime and value.tzinfo is not None:
                    return adapt_moment(value)
                return f.get_db_prep_save(value, conn)

            fixes.append((i, moment))
        elif isinstance(f, models.FloatField):
            fixes.append((i, lambda obj, v: None if v is None else float(v)))
        elif plain is None or isinstance(f, models.DateField):
            fixes.append((i, lambda obj, v, f=f: f.get_db_prep_save(f.pre_save(obj, True), conn)))
        else:
            checks.append((i, plain, f))
    if len(fields) == 1:
        one = get
        get = lambda obj: (one(obj),)  # noqa: E731

    def make(obj: Any) -> list[Any]:
        values = list(get(obj))
        for i, plain, f in checks:
            v = values[i]
            if v is not None and type(v) not in plain:
                values[i] = f.get_db_prep_save(v, conn)
        for i, fix in fixes:
            values[i] = fix(obj, values[i])
        return values

    return make


@cache
def _maker(model: type[models.Model], vendor: str) -> Callable[[Any], list[Any]]:
    return row_maker(statement(model, vendor)[1])


@cache
def _table(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    """The quoted table with the columns a new row gives (all but an automatic key), and their
    fields, in order. Only quoted names of the model's own table and columns go into the texts
    built from it; values are parameters."""
    meta = model._meta
    fields = tuple(
        f for f in meta.concrete_fields if not (f is meta.pk and isinstance(f, models.AutoField))
    )
    qn = connection.ops.quote_name
    return f"{qn(meta.db_table)} ({', '.join(qn(f.column or f.name) for f in fields)})", fields


@cache
def statement(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    """The model's INSERT … RETURNING pk, and the fields whose values it takes, in order."""
    head, fields = _table(model, vendor)
    pk = model._meta.pk
    assert pk is not None
    values = ", ".join(["%s"] * len(fields))
    returning = connection.ops.quote_name(pk.column or pk.name)
    return f"INSERT INTO {head} VALUES ({values}) RETURNING {returning}", fields  # noqa: S608


def row_params(obj: models.Model) -> list[Any]:
    """The values of a new object for its INSERT (`statement()`), as the database takes them."""
    return _maker(type(obj), connection.vendor)(obj)


def insert_select(
    obj: models.Model, computed: dict[str, tuple[str, list[Any]]]
) -> tuple[str, str, list[Any]]:
    """For `INSERT INTO <head> SELECT <values> FROM …`: the quoted table and its columns, the
    values (a placeholder each, or the SQL expression and parameters that `computed` gives a
    field by name) and the parameters, in order."""
    head, fields = _table(type(obj), connection.vendor)
    values: list[str] = []
    params: list[Any] = []
    for field, value in zip(fields, row_params(obj), strict=True):
        expression, own = computed.get(field.name, ("%s", [value]))
        values.append(expression)
        params.extend(own)
    return head, ", ".join(values), params


def insert(*objs: models.Model) -> None:
    """INSERT each new object and set its primary key, in one statement on PostgreSQL."""
    parts = [(statement(type(o), connection.vendor)[0], o) for o in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(objs) > 1:
            ctes, params = [], []
            for i, (sql, obj) in enumerate(parts):
                ctes.append(f"r{i} AS ({sql})")
                params.extend(row_params(obj))
            picks = ", ".join(f"(SELECT * FROM r{i})" for i in range(len(parts)))  # noqa: S608
            cursor.execute(f"WITH {', '.join(ctes)} SELECT {picks}", params)
            keys = cursor.fetchone()
        else:
            keys = []
            for sql, obj in parts:
                cursor.execute(sql, row_params(obj))
                keys.append(cursor.fetchone()[0])
    for obj, key in zip(objs, keys, strict=True):
        saved(obj, key)


def saved(obj: models.Model, key: Any) -> None:
    """Mark a new object as written, with its primary key."""
    obj.pk = key
    obj._state.adding = False
    obj._state.db = connection.alias


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for the hot path's statements (see the module's note): each one's text is
    prepared once per connection on PostgreSQL. Its statements pass through Django's cursor
    wrapper like any other (execute wrappers, the query log in tests and DEBUG)."""
    if connection.vendor != "postgresql" or not product_setting("PREPARED_STATEMENTS", True):
        with connection.cursor() as plain:
            yield plain
        return
    connection.ensure_connection()
    pg = connection.connection
    if pg.prepare_threshold is None:
        # Only server-binding cursors like this one prepare: the ORM's (client-binding) never do.
        pg.prepare_threshold = 0
    with connection._prepare_cursor(_prepared_cursor_class()(pg)) as prepared:  # type: ignore[attr-defined]
        yield prepared


@cache
def _prepared_cursor_class() -> type:
    import psycopg
    from psycopg import _queries

    # The texts this cursor runs, as psycopg parsed them (placeholders → $n): psycopg keeps its
    # own parse only for texts under 4,096 characters and 50 parameters, and the intake's
    # statement is longer, so it was parsed again on every filing. This cursor runs a few
    # fixed texts (the hot paths'), so every one is kept.
    parsed: dict[tuple[bytes, str], Any] = {}

    class PreparedCursor(psycopg.Cursor):  # type: ignore[type-arg]
        """psycopg's server-binding cursor, which also keeps the query of a statement it runs
        by the name it prepared it under (psycopg keeps it only for unprepared ones), for
        Django's query log (`last_executed_query`), and each text's parse."""

        def _send_query_prepared(self, name: bytes, pgq: Any, **kw: Any) -> None:
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kw)

        def _convert_query(self, query: Any, params: Any = None) -> Any:
            if params is None or not isinstance(query, str) or len(parsed) > 1000:
                return super()._convert_query(query, params)
            pgq = self._query_cls(self._tx)
            key = (query.encode(self._tx.encoding), self._tx.encoding)
            found = parsed.get(key)
            if found is None:
                found = parsed[key] = _queries._query2pg_nocache(*key)
            pgq.query, pgq._want_formats, pgq._order, pgq._parts = found
            pgq.dump(params)
            return pgq

    return PreparedCursor

"""Small per-process caches of rarely changing tables, kept fresh by a cheap version check.

A `TableCache` holds what its loader built from one or more tables and reloads it when any of
them changes: at most every `CACHE_CHECK_SECONDS` (0 in tests, so every read checks) it runs
one aggregate query per table and compares. Writes in this process can call `invalidate()` to
reload at the next read; other processes see a change within the check interval.

The version of a table is its row count and latest `updated_at`, and for archivable tables also
how many rows are archived and the latest `archived_at`: archiving and restoring
(gongzhi.audit.services) update `archived_at` alone, so the count and `updated_at` do not see
them. A cache whose value depends on more than tables (the working calendar also on settings)
passes its own `version`; one that is read in hot loops passes a longer `check_seconds`.

The one mechanism for the grid index (places), the working calendar (worktime), the category
catalogue and the inspectors of each grid (cases), webhook subscriptions, the positions roles are
derived from (org) and the places a filing's answer names (api).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection, connections, router
from django.db.models import Model

from .conf import product_setting

T = TypeVar("T")


def table_version(*models: type[Model]) -> tuple[Any, ...]:
    """What changes when rows of these tables are added, changed, archived or restored: per
    table its row count and latest `updated_at` (and for archivable tables how many rows are
    archived and the latest `archived_at`), read for all the tables by one statement."""
    if not models:
        return ()
    db = router.db_for_read(models[0])
    with connections[db].cursor() as cursor:
        cursor.execute(_version_sql(models, connections[db].vendor))
        return tuple(cursor.fetchone())


@functools.cache
def _version_sql(models: tuple[type[Model], ...], vendor: str) -> str:
    """One statement for `table_version` (each table's aggregates in a subquery of one row, the
    subqueries joined), written once per set of tables: only the models' quoted table and
    column names go into it."""
    qn = connection.ops.quote_name
    parts = []
    for i, model in enumerate(models):
        meta = model._meta
        column = {f.name: f.column or f.name for f in meta.concrete_fields}
        columns = ["count(*)", f"max({qn(column['updated_at'])})"]
        if "archived_at" in column:
            archived = qn(column["archived_at"])
            columns += [f"count({archived})", f"max({archived})"]
        parts.append(f"(SELECT {', '.join(columns)} FROM {qn(meta.db_table)}) v{i}")  # noqa: S608
    return f"SELECT * FROM {', '.join(parts)}"  # noqa: S608


def _default_check_seconds() -> float:
    return float(product_setting("CACHE_CHECK_SECONDS", 2.0))


class TableCache(Generic[T]):
    def __init__(
        self,
        loader: Callable[[], T],
        *models: type[Model],
        version: Callable[[], Any] | None = None,
        check_seconds: Callable[[], float] | None = None,
    ) -> None:
        self._loader = loader
        self._version_of = version or (lambda: table_version(*models))
        self._check_seconds = check_seconds or _default_check_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: Any = None
        self._checked_at = 0.0

    def get(self, *, max_age: float | None = None) -> T:
        """The value, checking the version when the last check is older than `max_age` seconds
        (the cache's check interval by default; 0 checks now)."""
        now = time.monotonic()
        ttl = self._check_seconds() if max_age is None else max_age
        if self._version is not None and now - self._checked_at < ttl:
            return self._value  # type: ignore[return-value]
        version = self._version_of()
        with self._lock:
            if version != self._version:
                self._value = self._loader()
                self._version = version
            self._checked_at = now
            return self._value  # type: ignore[return-value]

    def invalidate(self) -> None:
        self._version = None
        self._checked_at = 0.0

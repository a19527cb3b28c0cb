"""Small per-process caches of rarely changing tables, kept fresh by a cheap version check.

A `TableCache` holds what its loader built from one or more tables and reloads it when any of
them changes: at most every `CACHE_CHECK_SECONDS` (0 in tests, so every read checks) it runs
one `COUNT(*), MAX(updated_at)` query per table and compares. Writes in this process can call
`invalidate()` to reload at the next read; other processes see a change within the check
interval. Used for what hot paths such as intake read on every call (webhook subscriptions).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Count, Max, Model

from .conf import product_setting

T = TypeVar("T")


class TableCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], *models: type[Model]) -> None:
        self._loader = loader
        self._models = models
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: Any = None
        self._checked_at = 0.0

    def _current_version(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for model in self._models:
            row = model._default_manager.aggregate(n=Count("pk"), m=Max("updated_at"))
            out += [row["n"], row["m"]]
        return tuple(out)

    def get(self) -> T:
        now = time.monotonic()
        ttl = float(product_setting("CACHE_CHECK_SECONDS", 2.0))
        if self._version is not None and now - self._checked_at < ttl:
            return self._value  # type: ignore[return-value]
        version = self._current_version()
        with self._lock:
            if version != self._version:
                self._value = self._loader()
                self._version = version
            self._checked_at = now
            return self._value  # type: ignore[return-value]

    def invalidate(self) -> None:
        self._version = None
        self._checked_at = 0.0

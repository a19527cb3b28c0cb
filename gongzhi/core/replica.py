"""Dashboards read from a PostgreSQL read replica when DATABASE_REPLICA_URL is set.

The pages that only read and read much — the cockpit, the statistics — are listed in
GONGZHI_REPLICA_PATHS (path prefixes); their GET requests read from the replica alias, everything
else (every write, the queue, case pages, the API) reads and writes the primary. Logins and
sessions always stay on the primary, so that replication lag never logs anybody out or loses a
session's change. docs/operations.md ("Past one database") has the set-up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "contenttypes"})
_reading_replica: ContextVar[bool] = ContextVar("gongzhi_reading_replica", default=False)


@contextmanager
def reading_replica() -> Iterator[None]:
    """Within the block, reads go to the replica (when there is one)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if (
            _reading_replica.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label not in PRIMARY_ONLY_APPS
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"


class ReplicaReadsMiddleware:
    """GET and HEAD requests under one of GONGZHI['REPLICA_PATHS'] read from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefixes = tuple(settings.GONGZHI.get("REPLICA_PATHS", ()))
        if request.method in ("GET", "HEAD") and prefixes and request.path.startswith(prefixes):
            with reading_replica():
                return self.get_response(request)
        return self.get_response(request)

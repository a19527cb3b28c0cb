"""The migrated test database, kept between runs (SQLite).

Migrating the schema from scratch costs each test process about 25 s of CPU (48 migrations, most
of it Django rendering model states). On SQLite the migrated database is kept in
`var/test-db/<key>.sqlite3`, the key a hash of everything that shapes it (every migration
file, the settings, requirements.lock, the Python and SQLite versions); a test process restores
it with SQLite's backup API instead of migrating. A process that finds no copy migrates as before
and leaves one; a file lock makes the other processes of the same run wait for it rather than
migrate too. `GONGZHI_TEST_DB_CACHE=0` turns it off (the schema is then migrated every run).

Only the test database's creation is served from the copy: a test that runs `migrate` itself
runs the real command.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "var" / "test-db"


def enabled() -> bool:
    return os.environ.get("GONGZHI_TEST_DB_CACHE", "1") != "0"


def schema_key() -> str:
    """A hash of what the migrated database is made from."""
    h = hashlib.sha256()
    files = sorted((ROOT / "gongzhi").glob("*/migrations/*.py"))
    files += [ROOT / "gongzhi" / "settings.py", ROOT / "requirements.lock"]
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    h.update(sys.version.encode())
    h.update(sqlite3.sqlite_version.encode())
    return h.hexdigest()[:20]


def _copy_path(alias: str) -> Path:
    return FOLDER / f"{alias}-{schema_key()}.sqlite3"


def _restore(connection: Any, copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(str(copy))
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _keep(connection: Any, copy: Path) -> None:
    connection.ensure_connection()
    partial = copy.with_suffix(f".{os.getpid()}.part")
    target = sqlite3.connect(str(partial))
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, copy)


@contextlib.contextmanager
def _locked(copy: Path) -> Iterator[None]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    with open(copy.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _cached_migrate(real: Callable[..., Any]) -> Callable[..., Any]:
    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        from django.db import connections

        alias = options.get("database", "default")
        if name != "migrate" or args or connections[alias].vendor != "sqlite":
            return real(name, *args, **options)
        connection = connections[alias]
        copy = _copy_path(alias)
        with _locked(copy):
            if copy.exists():
                _restore(connection, copy)
                return None
            out = real(name, *args, **options)
            _keep(connection, copy)
            return out

    return call_command


@contextlib.contextmanager
def migrations_from_cache(wanted: bool = True) -> Iterator[None]:
    """While the test databases are created: their `migrate` served from the kept copy (not
    with --nomigrations or --reuse-db, whose databases are not the migrated schema's copy)."""
    if not (wanted and enabled()):
        yield
        return
    from django.core import management

    real = management.call_command
    management.call_command = _cached_migrate(real)
    try:
        yield
    finally:
        management.call_command = real

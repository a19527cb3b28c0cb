"""The migrated test database, kept between runs.

Migrating the schema from scratch costs each test process about 25 s of CPU (48 migrations, most
of it Django rendering model states). The migrated database is kept, under a key that is a hash
of everything that shapes it (every migration file, the settings, requirements.lock, the Python
and SQLite versions), and a test process starts from that copy instead of migrating:

- SQLite: a file `var/test-db/<alias>-<key>.sqlite3`, restored into the test database with
  SQLite's backup API; a file lock makes the other processes of the same run wait for the first
  one's copy rather than migrate too.
- PostgreSQL: a database `gongzhi_test_<key>` on the same server, which the test database is
  created from (`CREATE DATABASE … TEMPLATE …`); an advisory lock does what the file lock does.

A process that finds no copy migrates as before and leaves one. `GONGZHI_TEST_DB_CACHE=0` turns
it off (the schema is then migrated every run). Only the test database's creation is served from
the copy: a test that runs `migrate` itself runs the real command.
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


def _postgres(connection: Any, migrate: Callable[[], Any]) -> Any:
    template = f"gongzhi_test_{schema_key()}"
    test_db = connection.settings_dict["NAME"]
    q = connection.ops.quote_name
    lock = int(schema_key()[:15], 16)
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone():
                connection.close()
                cursor.execute(f"DROP DATABASE {q(test_db)}")
                cursor.execute(f"CREATE DATABASE {q(test_db)} TEMPLATE {q(template)}")
                return None
            out = migrate()
            connection.close()
            cursor.execute(f"CREATE DATABASE {q(template)} TEMPLATE {q(test_db)}")
            return out
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


def _cached_migrate(real: Callable[..., Any]) -> Callable[..., Any]:
    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        from django.db import connections

        alias = options.get("database", "default")
        vendor = connections[alias].vendor
        if name != "migrate" or args or vendor not in ("sqlite", "postgresql"):
            return real(name, *args, **options)
        connection = connections[alias]
        if vendor == "postgresql":
            return _postgres(connection, lambda: real(name, *args, **options))
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

"""Backups an administrator can trust: `manage.py backup DIR` and `manage.py restore DIR`.

A backup is a folder:

    manifest.json          what is in it: the format, when, from which engine, the migrations
                           the database had, every table's row count and every file's SHA-256
    data/<model>.jsonl     every row of every table the product's models own: a first line
                           naming the columns, then one JSON array per row, in primary-key order
    media/…                the uploaded files (photos, attachments, certificates …)

**Consistent.** Every table is read in one database transaction: on PostgreSQL a REPEATABLE READ,
READ ONLY transaction (one snapshot, while the site keeps working); on SQLite one read
transaction. Media are copied afterwards: the product never deletes or rewrites an uploaded
file, so the files a row names are there.

**All or nothing.** The backup is written into a hidden folder beside DIR and renamed to DIR once
its manifest is written: a backup that was interrupted never looks like one. `restore` checks the
whole folder before it touches anything — the manifest, every file's presence and checksum, the
migrations matching the installation's — and refuses with the reason. It then loads every table
in one transaction (foreign keys are checked at its end) into an installation that is migrated
and empty (no users, no audit rows), so a failure leaves the target as it was.

Engines: a backup from SQLite restores into PostgreSQL and back (the rows are engine-neutral).
Stored credentials stay encrypted in the backup (gongzhi.core.crypto): restoring needs the keys
of FIELD_ENCRYPTION_KEYS the backup was made under.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from . import crypto
from .crypto import EncryptedTextField

FORMAT = "gongzhi-backup/1"
MANIFEST = "manifest.json"
BATCH = 2000

Progress = Callable[[int, str], None]  # (rows or files done since the last call, what)


class BackupError(Exception):
    """A backup or restore that was refused, with the reason in words."""


@dataclass
class Manifest:
    format: str
    created_at: str
    engine: str
    migrations: list[list[str]]
    tables: dict[str, int] = field(default_factory=dict)  # model label → rows
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → sha256, bytes


def _models() -> list[type[models.Model]]:
    """Every table the product's models own (auto-created many-to-many tables included),
    each once."""
    seen: set[str] = set()
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        out.append(model)
    return sorted(out, key=lambda m: m._meta.label_lower)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _migrations() -> list[list[str]]:
    return sorted(
        [app, name] for app, name in MigrationRecorder(connection).applied_migrations().keys()
    )


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path


def _noop(_n: int, _what: str) -> None:
    return None


def count_rows() -> int:
    return sum(m._default_manager.count() for m in _models())


# --- backup --------------------------------------------------------------------------------


def backup(target: Path, *, progress: Progress = _noop) -> Manifest:
    """Write a backup of the database and the media into `target` (which must not exist, or be
    an empty folder)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not empty: choose a new folder.")
    work = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    (work / "data").mkdir(parents=True)
    try:
        manifest = Manifest(
            format=FORMAT,
            created_at=timezone.now().isoformat(),
            engine=connection.vendor,
            migrations=[],
        )
        outermost = not connection.in_atomic_block  # (a test runs it inside its own)
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            manifest.migrations = _migrations()
            for model in _models():
                name = f"data/{model._meta.label_lower}.jsonl"
                rows = _dump_table(model, work / name, progress)
                manifest.tables[model._meta.label_lower] = rows
                manifest.files[name] = {
                    "sha256": _sha256(work / name),
                    "bytes": (work / name).stat().st_size,
                }
        media_root = Path(settings.MEDIA_ROOT)
        for path in _media_files(media_root):
            rel = "media/" + path.relative_to(media_root).as_posix()
            dest = work / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            manifest.files[rel] = {"sha256": _sha256(dest), "bytes": dest.stat().st_size}
            progress(1, "media")
        (work / MANIFEST).write_text(
            json.dumps(manifest.__dict__, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _dump_table(model: type[models.Model], path: Path, progress: Progress) -> int:
    """One JSON array per row: the values of `_columns(model)` in that order, read with the
    ORM's conversions (so that JSON fields are data, not text) and written at full precision
    (Django's own serialiser would cut times to the millisecond, and the audit chain's hashes
    with them)."""
    names = _columns(model)
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(names) + "\n")
        batch: list[str] = []
        secret = [isinstance(model._meta.get_field(n), EncryptedTextField) for n in names]
        qs = model._base_manager.order_by("pk").values_list(*names)
        for row in qs.iterator(chunk_size=BATCH):
            if any(secret):  # stored credentials stay encrypted in the backup
                row = tuple(
                    crypto.encrypt(v) if s and v else v for s, v in zip(secret, row, strict=True)
                )
            batch.append(json.dumps(row, ensure_ascii=False, default=_encode))
            if len(batch) >= BATCH:
                out.write("\n".join(batch) + "\n")
                rows += len(batch)
                progress(len(batch), model._meta.label_lower)
                batch = []
        if batch:
            out.write("\n".join(batch) + "\n")
            rows += len(batch)
            progress(len(batch), model._meta.label_lower)
    return rows


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.local_concrete_fields]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} can't be written to a backup")


# --- restore -------------------------------------------------------------------------------


def read_manifest(source: Path) -> Manifest:
    """The backup's manifest, after checking that every file it lists is there, whole and
    unchanged. Refuses (BackupError) with the first problem found."""
    source = Path(source)
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder.")
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{source} has no {MANIFEST}: it is not a backup, or the backup did not finish."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} in {source} is damaged ({exc}).") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"{source} is a backup of format {manifest.format!r}, not {FORMAT!r}.")
    for rel, info in manifest.files.items():
        file = source / rel
        if not file.is_file():
            raise BackupError(f"The backup is incomplete: {rel} is missing.")
        if file.stat().st_size != info["bytes"] or _sha256(file) != info["sha256"]:
            raise BackupError(f"The backup is damaged: {rel} does not match its checksum.")
    for label in manifest.tables:
        if f"data/{label}.jsonl" not in manifest.files:
            raise BackupError(f"The backup is incomplete: the rows of {label} are missing.")
    return manifest


def _check_target(manifest: Manifest) -> None:
    here = _migrations()
    if here != manifest.migrations:
        theirs = {tuple(m) for m in manifest.migrations}
        ours = {tuple(m) for m in here}
        missing = sorted(theirs - ours)
        extra = sorted(ours - theirs)
        hint = []
        if missing:
            hint.append(f"the backup has migrations this installation lacks ({_names(missing)})")
        if extra:
            hint.append(f"this installation has migrations the backup lacks ({_names(extra)})")
        raise BackupError(
            "The backup was made by another version of Gongzhi: "
            + "; ".join(hint)
            + ". Restore it with the version that made it, then upgrade."
        )
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    audit = apps.get_model("audit", "AuditEvent")
    if user_model._default_manager.exists() or audit._default_manager.exists():
        raise BackupError(
            "This installation is not empty (it has users or audit rows): restore into a new, "
            "migrated database."
        )
    labels = {m._meta.label_lower for m in _models()}
    unknown = sorted(set(manifest.tables) - labels)
    if unknown:
        raise BackupError(f"The backup has tables this installation does not know: {unknown}.")
    media_root = Path(settings.MEDIA_ROOT)
    if any(True for _ in _media_files(media_root)):
        raise BackupError(f"The media folder {media_root} is not empty.")


def _names(pairs: list[tuple[str, ...]]) -> str:
    shown = ", ".join(".".join(p) for p in pairs[:3])
    return shown + (f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")


def restore(source: Path, *, progress: Progress = _noop) -> Manifest:
    """Load a backup into this (migrated, empty) installation: everything or nothing."""
    source = Path(source)
    manifest = read_manifest(source)
    _check_target(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    copied: list[Path] = []
    try:
        for rel in manifest.files:
            if not rel.startswith("media/"):
                continue
            dest = media_root / rel.removeprefix("media/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, dest)
            copied.append(dest)
            progress(1, "media")
        by_label = {m._meta.label_lower: m for m in _models()}
        with transaction.atomic():
            _empty(list(by_label.values()))
            for label, rows in manifest.tables.items():
                loaded = _load_table(by_label[label], source / f"data/{label}.jsonl", progress)
                if loaded != rows:
                    raise BackupError(
                        f"The backup is damaged: {label} has {loaded} rows, its manifest {rows}."
                    )
            _reset_sequences(list(by_label.values()))
    except BaseException:
        for path in copied:
            path.unlink(missing_ok=True)
        raise
    return manifest


def _empty(model_list: list[type[models.Model]]) -> None:
    """Rows a migration wrote (content types, permissions, seeded catalogues) make way for the
    backup's own, with their own ids."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in model_list]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # (checks still pending from rows written earlier in this transaction would stop
            # TRUNCATE: run them first)
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # noqa: S608
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cur.execute(f"DELETE FROM {table}")  # noqa: S608


def _load_table(model: type[models.Model], path: Path, progress: Progress) -> int:
    fields = {f.attname: f for f in model._meta.local_concrete_fields}
    loaded = 0
    batch: list[models.Model] = []
    with path.open(encoding="utf-8") as fh:
        header = json.loads(fh.readline() or "[]")
        if sorted(header) != sorted(fields):
            raise BackupError(
                f"The backup's columns of {model._meta.label_lower} differ from this "
                "installation's."
            )
        convert = [fields[name] for name in header]
        for line in fh:
            values = json.loads(line)
            obj = model(**{f.attname: _value(f, v) for f, v in zip(convert, values, strict=True)})
            batch.append(obj)
            if len(batch) >= BATCH:
                model._base_manager.bulk_create(batch)
                loaded += len(batch)
                progress(len(batch), model._meta.label_lower)
                batch = []
    if batch:
        model._base_manager.bulk_create(batch)
        loaded += len(batch)
        progress(len(batch), model._meta.label_lower)
    return loaded


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, EncryptedTextField):
        return crypto.decrypt(value)  # (encrypted again, under the current key, when saved)
    return field.to_python(value)


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


def describe(manifest: Manifest) -> str:
    rows = sum(manifest.tables.values())
    media = sum(1 for rel in manifest.files if rel.startswith("media/"))
    when = dt.datetime.fromisoformat(manifest.created_at)
    return (
        f"{rows:,} rows in {len(manifest.tables)} tables and {media:,} media files, "
        f"from {manifest.engine}, taken {timezone.localtime(when):%Y-%m-%d %H:%M:%S}"
    )

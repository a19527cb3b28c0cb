"""Credentials the product must keep readable (a webhook's signing secret: it signs every
delivery) are encrypted at rest, with keys from the environment, never from the database.

    FIELD_ENCRYPTION_KEYS=<newest key>,<older key>,…    (Fernet keys: `manage.py
                                                        rotate_encryption_keys --new-key`)

The first key encrypts; every key listed decrypts, so a key is rotated by putting a new one in
front, running `manage.py rotate_encryption_keys` (which re-encrypts every stored value with
the first key), then dropping the old one. Without the setting (a development checkout), one key
is derived from SECRET_KEY; `manage.py check --deploy` warns about that in production.

A stored value reads `fernet:<token>` (AES-128-CBC with HMAC-SHA256, a timestamp and a random
IV: Fernet). A value without the prefix is a row written before encryption; it is read as it is
and encrypted the next time it is written (the migration that introduced the field rewrites
them all).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

PREFIX = "fernet:"


def configured_keys() -> list[str]:
    raw = getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or ""
    keys = [k.strip() for k in (raw.split(",") if isinstance(raw, str) else raw) if k.strip()]
    if keys:
        return keys
    digest = hashlib.sha256(b"gongzhi field encryption\0" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 bytes, URL-safe base64), separated "
            "by commas; `manage.py rotate_encryption_keys --new-key` prints a new one."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(configured_keys()))


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption (see the module)
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: the key "
            "that encrypted it is missing (put it back after the new one)."
        ) from exc


def reencrypt(stored: str) -> str:
    """The same value under the first key (a value stored in plain text gets encrypted)."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text encrypted in the database and plain in Python. It can't be searched or sorted by
    its value (each encryption differs): use it for secrets only."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            yield model, names


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "FIELD_ENCRYPTION_KEYS", ""):
        try:
            fernet()
        except ImproperlyConfigured as exc:
            return [checks.Error(str(exc), id="core.E010")]
        return []
    return [
        checks.Warning(
            "FIELD_ENCRYPTION_KEYS is not set: stored secrets are encrypted with a key derived "
            "from SECRET_KEY, so changing SECRET_KEY would make them unreadable.",
            hint="Set FIELD_ENCRYPTION_KEYS to a key from `manage.py rotate_encryption_keys "
            "--new-key`, then run `manage.py rotate_encryption_keys`.",
            id="core.W010",
        )
    ]


def rotate_stored() -> dict[str, int]:
    """Re-encrypt every stored secret with the first key, in one transaction; rows per model.
    The stored text is read and written as it is (raw SQL), so the values are never handled
    in the clear outside this function; the values themselves do not change (no audit row)."""
    counts: dict[str, int] = {}
    q = connection.ops.quote_name
    with transaction.atomic():
        for model, names in encrypted_fields():
            table, pk = q(model._meta.db_table), q(model._meta.pk.column or "id")
            cols = ", ".join(q(n) for n in names)
            sets = ", ".join(f"{q(n)} = %s" for n in names)
            with connection.cursor() as cur:
                cur.execute(f"SELECT {pk}, {cols} FROM {table}")  # noqa: S608
                stored = cur.fetchall()
                changed = 0
                for pk_value, *values in stored:
                    new = [reencrypt(v) if v else v for v in values]
                    if new != values:
                        cur.execute(f"UPDATE {table} SET {sets} WHERE {pk} = %s", [*new, pk_value])  # noqa: S608
                        changed += 1
            counts[model._meta.label] = changed
    return counts

"""What every operation does around its own work (installed on the whole API):

- POST with `Idempotency-Key: <1–255 printable characters>`: the first request runs in one
  transaction with the insertion of an `IdempotencyRecord` (unique per user and key), and its
  successful answer is stored. A retry with the same key and the same request (method, path,
  body) gets the stored answer again (`Idempotent-Replayed: true`) and runs nothing; the same
  key with another request is refused (422 `idempotency_key_reused`). Two identical requests at
  the same moment: the database lets one insert the record, the other waits for it to commit
  and then replays its answer. Errors are not stored: a refused request may be retried with the
  same key. Records are kept for `IDEMPOTENCY_TTL`.
- GET answers carry a strong `ETag` (a hash of the body as this user sees it) and
  `Cache-Control: private, no-cache`; `If-None-Match` with that tag → 304 without a body.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .auth import resolve_user
from .errors import error_response
from .models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Location", "ETag", "Content-Language")
# Operations whose answers are never stored (they carry personal data, and repeating them
# creates nothing): the key is accepted and the request simply runs again.
NOT_STORED: set[str] = set()

Run = Callable[..., HttpResponseBase]


def http_layer(run: Run) -> Run:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            return _idempotent(run, request, *args, **kwargs)
        response = run(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return with_etag(request, response)
        return response

    return wrapper


# --- Idempotency-Key ------------------------------------------------------------------------


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, print_: str) -> HttpResponse:
    if record.fingerprint != print_:
        return error_response(
            422,
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was already used for another request: use a new key for "
                "each new request."
            ),
            [(IDEMPOTENCY_HEADER, _("Already used for another request."))],
        )
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type
    )
    for name, value in (record.headers or {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= 255 and key.isprintable() and key.isascii()


def _idempotent(run: Run, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return run(request, *args, **kwargs)
    key = key.strip()
    if not _valid_key(key):
        return error_response(
            400,
            "bad_request",
            _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."),
            [(IDEMPOTENCY_HEADER, _("Enter a valid value."))],
        )
    user = resolve_user(request)
    match = getattr(request, "resolver_match", None)
    if user is None or (match is not None and match.url_name in NOT_STORED):
        # Not authenticated: the operation answers 401/403 itself. Not stored: runs again.
        return run(request, *args, **kwargs)
    print_ = fingerprint(request)
    with transaction.atomic():
        # Claim the key first: the common case (a new key) costs one statement, and a request
        # holding the same key at the same moment makes this one wait for its outcome.
        record_id = _claim(user.pk, key, request, print_)
        if record_id is None:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is not None and existing.created_at < timezone.now() - IDEMPOTENCY_TTL:
                existing.delete()  # expired: the key may be used again
                record_id = _claim(user.pk, key, request, print_)
            elif existing is not None and existing.status != 0:
                return _replay(existing, print_)
            if record_id is None:
                return error_response(
                    409,
                    "idempotency_key_in_use",
                    _("A request with this Idempotency-Key is still being processed."),
                )
        response = run(request, *args, **kwargs)
        if 200 <= response.status_code < 300 and not response.streaming:
            _store(record_id, response)
        else:
            IdempotencyRecord.objects.filter(pk=record_id).delete()
    return response


def _store(record_id: int, response: HttpResponseBase) -> None:
    """Keep the answer on the claimed record (one UPDATE, written without the ORM's query
    building: it runs on every POST)."""
    q = connection.ops.quote_name
    headers = {h: response[h] for h in STORED_HEADERS if response.has_header(h)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(IdempotencyRecord._meta.db_table)} SET {q('status')} = %s, "  # noqa: S608
            f"{q('content_type')} = %s, {q('body')} = %s, {q('headers')} = %s "
            f"WHERE {q('id')} = %s",
            [
                response.status_code,
                response.get("Content-Type", "")[:100],
                response.content,  # type: ignore[attr-defined]
                json.dumps(headers),
                record_id,
            ],
        )


def _claim(user_id: int, key: str, request: HttpRequest, print_: str) -> int | None:
    """Insert the key's record, or None when another request holds the key: one statement
    (INSERT … ON CONFLICT DO NOTHING RETURNING, PostgreSQL and SQLite ≥ 3.35), which on
    PostgreSQL waits for a concurrent holder of the same key to commit or roll back."""
    q = connection.ops.quote_name
    table = q(IdempotencyRecord._meta.db_table)
    names = ("user_id", "key", "method", "path", "fingerprint", "status", "content_type")
    columns = ", ".join(q(n) for n in (*names, "body", "headers", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, 0, '', %s, %s, %s) "
            f"ON CONFLICT ({q('user_id')}, {q('key')}) DO NOTHING RETURNING {q('id')}",
            [
                user_id,
                key,
                request.method or "POST",
                request.path[:300],
                print_,
                b"",
                "{}",
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def purge_expired(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- ETags -----------------------------------------------------------------------------------


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def etag_matches(header: str, tag: str) -> bool:
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == tag:
            return True
    return False


def not_modified(tag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    return response


def with_etag(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if response.status_code != 200 or response.streaming:
        return response
    tag = response.get("ETag") or etag_for(response.content)  # type: ignore[attr-defined]
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    given = request.headers.get("If-None-Match")
    if given and etag_matches(given, tag):
        return not_modified(tag)
    return response

"""What every operation does around its own work (installed on the whole API):

- POST with `Idempotency-Key: <1–255 printable characters>`: the first request runs in one
  transaction with the insertion of an `IdempotencyRecord` (unique per user and key), and its
  successful answer is stored. A retry with the same key and the same request (method, path,
  body) gets the stored answer again (`Idempotent-Replayed: true`) and runs nothing; the same
  key with another request is refused (422 `idempotency_key_reused`). Two identical requests at
  the same moment: the database lets one insert the record, the other waits for it to commit,
  then undoes its own work and replays the first one's answer. The record is written once, at
  the end of the request's transaction: a new key costs one statement. Errors are not stored: a refused request may be retried with the
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

from gongzhi.core import rows

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
    try:
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if not 200 <= response.status_code < 300 or response.streaming:
                pass  # errors are not stored; an earlier answer under this key is looked for
            elif _keep(user.pk, key, request, print_, response):
                return response
            else:
                # Another request with this key committed first: undo this one's work and
                # answer as that one did (or refuse a different request under the same key).
                raise _KeyTaken
    except _KeyTaken:
        pass
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None or existing.created_at < timezone.now() - IDEMPOTENCY_TTL:
        return response
    return _replay(existing, print_)


class _KeyTaken(Exception):
    """Raised to roll back a request whose key another request stored first."""


def _keep(
    user_id: int, key: str, request: HttpRequest, print_: str, response: HttpResponseBase
) -> bool:
    """Store the key's record with the answer, in the transaction of the request's work: one
    statement (INSERT … ON CONFLICT … RETURNING, PostgreSQL and SQLite ≥ 3.35). False when a
    record of the key that has not expired is there; an expired one is replaced. On
    PostgreSQL a request holding the same key at the same moment makes this wait for its
    outcome. Written without the ORM's query building: it runs on every POST with a key."""
    q = connection.ops.quote_name
    table = q(IdempotencyRecord._meta.db_table)
    names: tuple[str, ...] = ("user_id", "key", "method", "path", "fingerprint", "status")
    names += ("content_type", "body", "headers", "created_at")
    updated = ", ".join(f"{q(n)} = excluded.{q(n)}" for n in names[2:])
    headers = {h: response[h] for h in STORED_HEADERS if response.has_header(h)}
    now = timezone.now()
    with rows.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT ({q('user_id')}, {q('key')}) DO UPDATE SET {updated} "
            f"WHERE {table}.{q('created_at')} < %s RETURNING {q('id')}",
            [
                user_id,
                key,
                request.method or "POST",
                request.path[:300],
                print_,
                response.status_code,
                response.get("Content-Type", "")[:100],
                response.content,  # type: ignore[attr-defined]
                json.dumps(headers),
                now,
                now - IDEMPOTENCY_TTL,
            ],
        )
        return cursor.fetchone() is not None


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

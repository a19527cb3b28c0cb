"""The one rate limiter: requests counted per bucket in a window, in the database.

    verdict = ratelimit.hit(f"public:report:{client_ip(request)}", limit=10, window_s=3600)
    if not verdict.allowed:
        ...answer 429 with Retry-After: verdict.retry_after

A bucket's window starts at its first request and lasts `window_s` seconds; every request in
it is counted (refused ones too, so hammering does not help), and the next request after the
window ends starts a new one. Counting is one `INSERT … ON CONFLICT DO UPDATE … RETURNING`
statement on both engines (PostgreSQL, SQLite ≥ 3.35), so it is exact across gunicorn workers,
machines and the task worker without Redis; Django's cache would be per process on the embedded
default. A bucket with two windows (per minute and per hour) is two buckets. On PostgreSQL the
table is UNLOGGED (migration 0003): a count does not wait for the WAL, and a crash or a failover
only gives every bucket a fresh window.

Users: the public report, lookup and rating forms (gongzhi.cases.views_public), Open311
(gongzhi.open311.ratelimit), the REST API (gongzhi.api.auth) and login throttling
(gongzhi.accounts.services), each with its own limits and messages. Rows of ended windows are
purged hourly by the task `core.purge_rate_counters`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.db import connection

from .models import RateCounter
from .tasks import task


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # requests counted in the window, this one included
    retry_after: int  # whole seconds until the window ends (at least 1)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _seconds_until(resets_at: int, now: int) -> int:
    return max(1, math.ceil((resets_at - now) / 1000))


def hit(bucket: str, *, limit: int, window_s: int) -> Verdict:
    """Count one request of `bucket`; allowed while the window holds at most `limit`."""
    now = _now_ms()
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    hits, resets_at = q("hits"), q("resets_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('bucket')}, {hits}, {resets_at}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({q('bucket')}) DO UPDATE SET "
            f"{hits} = CASE WHEN {table}.{resets_at} <= %s THEN 1 "
            f"ELSE {table}.{hits} + 1 END, "
            f"{resets_at} = CASE WHEN {table}.{resets_at} <= %s THEN %s "
            f"ELSE {table}.{resets_at} END "
            f"RETURNING {hits}, {resets_at}",
            [bucket, now + window_s * 1000, now, now, now + window_s * 1000],
        )
        n, ends = cursor.fetchone()
    return Verdict(allowed=n <= limit, count=int(n), retry_after=_seconds_until(int(ends), now))


def peek(bucket: str) -> int:
    """The requests counted in `bucket`'s current window, without counting one."""
    row = (
        RateCounter.objects.filter(bucket=bucket, resets_at__gt=_now_ms())
        .values_list("hits", flat=True)
        .first()
    )
    return int(row or 0)


def standing(bucket: str, *, limit: int) -> Verdict:
    """Whether one more request of `bucket` would be allowed, without counting it: for limits
    that count only what succeeds (`hit` after the success). `retry_after` is the wait until
    the window ends (1 when none is open)."""
    now = _now_ms()
    row = (
        RateCounter.objects.filter(bucket=bucket, resets_at__gt=now)
        .values_list("hits", "resets_at")
        .first()
    )
    n, ends = (int(row[0]), int(row[1])) if row else (0, now)
    return Verdict(allowed=n < limit, count=n, retry_after=_seconds_until(ends, now))


def reset(bucket: str) -> None:
    """Forget `bucket`'s window (e.g. a successful login clears the username's failures)."""
    RateCounter.objects.filter(bucket=bucket).delete()


def purge() -> int:
    """Delete the rows of windows that have ended."""
    deleted, _per_model = RateCounter.objects.filter(resets_at__lte=_now_ms()).delete()
    return deleted


@task("core.purge_rate_counters", periodic_seconds=3600, max_attempts=1)
def purge_task() -> dict[str, int]:
    return {"deleted": purge()}

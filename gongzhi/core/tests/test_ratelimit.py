"""The one rate limiter: a window per bucket that starts at its first request, counted in the
database so that every worker process sees the same count."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.core import ratelimit, tasks
from gongzhi.core.models import RateCounter


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def test_a_bucket_is_allowed_its_limit_then_refused_until_the_window_ends(db, clock):
    verdicts = [ratelimit.hit("t:a", limit=3, window_s=60) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    assert verdicts[-1].retry_after == 60

    clock.shift(dt.timedelta(seconds=45))
    refused = ratelimit.hit("t:a", limit=3, window_s=60)
    assert not refused.allowed and refused.retry_after == 15  # refusals do not extend it

    clock.shift(dt.timedelta(seconds=15))
    fresh = ratelimit.hit("t:a", limit=3, window_s=60)
    assert fresh.allowed and fresh.count == 1 and fresh.retry_after == 60


def test_buckets_are_counted_apart(db, clock):
    for _ in range(2):
        ratelimit.hit("t:a", limit=2, window_s=60)
    assert not ratelimit.hit("t:a", limit=2, window_s=60).allowed
    assert ratelimit.hit("t:b", limit=2, window_s=60).allowed


def test_peek_reads_without_counting_and_reset_forgets(db, clock):
    assert ratelimit.peek("t:a") == 0
    for _ in range(3):
        ratelimit.hit("t:a", limit=10, window_s=60)
    assert ratelimit.peek("t:a") == 3
    assert ratelimit.peek("t:a") == 3
    ratelimit.reset("t:a")
    assert ratelimit.peek("t:a") == 0

    ratelimit.hit("t:a", limit=10, window_s=60)
    clock.shift(dt.timedelta(seconds=61))
    assert ratelimit.peek("t:a") == 0  # the window has ended


def test_ended_windows_are_purged_by_the_hourly_task(db, clock):
    ratelimit.hit("t:minute", limit=1, window_s=60)
    ratelimit.hit("t:hour", limit=1, window_s=3600)
    clock.shift(dt.timedelta(minutes=5))
    assert tasks.REGISTRY["core.purge_rate_counters"].periodic_seconds == 3600
    assert tasks.REGISTRY["core.purge_rate_counters"]() == {"deleted": 1}
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["t:hour"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_moment_in_several_processes_are_all_counted():
    """Each thread has its own database connection, as each gunicorn worker has."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are checked on PostgreSQL")
    n = 12
    barrier = threading.Barrier(n)
    counts: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            verdict = ratelimit.hit("t:race", limit=5, window_s=60)
            with lock:
                counts.append(verdict.count)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == list(range(1, n + 1))  # no count lost, none counted twice
    assert RateCounter.objects.get(bucket="t:race").hits == n


@pytest.mark.postgres
def test_on_postgresql_the_counters_skip_the_write_ahead_log(db):
    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateCounter._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)

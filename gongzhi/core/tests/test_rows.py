"""The hot path's cursor: on PostgreSQL a statement is prepared once per connection and still
shows in Django's query log; with GONGZHI_PREPARED_STATEMENTS off (a transaction-pooling
PgBouncer) nothing is prepared."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core import rows

SQL = "SELECT CAST(%s AS integer) + 1 AS {}"


def _prepared_here(name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [r[0] for r in cursor.fetchall() if name in r[0]]


def _run(value: int, name: str = "probe_on") -> int:
    with rows.cursor() as cursor:
        cursor.execute(SQL.format(name), [value])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_the_same_answers_and_the_query_log_with_or_without_preparing(settings):
    with CaptureQueriesContext(connection) as queries:
        assert _run(41) == 42
        assert _run(1) == 2
    logged = [q["sql"] or "" for q in queries.captured_queries]
    assert len(logged) == 2 and all("probe_on" in sql for sql in logged)
    settings.GONGZHI = {**settings.GONGZHI, "PREPARED_STATEMENTS": False}
    assert _run(2, "probe_off") == 3
    if connection.vendor == "postgresql":
        assert len(_prepared_here("probe_on")) == 1  # prepared once, run twice
        assert _prepared_here("probe_off") == []

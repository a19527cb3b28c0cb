"""The same POST twice at the same moment with one Idempotency-Key (a client retrying while its
first request is still running): one case is filed, both get its answer (PostgreSQL: the
second waits on the key's unique index; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.cases.models import Case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race is checked on PostgreSQL")


def test_two_identical_posts_at_once_file_one_case(centre):
    token = token_for(centre.world.operator)
    payload = {"channel": "hotline", "category": centre.garbage.pk, "description": "夜间施工噪声"}
    barrier = threading.Barrier(2)
    answers: list[object] = [None, None]

    def send(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = ApiClient(token).post("/cases", payload, **{"Idempotency-Key": "same"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Case.objects.count() == 1
    statuses = sorted(a.status_code for a in answers)  # type: ignore[attr-defined]
    assert statuses in ([201, 201], [201, 409])  # 409: the first was still running
    bodies = {a.json()["case"]["id"] for a in answers if a.status_code == 201}  # type: ignore[attr-defined]
    assert bodies == {Case.objects.get().pk}

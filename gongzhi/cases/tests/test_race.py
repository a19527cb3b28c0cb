"""Two people acting on the same case at the same moment: exactly one succeeds, and the other
is told who got there first (PostgreSQL row locks; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.errors import ConflictError, ServiceError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as exc:  # noqa: BLE001
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race is checked on PostgreSQL")


def test_two_dispatchers_at_once(centre):
    w = centre.world
    case = advance(centre.intake(), "filed", centre)
    outcomes = race(
        lambda: services.case_dispatch(
            actor=w.operator,
            case=Case.objects.get(pk=case.pk),
            department=w.orgs["chengguan"],
            expected_state="filed",
        ),
        lambda: services.case_dispatch(
            actor=w.duty_chief,
            case=Case.objects.get(pk=case.pk),
            department=w.orgs["fangguan"],
            override_reason="房屋问题",
            expected_state="filed",
        ),
    )
    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    assert "already handled by" in str(losers[0]) or "已" in str(losers[0])
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


def test_a_dispatch_and_a_return_at_once(centre):
    w = centre.world
    case = advance(centre.intake(), "dispatched", centre)
    outcomes = race(
        lambda: services.case_return(
            actor=w.handler,
            case=Case.objects.get(pk=case.pk),
            reason="派错",
            expected_state="dispatched",
        ),
        lambda: services.case_accept(
            actor=w.handler, case=Case.objects.get(pk=case.pk), expected_state="dispatched"
        ),
    )
    assert sum(isinstance(o, Case) for o in outcomes) == 1
    assert sum(isinstance(o, ServiceError) for o in outcomes) == 1
    case.refresh_from_db()
    assert case.state in (Case.State.RETURNED, Case.State.ACCEPTED)

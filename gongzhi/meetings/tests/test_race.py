"""Two ballots of the same voter sent at the same moment, from two connections: the database's
unique constraint lets exactly one count (PostgreSQL; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import ServiceError
from gongzhi.meetings import services
from gongzhi.meetings.models import Vote, VoteParticipation, VoteTally

from .conftest import make_council

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


@pytest.mark.parametrize("secret", [False, True])
def test_two_ballots_of_one_voter_at_once_count_once(world, secret):
    council = make_council(world, secret_ballot=secret)
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="同时投票")
    voter = world.secretary

    def ballot(choice):
        return lambda: services.vote_cast(
            actor=voter, vote=Vote.objects.get(pk=vote.pk), choice=choice
        )

    outcomes = race(ballot("yes"), ballot("no"))
    refused = [o for o in outcomes if isinstance(o, ServiceError)]
    counted = [o for o in outcomes if o is None]
    assert len(counted) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "already_voted"
    assert VoteParticipation.objects.filter(vote=vote).count() == 1
    assert sum(VoteTally.objects.filter(vote=vote).values_list("count", flat=True)) == 1


def test_many_voters_at_once_all_count(world):
    council = make_council(world)
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="同时投票")
    voters = [world.leader, world.service_staff, world.secretary, world.liaison]
    outcomes = race(
        *[
            (
                lambda u=u: services.vote_cast(
                    actor=u, vote=Vote.objects.get(pk=vote.pk), choice="yes"
                )
            )
            for u in voters
        ]
    )
    assert outcomes == [None] * 4
    assert VoteTally.objects.get(vote=vote, choice="yes").count == 4


def test_a_secret_ballot_leaves_no_trace_in_the_counters_row_versions(world):
    """Each ballot writes every counter of the vote: all carry the same transaction id, so the
    rows' versions do not tell which choice the last voter raised."""
    council = make_council(world, secret_ballot=True)
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="评议")
    services.vote_cast(actor=world.secretary, vote=vote, choice="no")
    with connection.cursor() as c:
        c.execute(
            "SELECT DISTINCT xmin::text FROM meetings_votetally WHERE vote_id = %s", [vote.pk]
        )
        assert len(c.fetchall()) == 1

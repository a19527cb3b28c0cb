"""The councils' seed stage on the real places, organisations, people, alliance and (a few)
cases: the quarterly meetings with minutes, the extended meetings with attending units, action
items in every state (some carried out as cases and projects), topics with votes, reception
days, a year of training; the summary's keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gongzhi.core.seeding import SeedContext, stages
from gongzhi.meetings.models import ActionItem, Body, Invitation, Meeting, Topic, Vote, VoteTally
from gongzhi.meetings.summary import meetings_summary

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
NEEDED = ("places", "organisations", "people", "accounts", "duty", "cases", "alliance", "meetings")


def _rows() -> list[tuple]:
    return sorted(
        [
            *Meeting.objects.values_list("title", "state", "starts_at"),
            *ActionItem.objects.values_list("title", "state", "due_on", "case_id", "project_id"),
            *Invitation.objects.values_list("meeting__title", "person__name", "attendance"),
        ],
        key=repr,
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = SeedContext(seed=2026, now=NOW, options={"cases": 60})
        meetings = None
        for st in stages():
            if st.name == "meetings":
                meetings = st
            elif st.name in NEEDED:
                st.run(ctx)
        assert meetings is not None
        sid = transaction.savepoint()
        meetings.run(ctx)
        first = _rows()
        transaction.savepoint_rollback(sid)
        meetings.run(SeedContext(seed=2026, now=NOW, options={"cases": 60}))
        ctx.made["first_rows"] = first
        yield ctx
        transaction.set_rollback(True)


def test_the_councils_and_their_meetings(seeded, db):
    assert Body.objects.count() == 5
    quarterly = Meeting.objects.filter(body__kind="alliance_council", starts_at__year=2026)
    assert quarterly.count() == 4
    assert quarterly.filter(state="closed").exclude(minutes="").count() == 4
    extended = Meeting.objects.filter(body__kind="extended_party_group", state="closed")
    assert extended.count() == 11  # January to November
    attending = Invitation.objects.filter(meeting__in=extended, kind="attending")
    assert attending.count() >= 11 * 4 and not attending.filter(voting=True).exists()


def test_action_items_in_every_state_some_linked(seeded, db):
    states = set(ActionItem.objects.values_list("state", flat=True))
    assert states == set(ActionItem.State.values)
    assert ActionItem.objects.exclude(case=None).exists()
    assert ActionItem.objects.exclude(project=None).exists()
    for item in ActionItem.objects.all():
        assert item.version == item.events.count() - 1
        assert item.events.order_by("at", "id").last().to_state == item.state


def test_topics_votes_and_secret_ballots(seeded, db):
    assert Topic.objects.filter(state="published").exclude(outcome="").exists()
    secret = Vote.objects.filter(secret=True)
    assert secret.exists()
    for v in secret:
        assert set(v.participations.values_list("choice", flat=True)) == {""}
        assert (
            sum(VoteTally.objects.filter(vote=v).values_list("count", flat=True))
            == v.participations.count()
        )


def test_the_summary_counts(seeded, db):
    s = meetings_summary()
    for key in (
        "meetings",
        "action_items",
        "action_items_overdue",
        "topics",
        "votes",
        "reception_opinions",
        "training_sessions",
    ):
        assert s[key] >= 0, key
    assert s["meetings"] > 20 and s["training_sessions"] > 10 and s["reception_opinions"] > 10


def test_deterministic(seeded, db):
    assert _rows() == seeded.made["first_rows"]

"""Other domains' events through the same webhooks as the cases': a topic registered by the
interface layer makes its events choosable, writes a delivery with the change that made the
event (and none when it rolls back), and the worker sends it signed."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core import events
from gongzhi.webhooks import topics
from gongzhi.webhooks.admin import event_choices
from gongzhi.webhooks.models import Delivery, Subscription
from gongzhi.webhooks.signing import verify
from gongzhi.webhooks.tests.conftest import run_worker, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    made = topics.register(
        topics.Topic(
            domain="garden",
            label="gardens",
            actions={"planted": "planted", "watered": "watered"},
            data=lambda e: {"garden": {"id": e["garden_id"], "title": e["title"]}},
        )
    )
    yield made
    topics.unregister("garden")


def test_a_topics_event_reaches_its_subscribers_signed(world, receiver, topic):
    r = receiver()
    sub, secret = subscribe(world, r.url, ["garden.planted"])
    other, _ = subscribe(world, r.url, ["garden.watered"], name="other")
    with transaction.atomic():
        events.publish("garden.planted", garden_id=7, title="杏杨绿益")
        events.publish("garden.pruned", garden_id=7, title="杏杨绿益")  # not a webhook event
    [row] = Delivery.objects.all()
    assert row.subscription == sub and row.event_type == "garden.planted" and row.case is None
    run_worker()
    [got] = r.received
    assert verify(secret, got.signature, got.body) > 0
    assert got.headers["X-Gongzhi-Event"] == "garden.planted"
    body = got.json()
    assert body["type"] == "garden.planted"
    assert body["data"] == {"garden": {"id": 7, "title": "杏杨绿益"}}
    assert not Delivery.objects.filter(subscription=other).exists()


def test_nothing_is_queued_when_the_change_rolls_back(world, receiver, topic):
    subscribe(world, receiver().url, ["garden.planted"])

    class Oops(Exception):
        pass

    with pytest.raises(Oops), transaction.atomic():
        events.publish("garden.planted", garden_id=1, title="x")
        assert Delivery.objects.count() == 1
        raise Oops
    assert Delivery.objects.count() == 0


def test_the_topics_events_can_be_chosen_and_unknown_ones_are_refused(world, topic):
    assert ("garden.planted", "planted") in event_choices()
    sub = Subscription(name="x", url="http://gw:8080/in", secret="s", event_types=["garden.dug"])
    with pytest.raises(ValidationError, match="garden.dug"):
        sub.full_clean()
    sub.event_types = ["garden.watered", "filed"]
    sub.full_clean()


def test_an_alliance_project_agreed_reaches_its_subscriber_without_personal_data(world, receiver):
    from gongzhi.alliance import services as alliance
    from gongzhi.alliance.tests.test_projects import _propose

    r = receiver()
    subscribe(world, r.url, ["project.agreed"])
    project = _propose(world)
    alliance.project_act(actor=world.secretary, project=project, action="agree")
    run_worker()
    [got] = r.received
    body = got.json()
    assert body["type"] == "project.agreed"
    data = body["data"]["project"]
    assert data["title"] == "错时停车" and data["state"] == "agreed"
    assert {p["unit"] for p in data["parties"]} == {
        world.orgs["school"].name,
        world.orgs["branch_a"].name,
    }
    assert data["progress"] == 0 and body["data"]["event"]["action"] == "agreed"


def test_a_councils_vote_and_its_action_item_reach_their_subscriber(world, receiver):
    from gongzhi.meetings import services as meetings
    from gongzhi.meetings.tests.conftest import make_council

    council = make_council(world)
    r = receiver()
    subscribe(world, r.url, ["meetings.vote_closed", "action_item.complete"])
    m = council.held()
    vote = meetings.vote_open(actor=council.secretary, meeting=m, question="开放学校停车场")
    meetings.vote_cast(actor=world.secretary, vote=vote, choice="yes")
    meetings.vote_close(actor=council.secretary, vote=vote)
    item = meetings.action_item_create(
        actor=council.secretary,
        meeting=m,
        title="开放车位",
        owner=world.liaison.person,
        working_days=5,
    )
    meetings.action_item_act(actor=world.liaison, item=item, action="start")
    meetings.action_item_act(actor=world.liaison, item=item, action="complete", note="已开放")
    run_worker()
    bodies = {b["type"]: b["data"] for b in (got.json() for got in r.received)}
    assert set(bodies) == {"meetings.vote_closed", "action_item.complete"}
    closed = bodies["meetings.vote_closed"]
    assert closed["meeting"]["council"] == council.body.name
    assert closed["vote"]["result"]["counts"]["yes"] == 1
    done = bodies["action_item.complete"]["action_item"]
    assert done["title"] == "开放车位" and done["state"] == "done"
    assert world.liaison.person.name not in json.dumps(bodies, ensure_ascii=False)

"""The councils' permissions, persona by persona: who sees a council's papers (its members, the
invitees — attending units included —, action item owners, leaders, auditors, administrators),
who manages them (the council's chair and secretary, leaders, administrators), who acts on an
action item, who sees topics, reception days and training records. Changing a rule changes one
of these answers, deliberately."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import permissions as perms
from gongzhi.meetings import services
from gongzhi.meetings.models import (
    ActionItem,
    Course,
    Meeting,
    ReceptionDay,
    Topic,
    TrainingAttendance,
    Vote,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "operator", "duty_chief", "handler", "other_handler", "inspector", "secretary",
    "other_secretary", "liaison", "service_staff", "leader", "auditor", "admin", "resident",
    "resident_a",
]  # fmt: skip

# The meeting is called: members leader (chair), service_staff (secretary), secretary,
# other_secretary, liaison; 城管中队 attends (handler); inspector owns an item of another one.
SEES_MEETING = {
    "secretary", "other_secretary", "liaison", "service_staff", "leader", "auditor", "admin",
    "handler",
}  # fmt: skip
MANAGES = {"service_staff", "leader", "admin"}
# The action item (owner: liaison): who may start it, who may cancel it.
STARTS_ITEM = {"liaison", "service_staff", "leader", "admin"}
CANCELS_ITEM = {"service_staff", "leader", "admin"}
SEES_PROPOSED_TOPIC = {p for p in PERSONAS if p not in ("resident", "resident_a")}
SEES_RECEPTION = {p for p in PERSONAS if p not in ("resident", "resident_a")}
SEES_ALL_TRAINING = {"service_staff", "leader", "admin", "auditor"}


@pytest.fixture
def things(council):
    w = council.world
    m = council.held()
    item = services.action_item_create(
        actor=council.secretary, meeting=m, title="整改", owner=w.liaison.person, working_days=3
    )
    other = council.held(title="另一次会议")
    services.action_item_create(
        actor=council.secretary,
        meeting=other,
        title="巡查",
        owner=w.inspector.person,
        working_days=3,
    )
    topic = services.topic_propose(
        actor=council.secretary, body=council.body, title="议题", proposer_kind="unit"
    )
    day = services.reception_day_create(
        actor=w.leader, deputy=w.liaison.person, deputy_kind="cppcc", held_on=dt.date(2026, 3, 5)
    )
    course = Course.objects.create(title="课程")
    s = services.session_create(
        actor=w.service_staff, course=course, held_on=dt.date(2026, 3, 5), hours=2
    )
    services.training_attend(
        actor=w.service_staff, session=s, people=[w.secretary.person, w.other_secretary.person]
    )
    return m, item, topic, day


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_matrix(council, things, persona):
    m, item, topic, day = things
    user = council.world.users[persona]
    seen = perms.visible(user, Meeting.objects.filter(pk=m.pk)).exists()
    assert seen == (persona in SEES_MEETING), "meeting"
    assert perms.visible(user, Vote.objects.filter(meeting=m)).count() == 0  # none yet
    assert perms.can(user, "manage", m) == (persona in MANAGES), "manage"
    assert perms.can(user, "start", item) == (persona in STARTS_ITEM), "start"
    assert perms.can(user, "cancel", item) == (persona in CANCELS_ITEM), "cancel"
    item_seen = perms.visible(user, ActionItem.objects.filter(pk=item.pk)).exists()
    assert item_seen == (persona in SEES_MEETING), "item"
    assert perms.visible(user, Topic.objects.filter(pk=topic.pk)).exists() == (
        persona in SEES_PROPOSED_TOPIC
    )
    day_seen = perms.visible(user, ReceptionDay.objects.filter(pk=day.pk)).exists()
    assert day_seen == (persona in SEES_RECEPTION or persona == "liaison")
    n = perms.visible(user, TrainingAttendance.objects.all()).count()
    expected = (
        2
        if persona in SEES_ALL_TRAINING
        else (1 if persona in ("secretary", "other_secretary") else 0)
    )
    assert n == expected, "training"


def test_anonymous_sees_only_published_topics(council, things):
    from django.contrib.auth.models import AnonymousUser

    _m, _item, topic, _day = things
    anon = AnonymousUser()
    assert not perms.visible(anon, Meeting.objects.all()).exists()
    assert not perms.visible(anon, Topic.objects.all()).exists()
    Topic.objects.filter(pk=topic.pk).update(state="published")
    assert perms.visible(anon, Topic.objects.all()).count() == 1

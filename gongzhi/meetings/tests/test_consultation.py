"""Consultation topics with opinions (online and from paper), a vote when the council decides,
the outcome on the public page; deputies' reception days whose opinions become a case or a
topic, which the deputy follows; community workers' training and the hours by area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import Course, Opinion, ReceptionDay, ReceptionOpinion, Topic

pytestmark = pytest.mark.django_db


def test_a_topic_from_proposal_to_published_outcome(council, client):
    w = council.world
    t = services.topic_propose(
        actor=w.resident_a, body=council.body, title="加装电梯议题", proposer_kind="staff"
    )
    assert t.proposer_kind == "resident"  # a resident proposes as themselves
    with pytest.raises(ServiceError):
        services.opinion_add(actor=w.resident_a, topic=t, text="赞成")  # not open yet
    with pytest.raises(NotAllowed):
        services.topic_move(actor=w.resident_a, topic=t, to="consulting")
    services.topic_move(actor=council.secretary, topic=t, to="consulting")
    services.opinion_add(actor=w.resident_a, topic=t, text="赞成，老人上下楼不便")
    with pytest.raises(NotAllowed):  # only officers enter paper forms
        services.opinion_add(actor=w.resident_a, topic=t, text="x", source="paper")
    services.opinion_add(
        actor=council.secretary, topic=t, text="担心噪音", source="paper", author_name="王阿姨"
    )
    assert list(t.opinions.values_list("source", "author_name")) == [
        ("online", str(w.resident_a)[:60]),
        ("paper", "王阿姨"),
    ]
    m = council.held()
    vote = services.vote_open(actor=council.secretary, meeting=m, question="同意加装电梯", topic=t)
    for u in (w.leader, w.secretary, w.liaison):
        services.vote_cast(actor=u, vote=vote, choice="yes")
    services.vote_close(actor=council.secretary, vote=vote)
    t.refresh_from_db()
    assert t.state == "decided"
    with pytest.raises(ServiceError):
        services.topic_move(actor=council.secretary, topic=t, to="published", outcome="")
    assert client.get(reverse("meetings:public")).content.decode().count("加装电梯议题") == 0
    services.topic_move(
        actor=council.secretary, topic=t, to="published", outcome="同意加装，明年开工"
    )
    page = client.get(reverse("meetings:public")).content.decode()  # no sign-in
    assert "加装电梯议题" in page and "同意加装，明年开工" in page and "75%" in page


def test_residents_see_open_topics_and_their_own_proposals_only(council):
    w = council.world
    mine = services.topic_propose(actor=w.resident_a, body=council.body, title="我的议题")
    other = services.topic_propose(actor=w.resident, body=council.body, title="别人的议题")
    seen = set(selectors.topics(w.resident_a).values_list("pk", flat=True))
    assert mine.pk in seen and other.pk not in seen
    services.topic_move(actor=council.secretary, topic=other, to="consulting")
    assert other.pk in set(selectors.topics(w.resident_a).values_list("pk", flat=True))


def test_a_reception_opinion_becomes_a_case_the_deputy_follows(council, client):
    w = council.world
    centre = make_centre(w)
    day = services.reception_day_create(
        actor=w.secretary,
        deputy=w.liaison.person,
        deputy_kind="peoples_congress",
        held_on=dt.date(2026, 3, 5),
    )
    with pytest.raises(ServiceError):
        services.reception_opinion_add(actor=w.liaison, day=day, text="x", resident_phone="12345")
    o = services.reception_opinion_add(
        actor=w.liaison,
        day=day,
        text="兰溪路夜间施工扰民",
        resident_name="张先生",
        resident_phone="138 1234 5678",
    )
    assert o.resident_phone == "13812345678" and o.resident_phone_masked == "138****5678"
    with pytest.raises(NotAllowed):  # the deputy does not file cases; the centre does
        services.reception_opinion_to_case(actor=w.liaison, opinion=o, category=centre.garbage.pk)
    services.reception_opinion_to_case(
        actor=w.operator, opinion=o, category=centre.garbage.pk, address="兰溪路"
    )
    o.refresh_from_db()
    case = Case.objects.get()
    assert o.case == case and case.channel == "deputy" and case.reporter_user == w.liaison
    with pytest.raises(ServiceError):
        services.reception_opinion_to_topic(actor=w.operator, opinion=o, body=council.body)
    client.force_login(w.liaison)
    page = client.get(reverse("meetings:receptions")).content.decode()
    assert case.number in page and "13812345678" not in page


def test_a_reception_opinion_becomes_a_topic(council):
    w = council.world
    day = services.reception_day_create(
        actor=w.leader, deputy=w.liaison.person, deputy_kind="council", held_on=dt.date(2026, 3, 5)
    )
    o = services.reception_opinion_add(actor=w.leader, day=day, text="小区停车难")
    services.reception_opinion_to_topic(actor=w.leader, opinion=o, body=council.body)
    o.refresh_from_db()
    assert o.topic.proposer_kind == "deputy" and o.topic.proposer_name == str(w.liaison.person)
    assert selectors.opinion_outcome(o)["kind"] == "topic"


def test_only_staff_hold_reception_days_and_a_deputy_sees_only_theirs(council):
    w = council.world
    with pytest.raises(NotAllowed):
        services.reception_day_create(
            actor=w.resident_a,
            deputy=w.liaison.person,
            deputy_kind="cppcc",
            held_on=dt.date(2026, 3, 5),
        )
    with pytest.raises(ServiceError):
        services.reception_day_create(
            actor=w.leader, deputy=w.liaison.person, deputy_kind="x", held_on=dt.date(2026, 3, 5)
        )
    services.reception_day_create(
        actor=w.leader, deputy=w.liaison.person, deputy_kind="cppcc", held_on=dt.date(2026, 3, 5)
    )
    services.reception_day_create(
        actor=w.leader, deputy=w.secretary.person, deputy_kind="cppcc", held_on=dt.date(2026, 3, 6)
    )
    assert selectors.reception_days(w.resident_a).count() == 0
    assert selectors.reception_days(w.leader).count() == 2
    assert ReceptionDay.objects.count() == 2


def test_training_hours_by_worker_area_and_year(council):
    w = council.world
    course = Course.objects.create(title="社区工作者能力提升")
    with pytest.raises(NotAllowed):
        services.session_create(
            actor=w.secretary, course=course, held_on=dt.date(2026, 4, 1), hours=3
        )
    for bad in ("0", "25", "三"):
        with pytest.raises(ServiceError):
            services.session_create(
                actor=w.service_staff, course=course, held_on=dt.date(2026, 4, 1), hours=bad
            )
    s1 = services.session_create(
        actor=w.service_staff, course=course, held_on=dt.date(2026, 4, 1), hours="3.5"
    )
    s2 = services.session_create(
        actor=w.service_staff, course=course, held_on=dt.date(2025, 4, 1), hours=2
    )
    services.training_attend(
        actor=w.service_staff,
        session=s1,
        people=[w.secretary.person, w.other_secretary.person, w.secretary.person],
    )
    services.training_attend(actor=w.service_staff, session=s2, people=[w.secretary.person])
    rows, total = selectors.worker_record(w.secretary.person_id)
    assert total == Decimal("5.5") and len(rows) == 2
    by_area = {
        r["residential_area__name"]: r["hours"] for r in selectors.hours_by_area(w.leader, 2026)
    }
    assert by_area == {"杏梅园居民区": Decimal("3.5"), "杏杨居民区": Decimal("3.5")}
    assert selectors.hours_by_area(w.secretary, 2026)[0]["hours"] == Decimal("3.5")  # own only
    assert (
        Opinion.objects.count() == 0
        and Topic.objects.count() == 0
        and ReceptionOpinion.objects.count() == 0
    )

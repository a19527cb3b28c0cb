"""A subscription of one subdistrict gets the events of that subdistrict's cases only; one of
no subdistrict (a district-level system) gets every subdistrict's. Other domains' events that
say their subdistrict are routed the same way."""

from __future__ import annotations

import pytest

from gongzhi.testing.second_subdistrict import build_second, fresh
from gongzhi.webhooks import services
from gongzhi.webhooks.models import Delivery, EventType
from gongzhi.webhooks.tests.conftest import subscribe

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/events"
ALL = list(EventType.values)


def _cases_of(sub):
    return set(Delivery.objects.filter(subscription=sub).values_list("case_id", flat=True))


def test_deliveries_go_to_the_cases_subdistrict_and_the_district(centre, world):
    two = build_second()
    for u in world.users.values():
        fresh(u)
    of_a, _ = subscribe(world, URL, ALL, name="曹杨", subdistrict=world.subdistrict)
    of_b, _ = subscribe(world, URL, ALL, name="长风", subdistrict=two.subdistrict)
    district, _ = subscribe(world, URL, ALL, name="区平台")

    case_a = centre.intake()
    case_b = two.file_case(centre.garbage)
    assert case_b.subdistrict_id == two.subdistrict.pk
    assert _cases_of(of_a) == {case_a.pk}
    assert _cases_of(of_b) == {case_b.pk}
    assert _cases_of(district) == {case_a.pk, case_b.pk}


def test_subscribers_of_an_event_that_names_its_subdistrict(world):
    two = build_second()
    subscribe(world, URL, ["received"], name="曹杨", subdistrict=world.subdistrict)
    subscribe(world, URL, ["received"], name="长风", subdistrict=two.subdistrict)
    subscribe(world, URL, ["received"], name="区平台")
    assert {s.name for s in services.subscribers("received", two.subdistrict.pk)} == {
        "长风",
        "区平台",
    }
    assert {s.name for s in services.subscribers("received")} == {"曹杨", "长风", "区平台"}


def _types_of(sub):
    return set(Delivery.objects.filter(subscription=sub).values_list("event_type", flat=True))


def test_the_alliances_and_councils_events_go_to_their_subdistrict_and_the_district(world):
    """Their events do not say their subdistrict: the topic finds it (the project's, the
    council's), so another subdistrict's subscription gets none of them."""
    from gongzhi.alliance import services as alliance
    from gongzhi.alliance.tests.test_projects import _propose
    from gongzhi.meetings import services as meetings
    from gongzhi.meetings.tests.conftest import make_council

    two = build_second()
    wanted = ["project.agreed", "meetings.vote_opened", "action_item.created"]
    of_a, _ = subscribe(world, URL, wanted, name="曹杨", subdistrict=world.subdistrict)
    of_b, _ = subscribe(world, URL, wanted, name="长风", subdistrict=two.subdistrict)
    district, _ = subscribe(world, URL, wanted, name="区平台")

    project = _propose(world)
    assert project.subdistrict_id == world.subdistrict.pk
    alliance.project_act(actor=world.secretary, project=project, action="agree")
    council = make_council(world)
    type(council.body).objects.filter(pk=council.body.pk).update(subdistrict=world.subdistrict)
    m = council.held()
    meetings.vote_open(actor=council.secretary, meeting=m, question="开放学校停车场")
    meetings.action_item_create(
        actor=council.secretary,
        meeting=m,
        title="开放车位",
        owner=world.liaison.person,
        working_days=5,
    )
    assert _types_of(of_a) == _types_of(district) == set(wanted)
    assert _types_of(of_b) == set()


def test_a_district_councils_events_go_to_the_district_wide_subscriptions_only(world):
    from gongzhi.meetings import services as meetings
    from gongzhi.meetings.tests.conftest import make_council

    wanted = ["meetings.vote_opened"]
    of_a, _ = subscribe(world, URL, wanted, name="曹杨", subdistrict=world.subdistrict)
    district, _ = subscribe(world, URL, wanted, name="区平台")
    council = make_council(world)
    assert council.body.subdistrict_id is None  # a district-level council
    meetings.vote_open(actor=council.secretary, meeting=council.held(), question="区级议题")
    assert _types_of(district) == {"meetings.vote_opened"}
    assert _types_of(of_a) == set()

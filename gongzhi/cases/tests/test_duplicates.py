from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.cases import duplicates, services
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.errors import ServiceError
from gongzhi.notifications.models import Notification
from gongzhi.testing.geometry import lnglat


def at_metres(x, y):
    lng, lat = lnglat(x, y)
    return {"lat": lat, "lng": lng}


def test_similarity_prefers_the_same_words():
    a = "兰溪路128弄门口垃圾堆积无人清运"
    assert duplicates.similarity(a, "兰溪路128弄门口垃圾无人清运") > duplicates.similarity(
        a, "枣阳路井盖缺失"
    )
    assert duplicates.similarity(a, a) == pytest.approx(1.0)
    assert duplicates.similarity("", a) == 0.0


def test_candidates_are_nearby_same_group_and_best_first(centre):
    first = centre.intake(description="兰溪路128弄门口垃圾堆积", **at_metres(200, 200))
    near_other_text = centre.intake(description="花坛里有建筑垃圾", **at_metres(230, 200))
    far = centre.intake(description="兰溪路128弄门口垃圾堆积", **at_metres(400, 200))  # 200 m away
    other_group = centre.intake(
        category=centre.manhole,
        type=Case.Type.COMPONENT,
        description="兰溪路128弄门口垃圾堆积",
        **at_metres(205, 200),
    )
    new = services.case_intake(
        actor=centre.world.operator,
        channel=Case.Channel.HOTLINE,
        type=Case.Type.COMPLAINT,
        category=centre.garbage,
        description="兰溪路128弄门口的垃圾堆积很久了",
        **at_metres(210, 205),
    )
    ids = [c.case.pk for c in new.duplicates]
    assert ids[:2] == [first.pk, near_other_text.pk]
    assert far.pk not in ids and other_group.pk not in ids
    assert new.duplicates[0].distance_m < 20 and new.duplicates[0].text_score > 0.5


def test_old_closed_cases_are_not_candidates_but_recent_ones_are(centre):
    with time_machine.travel(timezone.now() - dt.timedelta(days=10), tick=False):
        old = advance(
            centre.intake(description="垃圾堆积", **at_metres(200, 200)), "closed", centre
        )
    recent = advance(centre.intake(description="垃圾堆积", **at_metres(200, 200)), "closed", centre)
    found = duplicates.candidates(
        category_id=centre.garbage.pk, text="垃圾堆积", **at_metres(201, 201)
    )
    ids = [c.case.pk for c in found]
    assert recent.pk in ids and old.pk not in ids


def test_radius_and_window_are_configurable(centre, settings):
    c = centre.intake(description="垃圾", **at_metres(200, 200))
    settings.GONGZHI = {**settings.GONGZHI, "DUPLICATE_RADIUS_M": 20}
    assert (
        duplicates.candidates(category_id=centre.garbage.pk, text="垃圾", **at_metres(230, 200))
        == []
    )
    settings.GONGZHI = {**settings.GONGZHI, "DUPLICATE_RADIUS_M": 50}
    assert [
        x.case.pk
        for x in duplicates.candidates(
            category_id=centre.garbage.pk, text="垃圾", **at_metres(230, 200)
        )
    ] == [c.pk]


def test_merge_keeps_the_reporter_who_then_follows_the_master(
    centre, django_capture_on_commit_callbacks
):
    w = centre.world
    master = centre.intake(description="垃圾堆积", **at_metres(200, 200))
    child = centre.intake(
        description="门口垃圾",
        reporter_user=w.resident_a,
        reporter_phone="13900002222",
        **at_metres(205, 200),
    )
    services.case_file(actor=w.operator, case=master)
    services.case_merge(actor=w.operator, case=child, master=master, note="同一地点同一问题")
    child.refresh_from_db()
    assert (
        child.state == Case.State.MERGED
        and child.merged_into == master
        and child.reporter_user == w.resident_a
    )
    assert CaseEvent.objects.filter(case=master, action="merged_child").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_dispatch(actor=w.operator, case=master, department=w.orgs["chengguan"])
    told = Notification.objects.for_object(child).filter(template="case_dispatched")
    assert told.filter(recipient=w.resident_a, channel="in_app").exists()
    assert told.filter(channel="sms", to_address="13900002222").exists()
    assert child.number in told.get(channel="sms").body  # the reporter's own number, …
    assert master.number in told.get(channel="in_app").body  # … and the case it joined


def test_a_case_cannot_be_merged_into_itself_or_into_a_merged_case(centre):
    a, b, c = centre.intake(), centre.intake(description="二"), centre.intake(description="三")
    with pytest.raises(ServiceError):
        services.case_merge(actor=centre.world.operator, case=a, master=a)
    services.case_merge(actor=centre.world.operator, case=b, master=a)
    with pytest.raises(ServiceError):
        services.case_merge(actor=centre.world.operator, case=c, master=b)


def test_candidates_carry_the_cases_own_fields(centre):
    first = centre.intake(description="垃圾堆积", **at_metres(200, 200))
    services.case_file(actor=centre.world.operator, case=first)
    first.refresh_from_db()
    [found] = duplicates.candidates(
        category_id=centre.garbage.pk, text="垃圾堆积", **at_metres(202, 200)
    )
    c = found.case
    assert (c.pk, c.number, c.state, c.title, c.tracking_code) == (
        first.pk,
        first.number,
        "filed",
        first.title,
        first.tracking_code,
    )
    assert c.get_state_display() == first.get_state_display()
    assert c.urgency == first.urgency  # not scanned: loaded on access

"""Which case events reach which subscriber (event types, department, channel and category group
filters, inactive and archived subscriptions), what the payload says and does not say (no
personal data), overdue flags from the sweep, and subscriptions' validation and secrets."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
import time_machine
from django.utils import timezone

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services as cases
from gongzhi.cases.models import Case
from gongzhi.cases.sweep import sweep
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.errors import ServiceError
from gongzhi.webhooks import services
from gongzhi.webhooks.models import Delivery, EventType, Subscription
from gongzhi.webhooks.payloads import body_bytes
from gongzhi.webhooks.signing import parse, verify
from gongzhi.webhooks.tests.conftest import run_worker, subscribe

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/events"
ALL = list(EventType.values)


def types_for(sub: Subscription, case: Case | None = None) -> list[str]:
    rows = Delivery.objects.filter(subscription=sub).order_by("id")
    if case is not None:
        rows = rows.filter(case=case)
    return list(rows.values_list("event_type", flat=True))


def test_each_subscriber_gets_the_events_it_chose_for_the_cases_it_filters(centre, world):
    everything, _ = subscribe(world, URL, ALL, name="everything")
    dispatched_only, _ = subscribe(world, URL, ["dispatched"], name="dispatch only")
    fangguan, _ = subscribe(world, URL, ALL, name="房管办", department=world.orgs["fangguan"])
    hotline, _ = subscribe(world, URL, ALL, name="hotline", channel="hotline")
    environment, _ = subscribe(
        world, URL, ALL, name="市容环境", category_group=centre.garbage.group
    )
    inactive, _ = subscribe(world, URL, ALL, name="off", active=False)
    archived, _ = subscribe(world, URL, ALL, name="old")
    audit.archive(actor=world.admin, obj=archived)

    garbage = advance(centre.intake(), "closed", centre)  # inspector patrol → 城管中队
    lifecycle = ["received", "filed", "dispatched", "accepted", "handled", "closed"]
    assert types_for(everything, garbage) == lifecycle
    assert types_for(environment, garbage) == lifecycle
    assert types_for(dispatched_only, garbage) == ["dispatched"]
    assert types_for(fangguan, garbage) == []
    assert types_for(hotline, garbage) == []
    assert types_for(inactive) == types_for(archived) == []

    manhole = advance(
        centre.intake(
            category=centre.manhole, channel=Case.Channel.HOTLINE, type=Case.Type.COMPLAINT
        ),
        "dispatched",
        centre,
    )
    # The department filter matches once the case is the department's.
    assert types_for(fangguan, manhole) == ["dispatched"]
    assert types_for(hotline, manhole) == ["received", "filed", "dispatched"]
    assert types_for(environment, manhole) == []


def test_internal_steps_send_nothing_and_rework_reopen_evaluate_do(centre, world):
    sub, _ = subscribe(world, URL, ALL)
    case = advance(centre.intake(), "handled", centre)
    count = Delivery.objects.count()
    cases.case_comment(actor=world.operator, case=case, note="已电话联系处置人")
    assert Delivery.objects.count() == count
    cases.case_verify(actor=world.inspector, case=case, passed=False, note="垃圾仍在")
    cases.case_handle(actor=world.handler, case=case, result="已再次清运")
    cases.case_verify(actor=world.inspector, case=case, passed=True, note="已清理")
    cases.case_evaluate(actor=world.operator, case=case, satisfaction="dissatisfied")
    cases.case_reopen(actor=world.duty_chief, case=case, reason="居民反映仍有堆积")
    assert types_for(sub, case)[-5:] == ["reworked", "handled", "closed", "evaluated", "reopened"]
    evaluated = Delivery.objects.get(event_type="evaluated")
    assert evaluated.payload["data"]["case"]["satisfaction"] == "dissatisfied"


def test_a_merged_case_says_which_case_it_joined(centre, world):
    sub, _ = subscribe(world, URL, ["merged"])
    master = centre.intake()
    child = centre.intake()
    cases.case_merge(actor=world.operator, case=child, master=master)
    [row] = Delivery.objects.filter(subscription=sub)
    assert row.case == child
    assert row.payload["data"]["case"]["merged_into"] == master.number
    assert row.payload["data"]["case"]["state"] == "merged"


def test_the_payload_carries_no_personal_data(centre, world):
    sub, _ = subscribe(world, URL, ALL)
    case = centre.intake(
        channel=Case.Channel.HOTLINE,
        type=Case.Type.COMPLAINT,
        reporter_name="王小明",
        reporter_phone="13912345678",
        reporter_email="wangxm@example.com",
        description="楼下垃圾三天没人收，联系人王小明 13912345678",
        external_ref="12345-0099",
    )
    cases.case_file(actor=world.operator, case=case)
    world.resident.first_name, world.resident.last_name = "丽华", "赵"
    world.resident.save()
    resident_case = centre.intake(
        actor=world.resident,
        channel=Case.Channel.RESIDENT,
        type=Case.Type.COMPLAINT,
        reporter_user=world.resident,
        reporter_phone="13700001111",
    )
    bodies = [body_bytes(d.payload).decode() for d in Delivery.objects.filter(subscription=sub)]
    assert len(bodies) == 3
    for text in bodies:
        for personal in (
            "王小明",
            "13912345678",
            "wangxm@example.com",
            "13700001111",
            "赵",
            case.tracking_code,
            resident_case.tracking_code,
            "楼下垃圾三天没人收",
        ):
            assert personal not in text
        assert "reporter_" not in text and "description" not in text
    assert "赵" in resident_case.events.get(action="receive").actor_label
    received = Delivery.objects.get(case=resident_case).payload["data"]
    assert received["event"]["actor"] == {"kind": "reporter", "label": ""}
    assert received["case"]["tracking_url"] is None


def test_the_tracking_link_only_for_a_subscription_that_asks_for_it(centre, world):
    plain, _ = subscribe(world, URL, ["received"], name="plain")
    linked, _ = subscribe(world, URL, ["received"], name="linked", include_tracking_link=True)
    case = centre.intake()
    assert Delivery.objects.get(subscription=plain).payload["data"]["case"]["tracking_url"] is None
    assert (
        Delivery.objects.get(subscription=linked).payload["data"]["case"]["tracking_url"]
        == f"https://gongzhi.caoyang.example/cases/track/{case.tracking_code}/"
    )


def test_only_public_notes_are_sent(centre, world):
    subscribe(world, URL, ["returned", "handled"])
    case = advance(centre.intake(), "accepted", centre)
    cases.case_return(actor=world.handler, case=case, reason="内部分工调整，请转房管办")
    returned = Delivery.objects.get(event_type="returned").payload["data"]["event"]
    assert returned["note"] is None  # an internal note, not on the tracking page
    case = advance(centre.intake(), "handled", centre)
    handled = Delivery.objects.get(event_type="handled", case=case).payload["data"]["event"]
    assert handled["note"] == "已清运"
    assert handled["actor"] == {"kind": "staff", "label": str(world.handler)}


def test_the_sweep_sends_overdue_events(centre, world):
    sub, _ = subscribe(world, URL, ["overdue"])
    late = centre.intake()
    on_time = centre.intake()
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    sweep()
    [row] = Delivery.objects.filter(subscription=sub)
    assert row.case_id == late.pk and row.case_id != on_time.pk
    event = row.payload["data"]["event"]
    assert event["action"] == "overdue" and event["actor"]["kind"] == "system"
    sweep()  # flagged once per deadline
    assert Delivery.objects.filter(subscription=sub).count() == 1


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://10.0.0.5/in", ["filed"], "url"),
        ("not an address", ["filed"], "url"),
        ("http://user:secret@10.0.0.5/in", ["filed"], "url"),
        ("http://10.0.0.5:99999/in", ["filed"], "url"),
        ("http:///in", ["filed"], "url"),
        ("http://bad_host/in", ["filed"], "url"),
        ("http://10.0.0.5/in", [], "event_types"),
        ("http://10.0.0.5/in", ["filed", "exploded"], "event_types"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_message(world, url, events, field):
    with pytest.raises(ServiceError) as refused:
        subscribe(world, url, events)
    assert field in refused.value.field_errors
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.20.0.8/gongzhi/events",
        "https://gw-12345:8443/hooks?source=gongzhi",
        "http://[fd00::8]:8080/in",
        "https://rx.putuo.gov.example/in",
    ],
)
def test_intranet_addresses_are_accepted(world, url):
    sub, _ = subscribe(world, url, ["filed"])
    assert sub.url == url


def test_secrets_stay_out_of_the_audit_trail_and_the_logs(centre, world, receiver, caplog):
    r = receiver(default=500)
    sub, secret = subscribe(world, r.url, ["received"])
    assert secret.startswith("whsec_") and len(secret) > 40
    new = services.subscription_rotate_secret(actor=world.admin, subscription=sub)
    services.subscription_update(actor=world.admin, subscription=sub, name="区城运中心")
    with caplog.at_level(logging.DEBUG):
        centre.intake()
        run_worker()
    assert r.received and Delivery.objects.get().status == Delivery.Status.FAILED
    trail = json.dumps(
        list(AuditEvent.objects.values("changes", "note", "object_repr")), ensure_ascii=False
    )
    assert "区城运中心" in trail and "secret rotated" in trail
    for value in (secret, new):
        assert value not in trail and value not in caplog.text
    assert "v1=" not in caplog.text


def test_after_a_rotation_both_secrets_sign_for_a_day(centre, world, receiver):
    r = receiver()
    sub, old = subscribe(world, r.url, ["received"])
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        new = services.subscription_rotate_secret(actor=world.admin, subscription=sub)
        centre.intake()
        run_worker()
        first = r.received[-1]
        assert len(parse(first.signature)[1]) == 2
        assert verify(new, first.signature, first.body) and verify(old, first.signature, first.body)
        clock.shift(dt.timedelta(hours=25))
        centre.intake()
        run_worker()
        later = r.received[-1]
        assert len(parse(later.signature)[1]) == 1
        assert verify(new, later.signature, later.body)
        with pytest.raises(ValueError):
            verify(old, later.signature, later.body)

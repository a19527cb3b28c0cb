"""Delivery to a receiving system (a local HTTP server): signed so the receiver can verify it,
written with the case change and sent only after it commits, retried with backoff when the
receiver answers 500 or does not answer in time, dead after a day, sent again by hand with the
same id; and a receiver that hangs never slows intake."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases import services as cases
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import advance
from gongzhi.core.models import Task
from gongzhi.webhooks import delivery, services
from gongzhi.webhooks.models import Delivery, DeliveryAttempt
from gongzhi.webhooks.signing import verify
from gongzhi.webhooks.tests.conftest import Hang, run_worker, subscribe

pytestmark = pytest.mark.django_db

S = Delivery.Status
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_filed_case_reaches_the_receiver_signed_and_verifiable(centre, world, receiver):
    r = receiver()
    sub, secret = subscribe(world, r.url, ["filed"])
    case = centre.intake()
    cases.case_file(actor=world.operator, case=case)
    assert r.received == []  # nothing is sent until a worker picks it up
    run_worker()
    [got] = r.received
    # The receiver checks the signature with the shared secret, on the raw body.
    assert verify(secret, got.signature, got.body) > 0
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-Gongzhi-Event"] == "case.filed"
    row = Delivery.objects.get()
    assert got.delivery_id == str(row.event_id)
    event = got.json()
    assert event["id"] == str(row.event_id) and event["type"] == "case.filed"
    data = event["data"]
    assert data["case"]["number"] == case.number
    assert data["case"]["state"] == "filed"
    assert data["case"]["category"] == {"code": "E0102", "name": "暴露垃圾"}
    assert data["case"]["grid"] == world.grids["a1"].code
    assert data["case"]["lat"] == pytest.approx(case.lat)
    assert data["event"]["action"] == "file"
    assert data["event"]["actor"] == {"kind": "staff", "label": str(world.operator)}
    row.refresh_from_db()
    assert row.status == S.SUCCEEDED and row.attempts == 1 and row.last_status_code == 200
    assert row.delivered_at is not None and row.last_duration_ms is not None
    [log] = row.log.all()
    assert log.status_code == 200 and log.succeeded and log.error == ""


def test_nothing_is_queued_when_the_case_change_rolls_back(centre, world, receiver):
    r = receiver()
    subscribe(world, r.url, ["filed", "received"])
    case = centre.intake()
    before = Delivery.objects.count()
    tasks_before = Task.objects.filter(name="webhooks.deliver").count()

    class Oops(Exception):
        pass

    with pytest.raises(Oops), transaction.atomic():
        cases.case_file(actor=world.operator, case=case)
        assert Delivery.objects.count() == before + 1  # written with the change …
        raise Oops
    # … and gone with it.
    assert Delivery.objects.count() == before
    assert Task.objects.filter(name="webhooks.deliver").count() == tasks_before
    run_worker()
    assert [g.json()["type"] for g in r.received] == ["case.received"]


def test_with_the_immediate_backend_it_is_sent_only_when_the_transaction_commits(
    centre, world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS_BACKEND = "immediate"
    r = receiver()
    subscribe(world, r.url, ["dispatched"])
    case = advance(centre.intake(), "filed", centre)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cases.case_dispatch(actor=world.operator, case=case, department=world.orgs["chengguan"])
    assert r.received == [] and Delivery.objects.get().status == S.PENDING
    for callback in callbacks:
        callback()
    assert [g.json()["type"] for g in r.received] == ["case.dispatched"]
    assert Delivery.objects.get().status == S.SUCCEEDED


def test_a_receiver_that_answers_500_is_retried_with_backoff_and_then_succeeds(
    centre, world, receiver
):
    r = receiver([500, 200])
    sub, secret = subscribe(world, r.url, ["filed"])
    with time_machine.travel(START, tick=False) as clock:
        case = centre.intake()
        cases.case_file(actor=world.operator, case=case)
        run_worker()
        row = Delivery.objects.get()
        assert row.status == S.FAILED and row.last_status_code == 500
        assert "HTTP 500" in row.last_error and "receiver is unwell" in row.last_error
        assert row.next_attempt_at == timezone.now() + dt.timedelta(seconds=30)
        clock.shift(dt.timedelta(seconds=20))
        run_worker()
        assert len(r.received) == 1  # not before the backoff has passed
        clock.shift(dt.timedelta(seconds=15))
        run_worker()  # the retry task finds it due and queues it; the worker sends it
    row.refresh_from_db()
    assert row.status == S.SUCCEEDED and row.attempts == 2 and row.last_status_code == 200
    assert [a.status_code for a in row.log.all()] == [500, 200]
    first, second = r.received
    assert first.delivery_id == second.delivery_id == str(row.event_id)
    assert first.body == second.body
    assert first.signature != second.signature  # signed afresh at each try
    assert verify(secret, second.signature, second.body, now=second.at)


def test_a_receiver_that_times_out_is_retried(centre, world, receiver):
    r = receiver([Hang(5), 200])
    subscribe(world, r.url, ["filed"])
    with time_machine.travel(START, tick=False) as clock:
        # The periodic tasks due at START first (the month's reports among them), so that the
        # worker timed below sends the delivery and nothing else.
        run_worker()
        cases.case_file(actor=world.operator, case=centre.intake())
        started = time.monotonic()
        run_worker()
        assert time.monotonic() - started < 3  # cut off at the 1 s limit, not 5 s
        row = Delivery.objects.get()
        assert row.status == S.FAILED and row.last_status_code is None
        assert "timed out" in row.last_error
        clock.shift(dt.timedelta(seconds=31))
        run_worker()
    row.refresh_from_db()
    assert row.status == S.SUCCEEDED and row.attempts == 2
    assert len(r.received) == 2


def test_an_unreachable_receiver_is_retried_too(centre, world):
    subscribe(world, "http://127.0.0.1:9/gone", ["filed"])
    cases.case_file(actor=world.operator, case=centre.intake())
    run_worker()
    row = Delivery.objects.get()
    assert row.status == S.FAILED and "connection failed" in row.last_error


def test_after_a_day_of_failures_the_delivery_is_dead(centre, world, receiver):
    r = receiver(default=503)
    subscribe(world, r.url, ["filed"])
    with time_machine.travel(START, tick=False) as clock:
        cases.case_file(actor=world.operator, case=centre.intake())
        run_worker()
        row = Delivery.objects.get()
        created = row.created_at
        for _ in range(60):
            row.refresh_from_db()
            if row.status == S.DEAD:
                break
            clock.move_to(row.next_attempt_at + dt.timedelta(seconds=1))
            run_worker()
    row.refresh_from_db()
    assert row.status == S.DEAD and row.next_attempt_at is None
    times = list(row.log.values_list("at", flat=True))
    gaps = [round((b - a).total_seconds()) for a, b in zip(times, times[1:], strict=False)]
    # 30 s, 1 min, 2 min, 4 min … at most an hour apart; retried for a day, not longer.
    assert gaps[:5] == [31, 61, 121, 241, 481]
    assert max(gaps) <= 3601
    assert dt.timedelta(hours=24) <= times[-1] - created <= dt.timedelta(hours=24, minutes=1)
    assert len(r.received) == row.attempts == len(times)
    # A dead delivery is not tried again by the retry task.
    with time_machine.travel(times[-1] + dt.timedelta(hours=2), tick=False):
        run_worker()
    assert len(r.received) == row.attempts


def test_a_manual_resend_keeps_the_delivery_id(centre, world, receiver):
    r = receiver([500], default=200)
    sub, secret = subscribe(world, r.url, ["filed"])
    cases.case_file(actor=world.operator, case=centre.intake())
    run_worker()
    row = Delivery.objects.get()
    assert row.status == S.FAILED
    services.delivery_resend(actor=world.admin, delivery=row)
    run_worker()
    row.refresh_from_db()
    assert row.status == S.SUCCEEDED and row.attempts == 2
    assert [g.delivery_id for g in r.received] == [str(row.event_id)] * 2
    assert [a.manual for a in row.log.all()] == [False, True]
    # Even a delivery that succeeded may be sent again (the receiver lost it).
    services.delivery_resend(actor=world.admin, delivery=row)
    run_worker()
    assert len(r.received) == 3 and r.received[2].delivery_id == str(row.event_id)
    assert verify(secret, r.received[2].signature, r.received[2].body)


def test_two_queued_sends_of_one_delivery_send_it_once(centre, world, receiver):
    r = receiver()
    subscribe(world, r.url, ["filed"])
    cases.case_file(actor=world.operator, case=centre.intake())
    row = Delivery.objects.get()
    from gongzhi.core import tasks

    tasks.enqueue("webhooks.deliver", delivery_id=row.pk)  # e.g. by the retry task
    run_worker()
    assert len(r.received) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_a_deactivated_subscription_gets_nothing_more(centre, world, receiver):
    r = receiver()
    sub, _ = subscribe(world, r.url, ["filed", "dispatched"])
    case = advance(centre.intake(), "filed", centre)  # queued, not yet sent
    services.subscription_update(actor=world.admin, subscription=sub, active=False)
    cases.case_dispatch(actor=world.operator, case=case, department=world.orgs["chengguan"])
    run_worker()
    assert r.received == []
    row = Delivery.objects.get()  # only the one made while it was active
    assert row.status == S.DEAD and "inactive" in row.last_error
    with pytest.raises(Exception, match="已停用：请先启用再重新发送"):
        services.delivery_resend(actor=world.admin, delivery=row)


def test_intake_returns_at_once_while_the_receiver_hangs(client, centre, world, receiver, settings):
    settings.WEBHOOKS_TIMEOUT = 10
    settings.WEBHOOKS_CONNECT_TIMEOUT = 5
    r = receiver(default=Hang(30))
    subscribe(world, r.url, ["received", "filed"])
    lat, lng = centre.point_in("a2")
    client.force_login(world.operator)
    started = time.monotonic()
    response = client.post(
        reverse("cases:intake"),
        {
            "channel": "hotline",
            "type": "complaint",
            "category": centre.garbage.pk,
            "urgency": "normal",
            "description": "杏梅园二村门口垃圾没人收",
            "lat": lat,
            "lng": lng,
            "external_ref": "12345-0042",
        },
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"intake took {elapsed:.1f} s"
    assert r.received == []  # the request did not even try to reach the receiver
    case = Case.objects.get(external_ref="12345-0042")
    row = Delivery.objects.get(case=case)
    assert row.status == S.PENDING and row.event_type == "received"
    assert Task.objects.filter(name="webhooks.deliver", kwargs={"delivery_id": row.pk}).exists()


def test_the_retry_task_picks_up_a_delivery_whose_own_task_was_lost(centre, world, receiver):
    r = receiver()
    subscribe(world, r.url, ["filed"])
    with time_machine.travel(START, tick=False) as clock:
        cases.case_file(actor=world.operator, case=centre.intake())
        Task.objects.filter(name="webhooks.deliver").delete()  # the queue lost it
        clock.shift(delivery.PENDING_GRACE + dt.timedelta(seconds=1))
        run_worker()
    assert len(r.received) == 1
    assert Delivery.objects.get().status == S.SUCCEEDED


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    until = START + dt.timedelta(hours=24)
    assert (
        delivery.next_attempt(failures=9, now=until - dt.timedelta(minutes=10), retry_until=until)
        == until
    )
    assert delivery.next_attempt(failures=9, now=until, retry_until=until) is None

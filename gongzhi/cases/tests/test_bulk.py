"""The bulk intake (gongzhi.cases.bulk) files what `case_intake` files, row for row: the same
cases (numbers, routing, inspector, deadlines in working days), timeline, audit trail, events
and what the listeners write from them (the duty chief's page of an urgent case, webhook
deliveries, the cockpit's daily figures); idempotent by work-order number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import bulk, intake, services
from gongzhi.cases.models import Case, CaseCounter, CaseEvent
from gongzhi.core import events
from gongzhi.notifications.models import Notification

NOW = dt.datetime(2026, 10, 9, 10, 0, tzinfo=dt.UTC)  # the Friday after the National Day week
TZ = timezone.get_default_timezone()


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def reports(centre: Any) -> list[dict[str, Any]]:
    """Reports of every kind an import or a channel brings."""
    out: list[dict[str, Any]] = []
    for i in range(12):
        lat, lng = centre.point_in(["a1", "a2", "b1", "b2"][i % 4])
        out.append(
            {
                "channel": Case.Channel.HOTLINE,
                "type": Case.Type.COMPLAINT,
                "category": [centre.garbage, centre.manhole, centre.consult][i % 3],
                "description": f"第{i}号工单：小区门口垃圾无人清运",
                "title": f"工单{i}",
                "external_ref": f"SH-{i:04d}",
                "reporter_name": "张三",
                "reporter_phone": "13812345678" if i % 2 else "",
                "urgency": Case.Urgency.URGENT if i % 5 == 0 else Case.Urgency.NORMAL,
                # Across the National Day holiday and its make-up working day, and a new year.
                "received_at": [
                    local(2026, 9, 30, 17, 30),
                    local(2026, 10, 1, 9, 0),
                    local(2025, 12, 31, 23, 50),
                    local(2026, 10, 9, 8, 15),
                ][i % 4],
                **({"lat": lat, "lng": lng} if i % 3 else {"address": "兰溪路100弄"}),
            }
        )
    out.append(  # a patrol report without a number, received now
        {
            "channel": Case.Channel.INSPECTOR,
            "type": Case.Type.EVENT,
            "category": centre.garbage,
            "description": "兰溪路垃圾箱旁暴露垃圾堆积",
            "lat": centre.point_in("b2")[0],
            "lng": centre.point_in("b2")[1],
        }
    )
    out.append({**out[3], "description": "同一工单又推送了一次"})  # a number seen in the batch
    return out


def state() -> dict[str, Any]:
    """Everything the intake wrote, without the keys the database chose."""
    numbers = dict(Case.objects.values_list("pk", "number"))
    cases = [
        {k: v for k, v in row.items() if k not in ("id", "tracking_code")}
        for row in Case.objects.order_by("number").values()
    ]
    timeline = sorted(
        (numbers[r.case_id], r.action, r.to_state, r.public, r.at, repr(r.data), r.actor_label)
        for r in CaseEvent.objects.all()
    )
    trail = sorted(
        (
            r.action,
            r.object_repr,
            r.actor_label,
            r.at,
            repr({k: v for k, v in r.changes.items() if k not in ("id", "tracking_code")}),
        )
        for r in AuditEvent.objects.filter(object_id__in=[str(pk) for pk in numbers])
    )
    notices = sorted(  # the duty chief's pages
        (n.channel, n.template, n.to_address, n.body, n.target_repr)
        for n in Notification.objects.all()
    )
    return {
        "cases": cases,
        "timeline": timeline,
        "audit": trail,
        "notices": notices,
        "counters": list(CaseCounter.objects.order_by("year").values_list("year", "last")),
    }


class Rollback(Exception):
    pass


@pytest.fixture
def heard():
    """The case events every listener hears, in the order they were published."""
    got: list[tuple[str, dict[str, Any]]] = []

    @events.subscribe("case.*", key="tests.bulk.heard")
    def listen(event: events.Event) -> None:
        got.append((event.name, dict(event.data)))

    yield got
    events.unsubscribe(listen)


def _heard(got: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
    numbers = dict(Case.objects.values_list("pk", "number"))
    return [
        (name, numbers[d["case_id"]], d["urgent"], d["reporter_contact"], d["action"])
        for name, d in got
    ]


@pytest.mark.parametrize("copy_rows", [bulk.COPY_ROWS, 1], ids=["insert", "copy"])
@time_machine.travel(NOW, tick=False)
def test_a_bulk_intake_files_exactly_what_case_intake_files_one_by_one(
    centre, heard, monkeypatch, copy_rows
):
    # On PostgreSQL, large batches go by COPY: with copy_rows=1 every batch does.
    monkeypatch.setattr(bulk, "COPY_ROWS", copy_rows)
    w = centre.world
    services.case_intake(actor=w.operator, **reports(centre)[5])  # already filed before
    services.case_intake(actor=w.operator, **reports(centre)[0] | {"external_ref": "OTHER"})
    heard.clear()
    checked = [intake.check(actor=w.operator, **r) for r in reports(centre)]

    try:
        with transaction.atomic():
            one = [
                services.case_intake(actor=w.operator, checked=c, find_duplicates=False)
                for c in checked
            ]
            one_state, one_heard = state(), _heard(heard)
            raise Rollback
    except Rollback:
        pass
    heard.clear()
    many = bulk.case_intake_many(actor=w.operator, checked=checked)
    many_state, many_heard = state(), _heard(heard)

    assert [r.created for r in many] == [r.created for r in one]
    assert [r.case.number for r in many] == [r.case.number for r in one]
    assert many_state["cases"] == one_state["cases"]
    assert many_state["timeline"] == one_state["timeline"]
    assert many_state["audit"] == one_state["audit"]
    assert many_state["notices"] == one_state["notices"]
    assert many_state["counters"] == one_state["counters"]
    assert many_heard == one_heard
    # What the comparison covers is there: routing, deadlines, numbers of two years, pages.
    assert [r.created for r in many].count(False) == 2  # filed before; seen earlier in the batch
    assert {c["number"][:6] for c in many_state["cases"]} == {"CY2025", "CY2026"}
    assert {c["grid_id"] for c in many_state["cases"]} > {None}
    assert {c["inspector_id"] for c in many_state["cases"]} > {None}
    assert len({c["due_at"] for c in many_state["cases"]}) >= 4
    assert many_state["notices"], "an urgent case pages the duty chief"


@time_machine.travel(NOW, tick=False)
def test_numbers_follow_on_from_case_intake_and_batches(centre, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 3)
    w = centre.world
    first = centre.intake()
    rows = [
        intake.check(actor=w.operator, **r | {"external_ref": f"N-{i}", "received_at": None})
        for i, r in enumerate(reports(centre)[:7])
    ]
    many = bulk.case_intake_many(actor=w.operator, checked=rows)
    last = centre.intake()
    n = int(first.number.rsplit("-", 1)[1])
    assert [r.case.number for r in many] == [f"CY2026-{n + i:06d}" for i in range(1, 8)]
    assert last.number == f"CY2026-{n + 8:06d}"


@time_machine.travel(NOW, tick=False)
def test_the_same_batch_again_changes_nothing(centre):
    w = centre.world
    rows = [intake.check(actor=w.operator, **r) for r in reports(centre)[:6]]
    bulk.case_intake_many(actor=w.operator, checked=rows)
    counts = Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()
    again = bulk.case_intake_many(actor=w.operator, checked=rows)
    assert not any(r.created for r in again)
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == counts


@time_machine.travel(NOW, tick=False)
def test_a_failure_inside_the_batch_leaves_nothing(centre, monkeypatch):
    w = centre.world
    rows = [intake.check(actor=w.operator, **r) for r in reports(centre)[:6]]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    # After the cases, timeline and audit rows are written: the events fail.
    monkeypatch.setattr(bulk.events, "publish_many", broken)
    with pytest.raises(RuntimeError):
        bulk.case_intake_many(actor=w.operator, checked=rows)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="create", object_repr__startswith="CY").exists()
    assert not CaseCounter.objects.filter(last__gt=0).exists()


@time_machine.travel(NOW, tick=False)
def test_webhook_subscribers_get_the_deliveries_case_intake_gives_them(centre):
    from gongzhi.webhooks.models import Delivery
    from gongzhi.webhooks.tests.conftest import subscribe

    w = centre.world
    subscribe(w, "http://127.0.0.1:9/events", ["received"], name="all")
    subscribe(w, "http://127.0.0.1:9/events", ["received"], name="hotline", channel="hotline")
    checked = [intake.check(actor=w.operator, **r) for r in reports(centre)]

    def deliveries() -> list[tuple[str, str, str, Any]]:
        return sorted(
            (
                d.subscription.name,
                d.event_type,
                d.case.number,
                sorted(k for k in d.payload if k not in ("id", "event_id")),
            )
            for d in Delivery.objects.select_related("subscription", "case")
        )

    try:
        with transaction.atomic():
            for c in checked:
                services.case_intake(actor=w.operator, checked=c, find_duplicates=False)
            one = deliveries()
            raise Rollback
    except Rollback:
        pass
    bulk.case_intake_many(actor=w.operator, checked=checked)
    assert deliveries() == one
    assert {d[0] for d in one} == {"all", "hotline"} and len(one) > 13

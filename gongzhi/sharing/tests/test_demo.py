"""The demo's sharing stage: the school's car park for 杏梅园 with 40 spaces, 70 applications, a
lottery that re-runs to its result, permits, two months of gate log with a few violations (one
permit suspended), and halls with bookings; counted in the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.summary import subdistrict_summary
from gongzhi.demo.seed import seed_demo
from gongzhi.sharing import services
from gongzhi.sharing.models import Draw, GateEvent, Permit, SharedResource, Violation

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))


@pytest.mark.slow
def test_the_demo_car_park(db):
    result = seed_demo(seed=3, options={"cases": 50}, now=NOW)
    assert result.created
    car_park = SharedResource.objects.get(kind="car_park")
    assert car_park.owner.name == "曹杨二中附属学校"
    assert car_park.capacity == 40
    assert [a.name for a in car_park.areas.all()] == ["杏梅园居民区"]
    assert car_park.applications.count() == 70
    draw = Draw.objects.get(resource=car_park)
    assert len(draw.result["allocated"]) == 40
    assert services.redraw(draw).same
    states = list(Permit.objects.filter(resource=car_park).values_list("state", flat=True))
    assert len(states) == 41  # 40 drawn, one revoked and given to the first on the waiting list
    assert states.count("revoked") == 1
    assert 1 <= states.count("suspended") <= 3
    assert 3 <= Violation.objects.count() <= 12
    assert Violation.objects.filter(appeal="pending").exists()
    assert GateEvent.objects.filter(resource=car_park).count() > 1000
    assert GateEvent.objects.filter(verdict="refused").exists()
    assert SharedResource.objects.filter(kind__in=("hall", "room")).count() == 2
    counts = subdistrict_summary()
    assert counts["sharing_resources"] == 3
    assert counts["parking_applications"] == 70
    assert counts["permits"] == Permit.objects.count()
    assert counts["gate_checks"] == GateEvent.objects.count()
    assert counts["bookings"] >= 8
    # Written by the demo logins through the services, marked as the seed's in the trail.
    from gongzhi.audit.models import AuditEvent

    assert (
        not AuditEvent.objects.filter(actor__isnull=False).exclude(request_id="seed_demo").exists()
    )

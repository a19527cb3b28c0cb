"""The lottery: same seed → same result, priority rules first, nobody twice, capacity kept; the
published inputs re-run to the recorded result (also through `manage.py sharing_redraw`)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.core.errors import ServiceError
from gongzhi.sharing import lottery, services
from gongzhi.sharing.models import Draw, Permit, PermitApplication

from .factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db

P_FROM, P_TO = dt.date(2027, 1, 1), dt.date(2027, 6, 30)


def inputs(n, spaces, seed="s", rules=("served_area",), served=()):
    return {
        "seed": seed,
        "spaces": spaces,
        "rules": list(rules),
        "applications": [
            {"id": i, "plate_key": f"p{i}", "flags": {"served_area": i in served}}
            for i in range(1, n + 1)
        ],
    }


def test_same_seed_same_result_and_another_seed_another():
    a = lottery.allocate(inputs(30, 10, seed="2027春"))
    assert a == lottery.allocate(inputs(30, 10, seed="2027春"))
    assert a["allocated"] != lottery.allocate(inputs(30, 10, seed="2027秋"))["allocated"]


def test_capacity_and_nobody_twice():
    data = inputs(30, 10)
    data["applications"][5]["plate_key"] = "p1"  # the same car applied twice
    data["applications"][7]["person"] = data["applications"][8]["person"] = "same person"
    result = lottery.allocate(data)
    assert len(result["allocated"]) == 10
    assert len(set(result["allocated"])) == 10
    assert not set(result["allocated"]) & set(result["waitlist"])
    placed = set(result["allocated"]) | set(result["waitlist"])
    assert not {1, 6} <= placed
    assert not {8, 9} <= placed
    assert len(result["duplicates"]) == 2


def test_priority_rules_come_before_the_shuffle():
    served = {3, 9, 14, 20, 27}
    result = lottery.allocate(inputs(30, 8, served=served))
    assert set(result["allocated"][:5]) == served
    # With fewer spaces than the tier, only its members win.
    assert set(lottery.allocate(inputs(30, 3, served=served))["allocated"]) <= served


def test_fewer_applications_than_spaces_all_win():
    result = lottery.allocate(inputs(5, 40))
    assert sorted(result["allocated"]) == [1, 2, 3, 4, 5]
    assert result["waitlist"] == []


def _apply(car_park, world, n):
    return [
        ApplicationFactory(
            resource=car_park,
            residential_area=world.area_a if i % 3 else world.area_b,
            proof_note="房产证" if i % 2 else "",
        )
        for i in range(n)
    ]


def test_draw_issues_permits_and_publishes_its_inputs(world, car_park):
    car_park.capacity = 10
    car_park.save()
    apps = _apply(car_park, world, 25)
    draw = services.draw_run(
        actor=world.liaison, resource=car_park, period_from=P_FROM, period_to=P_TO, seed="abc"
    )
    assert draw.spaces == 10 and len(draw.inputs["applications"]) == 25
    assert all("***" in a["plate"] for a in draw.inputs["applications"])  # masked
    permits = Permit.objects.filter(draw=draw)
    assert permits.count() == 10
    assert {p.application_id for p in permits} == set(draw.result["allocated"])
    states = dict(PermitApplication.objects.values_list("id", "state"))
    assert sum(s == "allocated" for s in states.values()) == 10
    assert sum(s == "waitlisted" for s in states.values()) == 15
    # Served-area applicants (two in three) fill the spaces before the others.
    served = {a.pk for a in apps if a.residential_area_id == world.area_a.pk}
    assert set(draw.result["allocated"]) <= served
    assert services.redraw(draw).same


def test_draw_counts_only_free_spaces(world, car_park):
    car_park.capacity = 3
    car_park.save()
    PermitFactory(resource=car_park, valid_from=P_FROM, valid_to=P_TO)
    _apply(car_park, world, 5)
    draw = services.draw_run(
        actor=world.liaison, resource=car_park, period_from=P_FROM, period_to=P_TO, seed="x"
    )
    assert draw.spaces == 2
    assert Permit.objects.filter(resource=car_park, state="active").count() == 3


def test_redraw_command_says_same_or_different(world, car_park):
    _apply(car_park, world, 5)
    draw = services.draw_run(
        actor=world.liaison, resource=car_park, period_from=P_FROM, period_to=P_TO, seed="x"
    )
    out = StringIO()
    call_command("sharing_redraw", draw.pk, stdout=out)
    assert "SAME" in out.getvalue()
    tampered = dict(draw.result, allocated=list(reversed(draw.result["allocated"])))
    Draw.objects.filter(pk=draw.pk).update(result=tampered)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("sharing_redraw", draw.pk, stdout=out)
    assert "DIFFERENT" in out.getvalue()


def test_draw_refusals(world, car_park):
    with pytest.raises(ServiceError):
        services.draw_run(
            actor=world.liaison, resource=car_park, period_from=P_FROM, period_to=P_TO, seed="x"
        )  # nobody applied
    _apply(car_park, world, 2)
    for kwargs in ({"seed": " "}, {"rules": ["richest"]}, {"period_to": dt.date(2026, 1, 1)}):
        args = {"seed": "x", "period_to": P_TO, **kwargs}
        with pytest.raises(ServiceError):
            services.draw_run(actor=world.liaison, resource=car_park, period_from=P_FROM, **args)
    assert not Draw.objects.exists()


def test_application_refusals(world, car_park):
    services.application_submit(
        actor=world.resident_a,
        resource=car_park,
        name="居民甲",
        residential_area=world.area_a,
        plate="沪a 12345",
        applicant_user=world.resident_a,
    )
    with pytest.raises(ServiceError, match="沪A12345"):
        services.application_submit(
            actor=world.resident_a,
            resource=car_park,
            name="居民甲",
            residential_area=world.area_a,
            plate="沪A·12345",
        )
    with pytest.raises(ServiceError):
        services.application_submit(
            actor=world.resident_a,
            resource=car_park,
            name="居民甲",
            residential_area=world.area_a,
            plate="12345",
        )
    assert PermitApplication.objects.count() == 1

"""An installation serving two subdistricts: each subdistrict's centre has its own roster and
log; a duty chief of A sees and changes A's only and cannot put B's staff on A's shifts; the
district level reads both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.duty import selectors, services
from gongzhi.duty.models import Shift, ShiftLogEntry
from gongzhi.duty.tests.factories import default_patterns
from gongzhi.testing.second_subdistrict import build_second_subdistrict

from .conftest import at

DAY = dt.date(2026, 12, 15)
NOW = at(2026, 12, 1, 9)


@pytest.fixture
def two(world):
    b = build_second_subdistrict()
    default_patterns()
    return world, b


def _roster(actor, chief, operator):
    return services.roster_generate(
        actor=actor,
        start=DAY,
        days=1,
        rotation=services.Rotation(chiefs=[chief], operators=[operator], operators_per_shift=1),
        now=NOW,
    )


def test_each_centre_has_its_own_roster(client, two):
    world, b = two
    bu = b.users
    _roster(world.duty_chief, world.duty_chief.person, world.operator.person)
    _roster(bu["duty_chief"], bu["duty_chief"].person, bu["operator"].person)
    assert Shift.objects.filter(subdistrict=world.subdistrict).count() == 2
    assert Shift.objects.filter(subdistrict=b.subdistrict).count() == 2
    # B's people are not A's centre's staff.
    with pytest.raises(ServiceError):
        _roster(world.duty_chief, bu["duty_chief"].person, world.operator.person)
    b_shift = Shift.objects.filter(subdistrict=b.subdistrict).first()
    with pytest.raises(NotAllowed):
        services.assignment_create(
            actor=world.duty_chief,
            shift=b_shift,
            person=world.operator.person,
            role="operator",
            now=NOW,
        )
    mine = perms.visible(world.duty_chief, Shift)
    assert set(mine.values_list("subdistrict_id", flat=True)) == {world.subdistrict.pk}
    assert perms.visible(bu["district_leader"], Shift).count() == 4
    client.force_login(world.duty_chief)
    page = client.get(reverse("duty:roster"), {"week": DAY.isoformat()}).content.decode()
    assert world.duty_chief.person.name in page and bu["duty_chief"].person.name not in page
    assert client.get(reverse("duty:shift", args=[b_shift.pk])).status_code == 404


def test_each_centre_writes_its_own_log(two):
    world, b = two
    services.log_write(actor=b.users["operator"], text="长风：井盖缺失已报", now=NOW)
    services.log_write(actor=world.operator, text="曹杨：巡查正常", now=NOW)
    entries = {e.text: e.subdistrict_id for e in ShiftLogEntry.objects.all()}
    assert entries == {
        "长风：井盖缺失已报": b.subdistrict.pk,
        "曹杨：巡查正常": world.subdistrict.pk,
    }
    centre_a = selectors.centre_of(selectors.access_for(world.operator))
    log_a = selectors.shift_log(since=NOW - dt.timedelta(hours=1), subdistrict_id=centre_a)
    assert [e.text for e in log_a] == ["曹杨：巡查正常"]
    seen = perms.visible(world.duty_chief, ShiftLogEntry).values_list("text", flat=True)
    assert list(seen) == ["曹杨：巡查正常"]

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.roles import Role
from gongzhi.org.access import compute_access
from gongzhi.org.models import Position

EXPECTED = {
    "operator": {Role.OPERATOR},
    "duty_chief": {Role.OPERATOR, Role.DUTY_CHIEF},
    "handler": {Role.DEPARTMENT},
    "inspector": {Role.INSPECTOR},
    "secretary": {Role.AREA},
    "liaison": {Role.LIAISON},
    "service_staff": {Role.SERVICE_STAFF},
    "leader": {Role.LEADER},
    "auditor": {Role.AUDITOR},
    "admin": {Role.ADMIN},
    "resident": set(),
}


@pytest.mark.parametrize("persona,roles", EXPECTED.items())
def test_roles_come_from_positions(world, persona, roles):
    access = compute_access(getattr(world, persona))
    assert access.roles == frozenset(roles | {Role.RESIDENT})


def test_scopes_follow_the_position_organisation(world):
    assert compute_access(world.handler).department_ids == {world.orgs["chengguan"].pk}
    assert compute_access(world.secretary).area_ids == {world.area_a.pk}
    assert compute_access(world.inspector).station_ids == {world.station_a.pk}
    assert compute_access(world.liaison).unit_ids == {world.orgs["school"].pk}
    assert compute_access(world.leader).whole_subdistrict
    assert not compute_access(world.secretary).whole_subdistrict


def test_a_finished_term_gives_no_role(world):
    Position.objects.filter(person=world.secretary.person).update(ends_on=dt.date(2020, 1, 1))
    assert compute_access(world.secretary).roles == {Role.RESIDENT}


def test_an_archived_position_gives_no_role(world):
    from django.utils import timezone

    Position.objects.filter(person=world.handler.person).update(archived_at=timezone.now())
    assert Role.DEPARTMENT not in compute_access(world.handler).roles

"""Audit rows carry the subdistrict they are about (their object's, its case's, area's or
organisation's, else the acting staff member's); an auditor of one subdistrict reads its rows
and those of none (the district's and the installation's), a district auditor reads all. The
users' list narrows the same way."""

from __future__ import annotations

import pytest

from gongzhi.accounts.models import User
from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import permissions as perms
from gongzhi.org.tests.factories import PositionFactory
from gongzhi.testing.second_subdistrict import build_second, fresh

pytestmark = pytest.mark.django_db


def test_rows_carry_their_subdistrict_and_auditors_read_their_own(world):
    two = build_second()
    for u in world.users.values():
        fresh(u)
    a = audit.record(actor=world.admin, action="update", obj=world.orgs["branch_a"])
    b = audit.record(actor=two.users["cf_admin"], action="update", obj=two.orgs["centre"])
    by_actor = audit.record(actor=two.users["cf_operator"], action="login")
    system = audit.record(actor=None, action="import", object_repr="seed")
    place = audit.record(actor=None, action="update", obj=two.area)
    assert (a.subdistrict_id, b.subdistrict_id) == (world.subdistrict.pk, two.subdistrict.pk)
    assert by_actor.subdistrict_id == two.subdistrict.pk
    assert place.subdistrict_id == two.subdistrict.pk
    assert system.subdistrict_id is None

    def read(user):
        return set(perms.visible(fresh(user), AuditEvent).values_list("pk", flat=True))

    assert read(world.auditor) == {a.pk, system.pk}
    assert read(two.users["cf_auditor"]) == {b.pk, by_actor.pk, place.pk, system.pk}
    PositionFactory(person=two.district_leader.person, organisation=two.district, role="auditor")
    assert read(two.district_leader) >= {a.pk, b.pk, by_actor.pk, place.pk, system.pk}


def test_administrators_see_their_subdistricts_users(world):
    two = build_second()
    for u in world.users.values():
        fresh(u)
    seen = set(perms.visible(world.admin, User).values_list("username", flat=True))
    assert {"operator", "leader", "resident", "district_leader"} <= seen
    assert not seen & {"cf_operator", "cf_admin"}
    seen = set(perms.visible(two.users["cf_admin"], User).values_list("username", flat=True))
    assert {"cf_operator", "cf_admin", "district_leader"} <= seen
    assert not seen & {"operator", "leader"}

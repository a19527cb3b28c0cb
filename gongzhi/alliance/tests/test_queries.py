"""The lists' query counts do not grow with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.alliance.tests.factories import NeedFactory, ProjectFactory, ResourceFactory, party

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["alliance:resources", "alliance:needs", "alliance:projects"])
def test_list_pages_do_not_grow_with_rows(client, world, name):
    client.force_login(world.leader)

    def add(n: int) -> None:
        for _ in range(n):
            ResourceFactory(owner=world.orgs["school"])
            NeedFactory(residential_area=world.area_a)
            p = ProjectFactory(residential_area=world.area_a)
            party(p, world.orgs["school"])
            party(p, world.orgs["branch_a"], "beneficiary")

    add(2)
    _count(client, reverse(name))  # warm the caches
    few = _count(client, reverse(name))
    add(10)
    assert _count(client, reverse(name)) == few

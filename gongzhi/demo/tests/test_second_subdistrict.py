"""The demo's second subdistrict (seed_demo --subdistricts 2): its places east of the first,
its bodies and logins, cases taken in through the real intake that land in it, and a district
office whose leader sees both subdistricts while each subdistrict's staff see their own."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password

from gongzhi.accounts.models import User
from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.core import permissions as perms
from gongzhi.core.seeding import SeedContext
from gongzhi.demo.accounts import DEMO_PASSWORD
from gongzhi.demo.seed import second
from gongzhi.places.geo import to_shape
from gongzhi.places.models import Subdistrict
from gongzhi.testing.second_subdistrict import fresh

pytestmark = pytest.mark.django_db


def test_nothing_is_seeded_unless_asked(world):
    second.run(SeedContext(seed=1, options={}))
    assert not Subdistrict.objects.filter(code=second.SECOND["code"]).exists()


def test_the_second_subdistrict_and_the_district_office(world):
    centre = make_centre(world)  # the catalogue
    in_a = centre.intake()
    ctx = SeedContext(seed=1, options={"subdistricts": 2, "second_cases": 12})
    second.run(ctx)
    sd = Subdistrict.objects.get(code=second.SECOND["code"])
    outline = to_shape(sd.geometry)
    assert outline.bounds[0] > to_shape(world.subdistrict.geometry).bounds[2]  # to the east
    assert sd.residential_areas.count() == 2 and sd.grid_stations.count() == 1
    cases = Case.objects.filter(subdistrict=sd)
    assert cases.count() == 12
    assert not cases.filter(grid__isnull=True).exists()
    assert not cases.exclude(department__isnull=True).exclude(department__subdistrict=sd).exists()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[a.username for a in second.SECOND_ACCOUNTS])
    }
    assert set(users) == {a.username for a in second.SECOND_ACCOUNTS}
    assert check_password(DEMO_PASSWORD, users["cf_operator"].password)

    def subdistricts_seen(user):
        return set(perms.visible(fresh(user), Case).values_list("subdistrict_id", flat=True))

    assert subdistricts_seen(users["cf_operator"]) == {sd.pk}
    assert subdistricts_seen(users["cf_leader"]) == {sd.pk}
    assert subdistricts_seen(users["district_leader"]) == {sd.pk, in_a.subdistrict_id}
    assert subdistricts_seen(world.operator) == {in_a.subdistrict_id}

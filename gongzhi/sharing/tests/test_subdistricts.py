"""Two subdistricts on one installation: one subdistrict's staff do not reach the other's shared
resources, permits and gate logs (pages, API), the district office and residents see both
subdistricts' resources, and a resource or booking does not link rows of two subdistricts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.sharing import services
from gongzhi.sharing.models import Permit, SharedResource
from gongzhi.testing.second_subdistrict import build_other

from .factories import PermitFactory, SharedResourceFactory, at, school_car_park

pytestmark = pytest.mark.django_db


def test_one_subdistricts_staff_do_not_reach_the_others_resources(client, world):
    other = build_other(world)
    park_a = school_car_park(world.orgs["school"], areas=[world.area_a])
    park_b = SharedResourceFactory(owner=other.unit, name="长风中学停车场")
    permit_b = PermitFactory(resource=park_b, plate="沪C12345", valid_from=dt.date(2026, 1, 1))
    for who in (world.admin, world.leader):
        assert set(perms.visible(who, SharedResource)) == {park_a}
        assert not perms.visible(who, Permit).filter(pk=permit_b.pk).exists()
    assert not perms.can(world.admin, "change", park_b)
    assert perms.can(world.admin, "change", park_a)
    client.force_login(world.admin)
    assert client.get(reverse("sharing:resource", args=[park_b.pk])).status_code == 404
    assert client.get(reverse("sharing:permit", args=[permit_b.pk])).status_code == 404
    page = client.get(reverse("sharing:index")).content.decode()
    assert park_a.name in page and park_b.name not in page
    assert park_b.name not in client.get(reverse("sharing:gate")).content.decode()
    api = ApiClient(token_for(world.admin))
    assert {r["id"] for r in api.get("/sharing/resources").json()["items"]} == {park_a.pk}
    assert api.get(f"/sharing/permits/{permit_b.pk}").status_code == 404
    # The other subdistrict's liaison reaches their own; the district office and a resident
    # (who may apply anywhere) see both.
    assert set(perms.visible(other.liaison, SharedResource)) == {park_b}
    assert set(perms.visible(other.district, SharedResource)) == {park_a, park_b}
    assert perms.visible(other.district, Permit).filter(pk=permit_b.pk).exists()
    assert set(perms.visible(world.resident_a, SharedResource)) == {park_a, park_b}


def test_no_links_across_subdistricts(world):
    other = build_other(world)
    with pytest.raises(ServiceError):  # areas served in another subdistrict
        services.resource_create(
            actor=other.liaison,
            owner=other.unit,
            kind=SharedResource.Kind.CAR_PARK,
            name="长风停车场",
            capacity=10,
            areas=[world.area_a],
        )
    with pytest.raises(NotAllowed):  # a resource of a unit of another subdistrict
        services.resource_create(
            actor=world.admin,
            owner=other.unit,
            kind=SharedResource.Kind.HALL,
            name="长风礼堂",
            capacity=10,
        )
    hall = SharedResourceFactory(owner=other.unit, kind=SharedResource.Kind.HALL, name="礼堂")
    with pytest.raises(ServiceError):  # organised by a unit of another subdistrict
        services.booking_create(
            actor=world.liaison,
            resource=hall,
            title="党课",
            starts_at=at("2026-12-08 18:00"),
            ends_at=at("2026-12-08 19:00"),
            organiser=world.orgs["school"],
        )

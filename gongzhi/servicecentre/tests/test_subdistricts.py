"""Two subdistricts on one installation: each service centre's staff reach their own network's
menus, orders and events (pages, API, the cockpit's figures), the district office both, the
public events page lists every subdistrict's (one's, when asked), and an order does not link
a station and a menu of two subdistricts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.core import permissions as perms
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.measures import Scope
from gongzhi.core.roles import access_for
from gongzhi.org.models import Organisation
from gongzhi.org.tests.factories import OrganisationFactory
from gongzhi.servicecentre import measures, services
from gongzhi.servicecentre.models import Menu, ServicePoint
from gongzhi.testing.second_subdistrict import build_other

from .factories import EventFactory, MenuFactory, MenuItemFactory, ServicePointFactory, next_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    other = build_other(world)
    centre_a = ServicePointFactory(
        organisation=world.orgs["centre_service"], kind=ServicePoint.Kind.CENTRE
    )
    centre_b = ServicePointFactory(organisation=other.centre_service, kind=ServicePoint.Kind.CENTRE)
    station_b = ServicePointFactory(
        organisation=OrganisationFactory(
            name="长风一村党建服务站",
            kind=Organisation.Kind.SERVICE_STATION,
            subdistrict=other.subdistrict,
        ),
        kind=ServicePoint.Kind.RESIDENTIAL,
    )
    published = {"state": Menu.State.PUBLISHED, "published_at": timezone.now()}
    menu_a = MenuFactory(subdistrict=world.subdistrict, **published)
    menu_b = MenuFactory(subdistrict=other.subdistrict, **published)
    event_a = EventFactory(point=centre_a, title="杏梅园讲座")
    event_b = EventFactory(point=centre_b, title="长风讲座")
    return world, other, centre_b, station_b, menu_a, menu_b, event_a, event_b


def test_each_centre_reaches_its_own_network(client, two):
    world, other, centre_b, station_b, menu_a, menu_b, event_a, event_b = two
    client.force_login(world.service_staff)
    assert client.get(reverse("servicecentre:menu", args=[menu_b.pk])).status_code == 404
    assert client.get(reverse("servicecentre:event", args=[event_b.pk])).status_code == 404
    page = client.get(reverse("servicecentre:events")).content.decode()
    assert "杏梅园讲座" in page and "长风讲座" not in page
    api = ApiClient(token_for(world.service_staff))
    assert {m["id"] for m in api.get("/service/menus").json()["results"]} == {menu_a.pk}
    assert api.get(f"/service/events/{event_b.pk}").status_code == 404
    # The cockpit's figures count their own subdistrict's deliveries.
    today = timezone.localdate()
    scope = Scope(
        user=world.service_staff,
        access=access_for(world.service_staff),
        date_from=today,
        date_to=today + dt.timedelta(days=5),
        as_of=timezone.now(),
    )
    assert set(measures.deliveries(scope)) == {event_a}
    assert not perms.can(world.service_staff, "check_in", event_b)
    assert not perms.can(world.service_staff, "change", menu_b)
    assert perms.can(other.service_staff, "check_in", event_b)
    # The other centre's staff: the mirror image; the district office: both.
    assert set(perms.visible(other.service_staff, Menu)) == {menu_b}
    assert set(perms.visible(other.district, Menu)) == {menu_a, menu_b}
    # The public page lists both subdistricts' events, or one's when asked.
    client.logout()
    page = client.get(reverse("servicecentre:events")).content.decode()
    assert "杏梅园讲座" in page and "长风讲座" in page
    page = client.get(reverse("servicecentre:events"), {"subdistrict": other.subdistrict.pk})
    assert "长风讲座" in page.content.decode() and "杏梅园讲座" not in page.content.decode()
    assert client.get(reverse("servicecentre:event", args=[event_b.pk])).status_code == 200


def test_orders_and_menus_stay_in_their_subdistrict(two):
    world, other, centre_b, station_b, menu_a, menu_b, event_a, event_b = two
    item_a = MenuItemFactory(menu=menu_a)
    day = max(menu_a.month, timezone.localdate() + dt.timedelta(days=1))
    if day.month != menu_a.month.month:
        day = menu_a.month
    order = {"proposed_on": day, "starts_at": "10:00", "expected": 10}
    with pytest.raises(ServiceError):  # a station of B orders from A's menu
        services.order_place(
            actor=other.service_staff, menu_item=item_a, station=station_b, **order
        )
    with pytest.raises(NotAllowed):  # A's centre orders for B's station
        services.order_place(
            actor=world.service_staff, menu_item=item_a, station=station_b, **order
        )
    # Each centre has its own menu of the month.
    m = services.menu_create(
        actor=other.service_staff, month=f"{next_month() + dt.timedelta(days=40):%Y-%m}"
    )
    assert m.subdistrict_id == other.subdistrict.pk
    m2 = services.menu_create(actor=world.service_staff, month=f"{m.month:%Y-%m}")
    assert m2.subdistrict_id == world.subdistrict.pk

"""The residential area's cockpit: its secretary sees their area's indicators next to the
subdistrict's, and never another area's; the subdistrict's roles open any area."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.cases.tests.conftest import make_centre
from gongzhi.dashboards.aggregates import refresh_all

_seq = itertools.count(1)


def _filed(centre: Any, grid: Any) -> Case:
    n = next(_seq)
    now = timezone.now()
    return Case.objects.create(
        number=f"CY2026-5{n:05d}",
        tracking_code=f"AREACP{n:05d}",
        channel=Case.Channel.INSPECTOR,
        type=Case.Type.EVENT,
        category=centre.garbage,
        description="测试案件",
        received_at=now - dt.timedelta(minutes=30),
        filed_at=now - dt.timedelta(minutes=20),
        state=Case.State.FILED,
        grid=grid,
        residential_area=grid.residential_area,
        station=grid.station,
        subdistrict_id=grid.residential_area.subdistrict_id,
    )


@pytest.fixture
def town(world) -> Any:
    centre = make_centre(world)
    for _ in range(2):
        _filed(centre, world.grids["a1"])
    for _ in range(3):
        _filed(centre, world.grids["b2"])
    refresh_all()
    return world


def _row(body: str, key: str) -> str:
    start = body.index(f'data-testid="compare-{key}"')
    return body[start : body.index("</tr>", start)]


def test_the_secretary_sees_their_area_next_to_the_subdistrict(client, town):
    client.force_login(town.secretary)
    response = client.get(reverse("dashboards:area_mine"))
    assert response.url == reverse("dashboards:area", args=[town.area_a.pk])
    body = client.get(response.url).content.decode()
    filed = _row(body, "cases.filed")
    area = filed[filed.index('data-testid="area-value"') :]
    sub = filed[filed.index('data-testid="subdistrict-value"') :]
    assert ">2</a>" in area  # the area's own figure, linked to its cases
    assert ">5<" in sub  # the subdistrict's total, without a list behind it
    assert "<a" not in sub


def test_the_secretary_never_opens_another_areas_cockpit(client, town):
    client.force_login(town.secretary)
    assert client.get(reverse("dashboards:area", args=[town.area_b.pk])).status_code == 404
    client.force_login(town.other_secretary)
    assert client.get(reverse("dashboards:area", args=[town.area_a.pk])).status_code == 404
    body = client.get(reverse("dashboards:area", args=[town.area_b.pk])).content.decode()
    assert ">3</a>" in _row(body, "cases.filed")


def test_the_area_figures_link_only_to_the_areas_cases(client, town):
    client.force_login(town.secretary)
    body = client.get(reverse("dashboards:area", args=[town.area_a.pk])).content.decode()
    assert f"residential_area={town.area_a.pk}" in _row(body, "cases.filed")


@pytest.mark.parametrize("who", ["handler", "inspector", "liaison", "resident"])
def test_those_without_an_area_are_refused(client, town, who):
    client.force_login(getattr(town, who))
    assert client.get(reverse("dashboards:area", args=[town.area_a.pk])).status_code == 404
    assert client.get(reverse("dashboards:area_mine")).status_code == 404


def test_a_leader_opens_any_area(client, town):
    client.force_login(town.leader)
    body = client.get(reverse("dashboards:area", args=[town.area_b.pk])).content.decode()
    assert ">3</a>" in _row(body, "cases.filed")
    assert town.area_a.name in body  # the other areas to switch to


def test_a_bad_period_is_a_message(client, town):
    client.force_login(town.secretary)
    url = reverse("dashboards:area", args=[town.area_a.pk])
    response = client.get(url, {"period": "2026-14"})
    assert response.status_code == 400
    assert 'data-testid="area-cockpit-error"' in response.content.decode()

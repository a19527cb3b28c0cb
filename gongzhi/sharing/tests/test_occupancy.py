"""Occupancy per opening window: spaces offered against the most cars inside at once, replayed
from the gate log (refused attempts do not count; a car inside from the window before does)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.sharing import selectors, services

from .factories import PermitFactory, at

pytestmark = pytest.mark.django_db


def gate(resource, plate, when, direction="in"):
    services.gate_check(
        actor=None, resource_id=resource.pk, plate=plate, at=at(when), direction=direction
    )


def test_peak_and_entries_per_window(car_park, permit):
    other = PermitFactory(resource=car_park, plate="沪B22222", valid_from=permit.valid_from)
    gate(car_park, permit.plate, "2026-12-07 18:00")
    gate(car_park, other.plate, "2026-12-07 19:00")
    gate(car_park, other.plate, "2026-12-07 21:00", "out")
    gate(car_park, "沪C33333", "2026-12-07 20:00")  # no permit: refused, not counted
    gate(car_park, permit.plate, "2026-12-08 07:00", "out")
    gate(car_park, other.plate, "2026-12-08 17:45")
    uses = selectors.occupancy(car_park, dt.date(2026, 12, 7), dt.date(2026, 12, 8))
    assert [(u.start, u.end) for u in uses] == [
        (at("2026-12-07 17:30"), at("2026-12-08 07:30")),
        (at("2026-12-08 17:30"), at("2026-12-09 07:30")),
    ]
    assert [(u.offered, u.peak, u.entries) for u in uses] == [(40, 2, 2), (40, 1, 1)]
    chart = selectors.occupancy_chart(car_park, days=2, today=dt.date(2026, 12, 8))
    assert chart["labels"] == ["12-07 17:30", "12-08 17:30"]
    assert chart["peak"] == [2, 1] and chart["offered"] == [40, 40]
    assert chart["average_use"] == 3.8


def test_a_weekend_is_one_long_window(car_park, permit):
    gate(car_park, permit.plate, "2026-12-12 10:00")
    uses = selectors.occupancy(car_park, dt.date(2026, 12, 11), dt.date(2026, 12, 13))
    # Friday 17:30 runs into the weekend and on to Monday 07:30.
    assert [(u.start, u.end) for u in uses] == [(at("2026-12-11 17:30"), at("2026-12-14 07:30"))]
    assert uses[0].peak == 1

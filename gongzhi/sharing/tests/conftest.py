from __future__ import annotations

import datetime as dt

import pytest

from .factories import PermitFactory, school_car_park


@pytest.fixture
def car_park(world):
    return school_car_park(world.orgs["school"], areas=[world.area_a])


@pytest.fixture
def permit(world, car_park):
    return PermitFactory(
        resource=car_park,
        plate="沪A12345",
        holder_user=world.resident_a,
        valid_from=dt.date(2026, 9, 1),
        valid_to=dt.date(2027, 1, 31),
    )

from __future__ import annotations

import pytest

from gongzhi.worktime import calendar

from .factories import LUNCH_BREAK


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test starts and ends without a cached calendar: the per-process snapshot would
    otherwise outlive the rolled-back overrides of the test before."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def lunch_break(settings):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": LUNCH_BREAK}

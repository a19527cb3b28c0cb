"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from gongzhi.testing.browser import browser, page, phone_page  # noqa: F401  (fixtures)
from gongzhi.testing.personas import World, build_world


@pytest.fixture
def world(db) -> World:  # noqa: ARG001
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_working_calendar():
    """Calendar overrides made in one test must not linger in the per-process cache."""
    from gongzhi.worktime import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()

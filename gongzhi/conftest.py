"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from gongzhi.core.catalogues import compile_stale
from gongzhi.testing.browser import browser, page, phone_page  # noqa: F401  (fixtures)
from gongzhi.testing.personas import World, build_world


def pytest_configure(config: pytest.Config) -> None:
    """The pages are tested in Chinese, so the .mo files must be there and current even when
    pytest is run directly, without `./run test` (which compiles them in its set-up)."""
    compile_stale()


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

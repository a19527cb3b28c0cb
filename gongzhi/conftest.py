"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from gongzhi.testing.browser import browser, page, phone_page  # noqa: F401  (fixtures)
from gongzhi.testing.personas import World, build_world


@pytest.fixture
def world(db) -> World:  # noqa: ARG001
    return build_world()

from __future__ import annotations

import pytest

from .factories import LUNCH_BREAK

# The calendar cache is reset around every test by gongzhi/conftest.py.


@pytest.fixture
def lunch_break(settings):
    settings.GONGZHI = {**settings.GONGZHI, "WORKING_PERIODS": LUNCH_BREAK}

import pytest

from .factories import build_network


@pytest.fixture
def net(world):
    return build_network(world)

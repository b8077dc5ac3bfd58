import pytest

from .world import Fields


@pytest.fixture
def fields(network):
    return Fields(network)

import pytest

from daodi.farm.tests.world import Fields


@pytest.fixture
def fields(network):
    return Fields(network)

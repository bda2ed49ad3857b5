import pytest

from guanqing.wishes.tests.factories import wish_world


@pytest.fixture
def ww(world):
    return wish_world(world)

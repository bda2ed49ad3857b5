"""A narrow reader's scope written as its keys (`by_keys_when_few`): the same rows, the scope
itself for the committee and past the limit."""

from __future__ import annotations

import pytest

from guanqing.core.scope.querysets import by_keys_when_few
from guanqing.registry.models import Household
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def test_a_narrow_scope_becomes_its_keys_and_keeps_its_rows(world):
    for n in range(3):
        f.HouseholdFactory(community=world.community, head_name=f"户主{n}")
    worker = world.users.community_worker
    scope = Household.objects.visible_to(worker)
    assert 0 < scope.count() < Household.objects.count()
    keyed = by_keys_when_few(scope)
    sql = str(keyed.query)
    assert "IN (" in sql and "SELECT" not in sql.split("IN (", 1)[1]  # a list, not the subquery
    assert set(keyed.values_list("pk", flat=True)) == set(scope.values_list("pk", flat=True))
    # past the limit, and for the committee's every row, the scope itself
    assert by_keys_when_few(scope, limit=scope.count() - 1) is scope
    everything = Household.objects.visible_to(world.users.committee)
    assert by_keys_when_few(everything) is everything

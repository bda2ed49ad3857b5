"""`__any_of` (core/lookups.py): the rows `__in` finds, sent on PostgreSQL as one array
parameter; and `bulk.pg_array`, the array literal it and the audit seal send."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core import bulk
from guanqing.registry.models import Household
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds(world):
    made = [f.HouseholdFactory(community=world.community) for _ in range(4)]
    hashes = [h.id_number_hash for h in made[:3]]
    for values in (
        hashes,
        [*hashes, "没有 这个", "NULL", "a'b", "{x,y}", None],  # quoted by the driver instead
        [],
        [None],
    ):
        expected = set(Household.objects.filter(id_number_hash__in=values))
        assert set(Household.objects.filter(id_number_hash__any_of=values)) == expected
    pks = [h.pk for h in made[1:]]
    assert set(Household.objects.filter(pk__any_of=pks)) == set(made[1:])
    assert set(Household.objects.exclude(pk__any_of=pks).filter(pk__in=[made[0].pk])) == {made[0]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_any_of_sends_one_array_parameter_on_postgresql(world):
    made = [f.HouseholdFactory(community=world.community) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        found = list(Household.objects.filter(pk__any_of=[h.pk for h in made]))
    assert len(found) == 3
    assert "= ANY(" in queries[0]["sql"] and " IN (" not in queries[0]["sql"]


def test_pg_array_writes_a_literal_only_for_ints_and_plain_words():
    assert bulk.pg_array([3, 1, 2]) == "{3,1,2}"
    assert bulk.pg_array(["ab12", "0f"]) == "{ab12,0f}"
    assert bulk.pg_array([]) == "{}"
    # anything the literal would misread goes as a list, for the driver to quote
    for values in (["a b"], ["null"], ['a"b'], ["a,b"], ["{"], [""], [True], [1, "2"]):
        assert bulk.pg_array(values) == list(values), values

"""`__any_of` (core/lookups.py): the rows `__in` finds, sent on PostgreSQL as one array
parameter; `bulk.pg_array`, the array literal it and the audit seal send; and
`bulk.aware_datetime_adapter`, a time as the backend adapts it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1900, 1, 1),
        max_value=datetime.datetime(2100, 12, 31),
        timezones=st.none()
        | st.sampled_from([datetime.UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")]),
    )
)
def test_a_time_is_adapted_for_the_database_as_the_backend_adapts_it(moment):
    # aware times (and naive ones, which take the backend's own path) come out as Django's do
    fast = bulk.aware_datetime_adapter(connection)
    assert fast(moment) == connection.ops.adapt_datetimefield_value(moment)

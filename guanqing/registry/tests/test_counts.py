"""The households of each community and the members of each unit, kept counted by the database
(core/counters.py, registry/counts.py): equal to the records whichever way they are written,
moved or removed, reported and fixed by `guanqing counters` when changed behind the platform's
back, and what the committee's home page reads instead of counting every record."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core import counters
from guanqing.registry import counts, selectors
from guanqing.registry.models import Household, Member
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def live_households() -> dict:
    return counts.recount_households()


def test_households_are_counted_by_community_as_they_are_written_moved_and_removed(world):
    before = counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY)
    assert before == live_households()
    new = [f.HouseholdFactory(community=world.other_community) for _ in range(3)]
    after = counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY)
    assert after[world.other_community.pk] == before.get(world.other_community.pk, 0) + 3
    Household.objects.filter(pk=new[0].pk).update(community=world.community)
    Household.objects.filter(pk=new[1].pk).delete()
    assert counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY) == live_households()
    call_command("counters")  # nothing differs


def test_members_are_counted_by_unit_and_a_moved_member_moves(world):
    other = f.UnitFactory(name="计数测试单位")
    members = [f.MemberFactory(unit=other) for _ in range(4)]
    Member.objects.filter(pk=members[0].pk).update(unit=world.unit)
    assert counters.by_group(counts.MEMBERS_BY_UNIT)[other.pk] == 3
    assert counters.by_group(counts.MEMBERS_BY_UNIT) == counts.recount_members()


def test_a_group_count_changed_behind_the_platforms_back_is_reported_and_fixed(world, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE core_groupcount SET n = n + 5 WHERE key = %s AND "group" = %s',
            [counts.HOUSEHOLDS_BY_COMMUNITY, world.community.pk],
        )
    with pytest.raises(CommandError):
        call_command("counters")
    assert f"{counts.HOUSEHOLDS_BY_COMMUNITY} {world.community.pk}" in capsys.readouterr().out
    call_command("counters", fix=True)
    call_command("counters")
    assert counters.by_group(counts.HOUSEHOLDS_BY_COMMUNITY) == live_households()


def test_the_committee_s_home_figures_read_the_counts_and_equal_the_records(world):
    for _ in range(2):
        f.HouseholdFactory(community=world.other_community)
        f.MemberFactory(unit=f.UnitFactory())
    committee = world.users.committee
    with CaptureQueriesContext(connection) as ctx:
        totals = selectors.registry_totals(committee)
        by_district = selectors.household_counts_by_district(committee)
        by_unit = selectors.member_counts_by_unit(committee, limit=10)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert 'FROM "registry_household"' not in sql and 'FROM "registry_member"' not in sql
    assert totals["households"] == Household.objects.count()
    assert totals["members"] == Member.objects.count()
    assert sum(row["households"] for row in by_district) == Household.objects.count()
    live = counts.recount_members()
    assert [row["members"] for row in by_unit] == sorted(live.values(), reverse=True)[:10]
    assert all(live[row["unit_id"]] == row["members"] for row in by_unit)
    assert client_for(committee).get("/").status_code == 200


def test_the_largest_units_and_the_districts_read_from_the_counts_equal_a_full_count(world):
    """The ten largest units come from the counts' largest (ties at the last one included, then
    by name), the districts from the counts joined to their communities."""
    from collections import Counter

    committee = world.users.committee
    tied = [f.UnitFactory(name=name) for name in ("乙单位", "甲单位", "丙单位")]
    for unit in tied:
        for _ in range(2):
            f.MemberFactory(unit=unit)
    full = selectors.member_counts_by_unit(committee)  # every unit, ordered by the database
    assert [row["members"] for row in full] == sorted((r["members"] for r in full), reverse=True)
    for limit in range(1, len(full) + 2):
        assert selectors.member_counts_by_unit(committee, limit=limit) == full[:limit], limit

    mapping = selectors.current_district_map()
    expected = Counter(
        mapping.get(d, d)
        for d in Household.objects.values_list("community__district_id", flat=True)
    )
    found = {
        r["district_id"]: r["households"] for r in selectors.household_counts_by_district(committee)
    }
    assert found == dict(expected) and sum(found.values()) == Household.objects.count() > 0


def test_a_scoped_user_s_figures_count_its_own_records(world):
    f.HouseholdFactory(community=world.other_community)
    worker = world.users.community_worker
    totals = selectors.registry_totals(worker)
    assert totals["households"] == Household.objects.visible_to(worker).count()
    assert totals["households"] < Household.objects.count()

"""The counting triggers (core/counters.py) when one statement writes many rows: on PostgreSQL an
insert or a delete is counted once per statement, grouped by day or group, so these are the
cases a row-at-a-time trigger never met. Each ends with every counter equal to a recount."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from guanqing.core import counters
from guanqing.pairing import counts as pairing_counts
from guanqing.pairing.models import Visit
from guanqing.registry import counts as registry_counts
from guanqing.registry.models import Household
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement triggers are PostgreSQL's"
)


def stored(key: str) -> dict:
    return {row.day: row.n for row in counters.DayCount.objects.filter(key=key) if row.n}


def no_differences() -> None:
    for counter in counters.counters():
        assert counters.differences(counter) == [], counter.key


def test_one_insert_and_one_delete_of_many_households_in_two_communities(world):
    before = counters.by_group(registry_counts.HOUSEHOLDS_BY_COMMUNITY)
    made = Household.objects.bulk_create(
        f.HouseholdFactory.build(community=community)
        for community in [world.community] * 7 + [world.other_community] * 5
    )
    after = counters.by_group(registry_counts.HOUSEHOLDS_BY_COMMUNITY)
    assert after[world.community.pk] == before.get(world.community.pk, 0) + 7
    assert after[world.other_community.pk] == before.get(world.other_community.pk, 0) + 5
    # one UPDATE moving several rows, then one DELETE of rows in both communities
    Household.objects.filter(pk__in=[h.pk for h in made[:3]]).update(
        community=world.other_community
    )
    Household.objects.filter(pk__in=[h.pk for h in made[2:9]]).delete()
    assert counters.by_group(registry_counts.HOUSEHOLDS_BY_COMMUNITY) == (
        registry_counts.recount_households()
    )
    no_differences()


def test_one_statement_of_visits_over_several_days_counts_each_day_and_its_sums(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    user = f.UserFactory()
    visits = Visit.objects.bulk_create(
        Visit(
            pairing=pairing,
            date=D(2026, 4, 1 + n % 3),
            talk=True,
            recorded_by=user,
            cash_amount=Decimal("10.50"),
            in_kind_value=Decimal(n),
        )
        for n in range(9)
    )
    assert stored(pairing_counts.VISITS) == {D(2026, 4, 1): 3, D(2026, 4, 2): 3, D(2026, 4, 3): 3}
    assert stored(pairing_counts.CASH_FEN) == {D(2026, 4, d): 3150 for d in (1, 2, 3)}
    # in kind: n = 0, 3, 6 on the 1st; 1, 4, 7 on the 2nd; 2, 5, 8 on the 3rd (yuan → fen)
    assert stored(pairing_counts.IN_KIND_FEN) == {
        D(2026, 4, 1): 900,
        D(2026, 4, 2): 1200,
        D(2026, 4, 3): 1500,
    }
    # 人次: the participants of many visits written in one statement, found by their visit's day
    through = Visit.participants.through
    through.objects.bulk_create(
        through(visit_id=visit.pk, member_id=member.pk)
        for visit in visits[:4]
        for member in (world.member, f.MemberFactory(unit=world.unit))
    )
    assert stored(pairing_counts.PERSON_TIMES) == {
        D(2026, 4, 1): 4,
        D(2026, 4, 2): 2,
        D(2026, 4, 3): 2,
    }
    Visit.objects.filter(pk__in=[v.pk for v in visits[:5]]).delete()
    assert stored(pairing_counts.VISITS) == {D(2026, 4, 1): 1, D(2026, 4, 2): 1, D(2026, 4, 3): 2}
    assert stored(pairing_counts.PERSON_TIMES) == {}
    no_differences()


@postgresql_only
def test_inserts_and_deletes_are_counted_once_per_statement_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgtype FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
            [[name for t in counters._triggers.values() for name in (t.name, *t.pg_names())]],
        )
        installed = dict(cursor.fetchall())
    for trigger in counters._triggers.values():
        names = trigger.pg_names()
        assert set(names) <= set(installed), trigger.name
        for name in names:
            row_level = bool(installed[name] & 1)  # TRIGGER_TYPE_ROW
            # an update that moves a row stays a row trigger (a MoveTrigger is one alone)
            assert row_level == (name.endswith("_upd") or names == (trigger.name,)), name
        if names != (trigger.name,):
            assert trigger.name not in installed  # the row trigger of earlier versions is gone


@postgresql_only
def test_the_migration_replaces_a_row_trigger_of_earlier_versions(world):
    from django.apps import apps

    trigger = next(
        t for t in counters._triggers.values() if t.key == registry_counts.HOUSEHOLDS_BY_COMMUNITY
    )
    # what an earlier version installed: one row trigger under the plain name
    old = [
        *trigger.drop("postgresql"),
        f"CREATE FUNCTION {trigger.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN "
        f"INSERT INTO core_groupcount (key, \"group\", n) VALUES ('{trigger.key}', "
        f'NEW.community_id, 1) ON CONFLICT (key, "group") DO UPDATE '
        f"SET n = core_groupcount.n + excluded.n; RETURN NEW; END IF; RETURN OLD; END $$",
        f"CREATE TRIGGER {trigger.name} AFTER INSERT OR DELETE ON {trigger.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {trigger.name}_fn()",
    ]
    with connection.cursor() as cursor:
        for sql in old:
            cursor.execute(sql)
    operation = counters.statement_triggers()
    with connection.schema_editor() as editor:
        operation.code(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [trigger.table]
        )
        names = {row[0] for row in cursor.fetchall()}
    assert trigger.name not in names and set(trigger.pg_names()) <= names
    Household.objects.bulk_create(
        f.HouseholdFactory.build(community=world.community) for _ in range(3)
    )
    no_differences()


def test_attendances_count_on_the_business_date_of_their_check_in_and_move_with_it(world):
    """The day of a timestamp is its date in Asia/Shanghai: 16:30 UTC is 00:30 the next day
    there, 15:30 UTC still the same day; a corrected check-in time moves the count."""
    from guanqing.community import counts as community_counts
    from guanqing.community.models import Attendance
    from guanqing.community.tests.factories import ActivityFactory

    utc = datetime.UTC
    activity = ActivityFactory(
        community=world.community,
        starts_at=datetime.datetime(2026, 5, 13, 15, 0, tzinfo=utc),
        ends_at=datetime.datetime(2026, 5, 13, 18, 0, tzinfo=utc),
    )
    members = [world.member, world.other_member, f.MemberFactory(unit=world.unit)]
    made = Attendance.objects.bulk_create(
        Attendance(activity=activity, member=member, checked_in_at=at)
        for member, at in zip(
            members,
            [
                datetime.datetime(2026, 5, 13, 15, 30, tzinfo=utc),  # 23:30 on the 13th
                datetime.datetime(2026, 5, 13, 16, 30, tzinfo=utc),  # 00:30 on the 14th
                datetime.datetime(2026, 5, 13, 17, 0, tzinfo=utc),  # 01:00 on the 14th
            ],
            strict=True,
        )
    )
    assert stored(community_counts.ATTENDANCES) == {D(2026, 5, 13): 1, D(2026, 5, 14): 2}
    Attendance.objects.filter(pk=made[0].pk).update(
        checked_in_at=datetime.datetime(2026, 5, 13, 16, 0, tzinfo=utc)  # 00:00 on the 14th
    )
    assert stored(community_counts.ATTENDANCES) == {D(2026, 5, 14): 3}
    Attendance.objects.filter(pk__in=[a.pk for a in made[1:]]).delete()
    assert stored(community_counts.ATTENDANCES) == {D(2026, 5, 14): 1}
    no_differences()

"""The households of each community and the members of each unit (core/counters.py): the
triggers that keep the counts in step with every insert, move and delete, and the counts of the
records already there."""

from django.db import migrations

from guanqing.core.counters import install
from guanqing.registry.counts import TRIGGERS

BACKFILL = """
INSERT INTO core_groupcount (key, "group", n)
SELECT 'registry.households_by_community', community_id, COUNT(*)
FROM registry_household GROUP BY community_id;
INSERT INTO core_groupcount (key, "group", n)
SELECT 'registry.members_by_unit', unit_id, COUNT(*) FROM registry_member GROUP BY unit_id;
"""
UNDO = (
    "DELETE FROM core_groupcount "
    "WHERE key IN ('registry.households_by_community', 'registry.members_by_unit');"
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("registry", "0003_bound_free_text"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, UNDO),
        install(TRIGGERS),
    ]

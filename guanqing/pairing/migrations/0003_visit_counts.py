"""Visits and 人次 by day for the committee's headline (core/counters.py): the triggers that keep
the counts in step with every insert, update and delete, and the counts of the visits already
recorded."""

from django.db import migrations

from guanqing.core.counters import install
from guanqing.pairing.counts import TRIGGERS

BACKFILL = """
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visits', date, COUNT(*) FROM pairing_visit GROUP BY date;
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visit_person_times', v.date, COUNT(*)
FROM pairing_visit_participants p JOIN pairing_visit v ON v.id = p.visit_id GROUP BY v.date;
"""
UNDO = "DELETE FROM core_daycount WHERE key IN ('pairing.visits', 'pairing.visit_person_times');"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_daycount"),
        ("pairing", "0002_bound_free_text"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, UNDO),
        install(TRIGGERS),
    ]

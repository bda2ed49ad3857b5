"""The cash and in-kind help of the visits by day, in fen (core/counters.py): the triggers that
keep the sums in step with every insert, update and delete, and the sums of the visits already
recorded. The visit list reads its totals from them when its filter is dates alone."""

from django.db import migrations

from guanqing.core.counters import install
from guanqing.pairing.counts import SUM_TRIGGERS

BACKFILL = """
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visit_cash_fen', date, SUM(CAST(ROUND(COALESCE(cash_amount, 0) * 100) AS BIGINT))
FROM pairing_visit GROUP BY date;
INSERT INTO core_daycount (key, day, n)
SELECT 'pairing.visit_in_kind_fen', date,
       SUM(CAST(ROUND(COALESCE(in_kind_value, 0) * 100) AS BIGINT))
FROM pairing_visit GROUP BY date;
"""
UNDO = (
    "DELETE FROM core_daycount WHERE key IN ('pairing.visit_cash_fen', 'pairing.visit_in_kind_fen');"
)


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0001_squashed_0003_visit_counts"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, UNDO),
        install(SUM_TRIGGERS),
    ]

"""Outreach visits, their cadres' 人次 and the donations in fen by visit date (core/counters.py):
the triggers that keep the counts in step with every insert, update and delete, and the counts of
the visits already recorded. The outreach list reads its totals and length from them when its
filter is dates alone."""

from django.db import migrations

from guanqing.core.counters import install
from guanqing.frontline.counts import TRIGGERS

BACKFILL = """
INSERT INTO core_daycount (key, day, n)
SELECT 'frontline.outreach', visited_on, COUNT(*) FROM frontline_outreach GROUP BY visited_on;
INSERT INTO core_daycount (key, day, n)
SELECT 'frontline.outreach_person_times', o.visited_on, COUNT(*)
FROM frontline_outreach_cadres c JOIN frontline_outreach o ON o.id = c.outreach_id
GROUP BY o.visited_on;
INSERT INTO core_daycount (key, day, n)
SELECT 'frontline.outreach_money_fen', visited_on,
       SUM(CAST(ROUND(COALESCE(donated_money, 0) * 100) AS BIGINT))
FROM frontline_outreach GROUP BY visited_on;
INSERT INTO core_daycount (key, day, n)
SELECT 'frontline.outreach_goods_fen', visited_on,
       SUM(CAST(ROUND(COALESCE(donated_goods, 0) * 100) AS BIGINT))
FROM frontline_outreach GROUP BY visited_on;
"""
UNDO = (
    "DELETE FROM core_daycount WHERE key IN ('frontline.outreach', "
    "'frontline.outreach_person_times', 'frontline.outreach_money_fen', "
    "'frontline.outreach_goods_fen');"
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_daycount"),
        ("frontline", "0005_outreach_day_index"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, UNDO),
        install(TRIGGERS),
    ]

"""The cases of each window and the ratings of each day (core/counters.py): the triggers that keep
the counts in step with every insert, move and delete, and the counts of the records already
there."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.window.counts import DAY_TRIGGERS, RATINGS, TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("window", "0007_case_figures_indexes"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in TRIGGERS],
        migrations.RunSQL(
            "INSERT INTO core_daycount (key, day, n) "
            f"SELECT '{RATINGS}', rated_on, COUNT(*) FROM window_rating GROUP BY rated_on",
            f"DELETE FROM core_daycount WHERE key = '{RATINGS}'",
        ),
        install(TRIGGERS + DAY_TRIGGERS),
    ]

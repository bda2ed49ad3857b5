"""The cases of each window and the ratings of each day (core/counters.py): the triggers that keep
the counts in step with every insert, move and delete, and the counts of the records already
there."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.window.counts import DAY_TRIGGERS, TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("window", "0007_case_figures_indexes"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in TRIGGERS + DAY_TRIGGERS],
        install(TRIGGERS + DAY_TRIGGERS),
    ]

"""The sign-ups and attendances of each day (core/counters.py), kept by triggers, with the count of
those already there: the lengths of the committee's whole sign-up and attendance lists."""

from django.db import migrations

from guanqing.community.counts import DAY_TRIGGERS
from guanqing.core.counters import count_existing, install


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        ("community", "0004_rating_counts"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in DAY_TRIGGERS],
        install(DAY_TRIGGERS),
    ]

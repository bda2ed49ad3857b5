"""The activities of each day (core/counters.py), kept by a trigger, with the count of those already
there: the length of the committee's whole activity list."""

from django.db import migrations

from guanqing.community.counts import ACTIVITY_TRIGGERS
from guanqing.core.counters import count_existing, install


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        ("community", "0006_activity_list_order_index"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in ACTIVITY_TRIGGERS],
        install(ACTIVITY_TRIGGERS),
    ]

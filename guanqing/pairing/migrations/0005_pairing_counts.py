"""The pairings of each unit (core/counters.py): the trigger that keeps the count in step with every
insert, move and delete, and the count of the pairings already there."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.pairing.counts import GROUP_TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("pairing", "0004_help_sums"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in GROUP_TRIGGERS],
        install(GROUP_TRIGGERS),
    ]

"""The wishes of each community (core/counters.py): the trigger that keeps the count in step with
every insert, move and delete, and the count of the wishes already there."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.wishes.counts import TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("wishes", "0004_wish_list_order_index"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in TRIGGERS],
        install(TRIGGERS),
    ]

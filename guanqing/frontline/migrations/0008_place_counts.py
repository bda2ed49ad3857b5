"""The places of each division (core/counters.py): the trigger that keeps the count in step with
every insert, move and delete, and the count of the places already there."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.frontline.counts import PLACE_TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        ("frontline", "0007_problem_counts"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in PLACE_TRIGGERS],
        install(PLACE_TRIGGERS),
    ]

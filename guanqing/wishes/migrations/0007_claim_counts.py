"""The claims of each day (core/counters.py), kept by a trigger, with the count of those already
there: the length of the committee's whole claim list."""

from django.db import migrations

from guanqing.core.counters import count_existing, install
from guanqing.wishes.counts import CLAIM_TRIGGERS


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        ("wishes", "0006_claim_list_order_index"),
    ]

    operations = [
        *[count_existing(trigger) for trigger in CLAIM_TRIGGERS],
        install(CLAIM_TRIGGERS),
    ]

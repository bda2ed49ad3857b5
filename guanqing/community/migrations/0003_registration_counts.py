"""The registrations of each community (core/counters.py), kept by a trigger, with the count of
those already there; and an index for the API list's order, newest term first."""

from django.db import migrations, models

from guanqing.community.counts import TRIGGERS
from guanqing.core.counters import count_existing, install


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_groupcount"),
        ("community", "0002_bound_free_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["year", "half", "id"], name="community_reg_term_id_idx"),
        ),
        *[count_existing(trigger) for trigger in TRIGGERS],
        install(TRIGGERS),
    ]

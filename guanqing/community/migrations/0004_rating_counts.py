"""The ratings of each year (core/counters.py), kept by a trigger, with the count of those already
there; and an index for the API list's order, newest term first."""

from django.db import migrations, models

from guanqing.community.counts import RATING_TRIGGERS
from guanqing.core.counters import count_existing, install


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        ("community", "0003_registration_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                fields=["-year", "-half", "member", "id"], name="community_rating_list_idx"
            ),
        ),
        *[count_existing(trigger) for trigger in RATING_TRIGGERS],
        install(RATING_TRIGGERS),
    ]

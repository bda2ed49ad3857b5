"""The queue's order as an index: open cases by state (running before paused), deadline, acceptance
and id. It replaces the (state, deadline) index, a prefix of it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("window", "0003_default_questions_and_zero_items"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="window_case_state_12145d_idx",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["state", "deadline", "accepted_on", "id"],
                name="window_case_state_17c1e9_idx",
            ),
        ),
    ]

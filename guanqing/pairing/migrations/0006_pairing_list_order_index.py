"""The pairing lists' order, newest first: an index to read a page from instead of sorting every
pairing."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0005_pairing_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pairing",
            index=models.Index(fields=["started_on", "id"], name="pairing_started_id_idx"),
        ),
    ]

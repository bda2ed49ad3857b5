"""The claims' API list, newest first: an index to read a page from instead of sorting every
claim."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wishes", "0005_wish_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="wishclaim",
            index=models.Index(fields=["created_at", "id"], name="wishes_claim_created_id_idx"),
        ),
    ]

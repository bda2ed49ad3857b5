"""The visit list's order, newest first (date, then id): a page read from an index that holds
both, instead of sorting every visit of the latest day (thousands at a province's scale). It
replaces the index on the date alone, which it also serves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0006_pairing_list_order_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["date", "id"], name="visit_date_id_idx"),
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="pairing_vis_date_ca63fb_idx",
        ),
    ]

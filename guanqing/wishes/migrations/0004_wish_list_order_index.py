from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wishes", "0003_bound_free_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="wish",
            index=models.Index(fields=["deadline", "id"], name="wishes_wish_deadlin_e234b6_idx"),
        ),
    ]

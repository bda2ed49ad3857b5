"""The committee's activity lists, newest first: an index to read a page from instead of sorting
every activity (96,000 at three tenths of a province)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_signup_and_attendance_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["starts_at", "id"], name="community_activity_listed_idx"),
        ),
    ]

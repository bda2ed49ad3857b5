"""Seed the official calendar for 2004–2026 from chinesecalendar (the State Council's notices)."""

from django.db import migrations


def seed(apps, schema_editor):
    from guanqing.core.calendar.seed import seed as seed_days

    seed_days(apps.get_model("core", "CalendarDay"))


def unseed(apps, schema_editor):
    from guanqing.core.calendar.seed import FIRST_YEAR, LAST_YEAR

    apps.get_model("core", "CalendarDay").objects.filter(
        date__year__gte=FIRST_YEAR, date__year__lte=LAST_YEAR
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendarday")]

    operations = [migrations.RunPython(seed, unseed)]

"""On PostgreSQL, count inserts and deletes once per statement (core/counters.py): the row
triggers installed by the counting apps' migrations are replaced where they are still in place."""

from django.db import migrations

from guanqing.core.counters import statement_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_audit_indexes"),
    ]

    operations = [statement_triggers()]

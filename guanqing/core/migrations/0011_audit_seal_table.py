"""The audit chain's places move out of the records into a narrow table of their own (AuditSeal),
with a queue of the records still to seal (AuditUnsealed) that a trigger fills on every insert.
Sealing was an update of each wide record, which changed an indexed column and so wrote a new
entry in each of its indexes; it is now an insert of a narrow row and a delete from the queue.
The record's account id loses its index: nothing looks records up by it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

QUEUE_TRIGGER = "core_audit_queue"


def copy_places(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditseal (event_id, seq, chain_hmac) "
            "SELECT id, seq, chain_hmac FROM core_auditevent WHERE seq IS NOT NULL"
        )
        cursor.execute(
            "INSERT INTO core_auditunsealed (event_id) "
            "SELECT id FROM core_auditevent WHERE seq IS NULL"
        )


def copy_places_back(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET "
            "seq = (SELECT s.seq FROM core_auditseal s WHERE s.event_id = core_auditevent.id), "
            "chain_hmac = COALESCE((SELECT s.chain_hmac FROM core_auditseal s "
            "WHERE s.event_id = core_auditevent.id), '')"
        )


def queue_trigger(apps, schema_editor):
    """Every inserted record joins the queue in the same statement, whichever way it is written
    (a model save, bulk_create, COPY): on PostgreSQL once per statement from its new rows."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {QUEUE_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN INSERT INTO core_auditunsealed (event_id) SELECT id FROM written; "
                "RETURN NULL; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER {QUEUE_TRIGGER} AFTER INSERT ON core_auditevent "
                "REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {QUEUE_TRIGGER}()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER {QUEUE_TRIGGER} AFTER INSERT ON core_auditevent "
                "BEGIN INSERT INTO core_auditunsealed (event_id) VALUES (NEW.id); END"
            )


def drop_queue_trigger(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {QUEUE_TRIGGER} ON core_auditevent")
            cursor.execute(f"DROP FUNCTION IF EXISTS {QUEUE_TRIGGER}()")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {QUEUE_TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_statement_counting_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="seal",
                        serialize=False,
                        to="core.auditevent",
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(unique=True)),
                ("chain_hmac", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "审计链位置",
                "verbose_name_plural": "审计链位置",
            },
        ),
        migrations.CreateModel(
            name="AuditUnsealed",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="core.auditevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "待入链的审计记录",
                "verbose_name_plural": "待入链的审计记录",
            },
        ),
        migrations.RunPython(copy_places, copy_places_back),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="core_audit_unsealed",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="chain_hmac",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="seq",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        # after the changes above: SQLite rebuilds the table for them, dropping its triggers
        migrations.RunPython(queue_trigger, drop_queue_trigger),
    ]

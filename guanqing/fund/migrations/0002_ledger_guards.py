"""The ledger's second guard, in the database.

- Both databases: an entry or a transaction is never updated (a mistake is reversed instead).
- PostgreSQL: nor deleted (Django's flush empties tables with TRUNCATE there, which row triggers do
  not see; on SQLite it deletes row by row, so deleting is left to the application, which has no
  path that deletes), and a deferred constraint trigger checks at commit that every transaction
  touched has at least two lines and equal debits and credits.
"""

from django.db import migrations

TABLES = ("fund_entry", "fund_transaction")

SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'fund ledger is append-only: reverse, do not edit'); END;"""
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in TABLES]

POSTGRES_UP = [
    """CREATE FUNCTION fund_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'fund ledger is append-only: reverse, do not edit (% on %)', TG_OP, TG_TABLE_NAME;
    END $$;""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION fund_append_only();"""
        for table in TABLES
    ],
    """CREATE FUNCTION fund_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        lines integer;
        debits numeric;
        credits numeric;
    BEGIN
        SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0)
          INTO lines, debits, credits
          FROM fund_entry WHERE transaction_id = NEW.transaction_id;
        IF lines < 2 OR debits <> credits THEN
            RAISE EXCEPTION 'fund transaction % is not balanced: % lines, debits %, credits %',
                NEW.transaction_id, lines, debits, credits;
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE CONSTRAINT TRIGGER fund_entry_balanced AFTER INSERT ON fund_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fund_check_balanced();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS fund_entry_balanced ON fund_entry;",
    "DROP FUNCTION IF EXISTS fund_check_balanced();",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES],
    "DROP FUNCTION IF EXISTS fund_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]

"""Drop the ``varchar_pattern_ops`` indexes Django adds on PostgreSQL next to the plain index of
an indexed or unique text column, on the tables a bank statement import writes (decision 0100).

They serve only ``LIKE 'prefix%'`` queries, and no query on these columns is one (every lookup
is by equality, which the plain index serves — ``EXPLAIN`` of the import's queries shows it);
yet every inserted credit, payment and posting and every claim whose status changes gets a new
entry in each of them. Other databases have none. Django drops such an index with
``IF EXISTS`` when a later migration changes the column, and creates it again when one adds
an index to it; going back, nothing needs to be recreated for the code to work.
"""

from django.db import migrations

TABLES = ("payments_claim", "payments_bankcredit", "payments_payment", "payments_posting")


def drop_pattern_ops_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef LIKE %s",
            [list(TABLES), "%varchar_pattern_ops%"],
        )
        names = [name for (name,) in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_reconcile_speed"),
    ]

    operations = [
        migrations.RunPython(drop_pattern_ops_indexes, migrations.RunPython.noop),
    ]

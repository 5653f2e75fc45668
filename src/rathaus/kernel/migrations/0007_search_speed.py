"""Search speed (decision 0016): the stamps that invalidate ``kernel.search``'s caches, and on
PostgreSQL the ``search_vector`` kept in the row (STORAGE MAIN) instead of TOAST.

Ranking reads the vector of every matching row; out of line, each read was a TOAST lookup
(5–10× slower on 10,000 documents). Rows written after this migration keep it inline; older
rows move when they are indexed again (``rathaus directory reindex``) or by
``VACUUM FULL kernel_searchdocument`` (docs/operations.md).
"""

from django.db import migrations, models

POSTGRESQL_FORWARD = "ALTER TABLE kernel_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN"
POSTGRESQL_BACKWARD = "ALTER TABLE kernel_searchdocument ALTER COLUMN search_vector SET STORAGE EXTENDED"


def _on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kernel", "0006_spent_token_and_idempotency")]

    operations = [
        migrations.CreateModel(
            name="SearchStamp",
            fields=[
                ("visibility", models.CharField(max_length=30, primary_key=True, serialize=False)),
                ("stamp", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "Suchindex-Stand", "verbose_name_plural": "Suchindex-Stände"},
        ),
        migrations.RunPython(_on_postgresql(POSTGRESQL_FORWARD), _on_postgresql(POSTGRESQL_BACKWARD)),
    ]

"""Full-text structures beside kernel_searchdocument, per database vendor.

PostgreSQL: the unaccent extension, a text search configuration ``rathaus_german``
(german stemmer after unaccent, so "Straße" and "Strasse" meet), a ``search_vector``
tsvector column and a GIN index on it.
SQLite: an FTS5 virtual table ``kernel_search_fts`` whose rowid is the document id and
whose columns hold the stems computed in Python (rathaus.domain.text).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rathaus_german') THEN
            CREATE TEXT SEARCH CONFIGURATION rathaus_german (COPY = german);
            ALTER TEXT SEARCH CONFIGURATION rathaus_german
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
        END IF;
    END
    $$
    """,
    "ALTER TABLE kernel_searchdocument ADD COLUMN search_vector tsvector",
    "CREATE INDEX kernel_search_vector_gin ON kernel_searchdocument USING GIN (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS kernel_search_vector_gin",
    "ALTER TABLE kernel_searchdocument DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS rathaus_german",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS kernel_search_fts USING fts5(title, body, tokenize = 'unicode61')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS kernel_search_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kernel", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]

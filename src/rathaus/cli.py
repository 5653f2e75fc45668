"""The ``rathaus`` command: Django's management commands with Rathaus settings.

``rathaus worker`` runs background tasks, ``rathaus tasks`` lists the open and failed ones,
``rathaus demo`` builds the demo city, ``rathaus audit verify`` checks the audit chain;
``rathaus help`` lists everything.

A command that fails because the database is not set up (no tables yet, migrations
missing, server unreachable) ends with one line saying so instead of a traceback;
``--traceback`` shows the traceback anyway.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.config.settings.local")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    arguments = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["rathaus", *arguments])
    except DatabaseError as error:
        problem = database_problem(error)
        if problem is None or "--traceback" in arguments:
            raise
        sys.stderr.write(f"rathaus: {problem}\n")
        sys.exit(1)


def database_problem(error: Exception) -> str | None:
    """One line on what is wrong with the database when ``error`` came from it not being set
    up, or None for any other database error (which keeps its traceback)."""
    from django.db import connections

    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    lowered = text.lower()
    missing = (
        "no such table" in lowered
        or "no such column" in lowered
        or ("does not exist" in lowered and ("relation" in lowered or "column" in lowered))
    )
    if not missing:
        if any(word in lowered for word in ("could not connect", "connection refused", "unable to open")):
            return f"Die Datenbank ist nicht erreichbar ({text}). DATABASE_URL prüfen."
        return None
    try:
        connections.close_all()
        pending = _unapplied_migrations()
    except Exception:  # noqa: BLE001 - the first error is the one to report
        pending = None
    if pending:
        return (
            f"Die Datenbank ist nicht eingerichtet: {pending} Migrationen fehlen ({text}). "
            "Zuerst `rathaus migrate` ausführen."
        )
    return f"Der Datenbank fehlt eine Tabelle ({text}). `rathaus migrate` ausführen, das legt sie an."


def _unapplied_migrations() -> int:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


if __name__ == "__main__":
    main()

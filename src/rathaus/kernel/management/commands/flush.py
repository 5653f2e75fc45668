"""``rathaus flush``: Django's ``flush``, with a SQLite database's tables emptied parents first.

Django empties SQLite tables with one ``DELETE`` each, in no fixed order (the foreign keys are
checked at the commit, when all tables are empty). A trigger that keeps a child row while its
parent needs it – a confirmed appointment's slot claims (``appointments.claim_guard``, decision
0084) – refuses such a ``DELETE`` when the child table comes first. Emptied parents first, the
guard finds no parent and lets every row go. The tests' ``TransactionTestCase`` empties the
database with this command, too. PostgreSQL truncates all tables in one statement, which fires
no row triggers; there nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.management.commands import flush
from django.db import connections

_DELETE = re.compile(r'^DELETE FROM "?([^";\s]+)"?;$')


def parents_first() -> dict[str, int]:
    """Each model table's depth: 0 when it references no other table, else one more than the
    deepest table it references (a cycle counts once)."""
    references: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        references[model._meta.db_table] = {
            field.related_model._meta.db_table
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is not None and field.related_model is not model
        }
    depth: dict[str, int] = {}

    def measure(table: str, seen: frozenset[str]) -> int:
        if table not in depth:
            parents = references.get(table, set()) - seen - {table}
            depth[table] = 1 + max((measure(p, seen | {table}) for p in parents), default=-1)
        return depth[table]

    for table in references:
        measure(table, frozenset())
    return depth


def ordered(statements: Iterable[str]) -> list[str]:
    """``statements`` of a SQLite flush with the ``DELETE``s parents first, anything else after."""
    depth = parents_first()
    last = max(depth.values(), default=0) + 1

    def rank(statement: str) -> int:
        match = _DELETE.match(statement.strip())
        return depth.get(match.group(1), last) if match else last + 1

    return sorted(statements, key=rank)


class Command(flush.Command):
    help = (
        "Alle Daten der Datenbank löschen (wie Djangos flush; bei SQLite die Tabellen in der "
        "Reihenfolge ihrer Fremdschlüssel, damit Schutz-Trigger das Löschen zulassen). "
        "(Remove all data from the database.)"
    )

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        execute = connection.ops.execute_sql_flush

        def execute_ordered(sql_list: Iterable[str]) -> None:
            execute(ordered(sql_list))

        # Only this connection's operations, only for this command.
        connection.ops.execute_sql_flush = execute_ordered  # type: ignore[method-assign,assignment]
        try:
            super().handle(**options)
        finally:
            del connection.ops.execute_sql_flush

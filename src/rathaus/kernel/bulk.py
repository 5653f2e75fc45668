"""Bulk writes of many rows: tuples straight to the database, without model instances.

For loads and imports of tens of thousands of rows, building a model instance per row and
letting ``bulk_create`` compile the INSERT costs far more than the database's own work.
``TableWriter`` takes rows as tuples in a fixed column order and sends them the fastest way
each database offers: INSERTs of many rows each on SQLite and ``COPY … FROM STDIN`` on
PostgreSQL. ``reserve_ids`` hands out primary keys in advance, so
rows of several tables can refer to each other (foreign keys) without a round trip per row.

``collection_paused`` keeps Python's cyclic garbage collector out of one batch of such work.

Values are what the model fields hold (``Decimal``, ``date``, aware ``datetime``, ``str``,
``int``, ``None``); datetimes are converted as the ORM converts them (SQLite stores naive UTC).
Write only inside ``transaction.atomic``: the rows, like any others, commit or roll back with
the transaction, and ``reserve_ids`` relies on its lock on SQLite.
"""

from __future__ import annotations

import datetime
import gc
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

__all__ = ["TableWriter", "collection_paused", "reserve_ids"]


class TableWriter:
    """Inserts tuples in the order of ``columns`` (field attnames, e.g. ``claim_id``) into
    ``model``'s table. Columns left out take their database default (an omitted primary key
    is assigned by the database)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {unknown}")
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(str(fields[c].column)) for c in columns)
        self._row = "(" + ", ".join(["?"] * len(columns)) + ")"  # SQLite's own placeholders
        # As many rows per INSERT as the driver takes parameters: several times faster than
        # ``executemany``, which runs the statement once per row.
        self._rows_per_insert = max(1, (connection.features.max_query_params or 999) // len(columns))
        self._inserts: dict[int, str] = {}
        # SQLite takes datetimes only as the ORM writes them; psycopg converts them itself.
        self._datetimes = [
            i
            for i, c in enumerate(columns)
            if connection.vendor != "postgresql" and isinstance(fields[c], models.DateTimeField)
        ]

    def write(self, cursor: CursorWrapper, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if connection.vendor == "postgresql":
            # psycopg 3: COPY is several times faster than INSERT for bulk loads.
            with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if self._datetimes:
            rows = self._adapted(rows)
        # sqlite3's own ``execute`` with ``?`` placeholders: Django's cursor rewrites every
        # ``%s`` of each statement with a regular expression first, a quarter of the insert.
        execute, raw = sqlite3.Cursor.execute, cursor.cursor
        step = self._rows_per_insert
        for start in range(0, len(rows), step):
            page = rows[start : start + step]
            execute(raw, self._insert(len(page)), [value for row in page for value in row])

    def _insert(self, count: int) -> str:
        if count not in self._inserts:
            values = ", ".join([self._row] * count)
            self._inserts[count] = f"INSERT INTO {self.table} ({self.columns}) VALUES {values}"  # noqa: S608
        return self._inserts[count]

    def _adapted(self, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        done: dict[datetime.datetime, str | None] = {}  # a batch's rows mostly share one timestamp
        adapt = connection.ops.adapt_datetimefield_value
        out = []
        for row in rows:
            values = list(row)
            for i in self._datetimes:
                value = values[i]
                if isinstance(value, datetime.datetime):
                    if value not in done:
                        done[value] = adapt(value)
                    values[i] = done[value]
            out.append(values)
        return out


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` that no other writer will use.

    PostgreSQL draws them from the table's sequence (``nextval``, as an insert would). SQLite
    (``AUTOINCREMENT`` tables, as Django creates them) moves the table's counter in
    ``sqlite_sequence`` past them; that is a write, so the transaction holds the database's
    write lock from here on and no other writer can take the same numbers.
    """
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids needs a transaction (transaction.atomic)")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), str(pk.column)]
            )
            sequence = cursor.fetchone()[0]
            # The sequence as a constant: looked up per row, it would cost several times more.
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        # Take the write lock before reading the counter (a no-op in BEGIN IMMEDIATE mode).
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(str(pk.column))}) FROM {qn(table)}")  # noqa: S608
        top = max(found[0] if found else 0, cursor.fetchone()[0] or 0)
        if found:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + count])
    return list(range(top + 1, top + count + 1))


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection during one batch of bulk work (a second or so).

    A batch keeps some 100,000 objects alive until it is written (rows, matches, claims); each
    time enough of them pile up the collector walks the whole heap, and it did so often enough
    to take a quarter of a bank statement import (issue 13, measured). Reference counting still
    frees what the batch drops at once; cycles wait for the first collection after it. The
    collector is switched on again only if it was on: nested or concurrent use leaves it as
    the outermost caller found it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

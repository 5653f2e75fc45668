"""The database part of a backup: a consistent snapshot (SQLite's backup API, ``pg_dump`` on an
exported snapshot) and its restore, and finding PostgreSQL's client tools."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ..models import AuditEntry, Blob
from ._common import BackupError, Progress


def _pg_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def find_pg_tool(name: str, *, bin_dir: str | None = None) -> str:
    """Path of ``pg_dump``/``pg_restore`` whose major version is at least the server's.

    Looks in ``bin_dir`` (or ``RATHAUS_PG_BIN_DIR``), then in ``/usr/lib/postgresql/<major>/bin``
    (Debian's layout) and then on ``PATH``. ``BackupError`` says what to install when none fits.
    """
    major = _pg_major()
    candidates = [
        os.path.join(directory, name)
        for directory in (bin_dir, os.environ.get("RATHAUS_PG_BIN_DIR"), f"/usr/lib/postgresql/{major}/bin")
        if directory
    ]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    found: list[str] = []
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        output = subprocess.run(  # noqa: S603 (a PostgreSQL client tool, fixed argument)
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", output)
        if match and int(match.group(1)) >= major:
            return candidate
        found.append(f"{candidate} ({output.strip() or 'unbekannte Version'})")
    seen = "; gefunden: " + ", ".join(found) if found else ""
    raise BackupError(
        f"{name} für PostgreSQL {major} fehlt{seen}. Bitte die Client-Werkzeuge derselben Hauptversion "
        f"installieren (Debian: postgresql-client-{major}) oder RATHAUS_PG_BIN_DIR setzen."
    )


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run_pg(arguments: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 (a PostgreSQL client tool with our own arguments)
        arguments, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = os.path.basename(arguments[0])
        raise BackupError(f"{tool} ist fehlgeschlagen: {result.stderr.strip()[-1500:]}")


def _server_version() -> str:
    if connection.vendor == "postgresql":
        return str(connection.pg_version)  # type: ignore[attr-defined]
    return sqlite3.sqlite_version


def database_is_empty() -> bool:
    """True when the target database has no tables at all (not even Django's own)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


@dataclass(frozen=True)
class _Snapshot:
    migrations: list[str]
    hashes: list[str]
    audit_key_ids: list[str]


def _snapshot_queries() -> list[str]:
    return [
        "SELECT app, name FROM django_migrations",
        f"SELECT sha256 FROM {Blob._meta.db_table} ORDER BY sha256",  # noqa: S608 (our table name)
        f"SELECT DISTINCT key_id FROM {AuditEntry._meta.db_table} WHERE key_id <> ''",  # noqa: S608
    ]


def _snapshot_from(results: list[list[tuple[Any, ...]]]) -> _Snapshot:
    migrations, hashes, key_ids = results
    return _Snapshot(
        migrations=sorted(f"{app}.{name}" for app, name in migrations),
        hashes=[row[0] for row in hashes],
        audit_key_ids=sorted(row[0] for row in key_ids),
    )


def _read_sqlite_snapshot(path: Path) -> _Snapshot:
    """Migrations, blob hashes and audit key ids as they are in the SQLite snapshot file."""
    snapshot = sqlite3.connect(path)
    try:
        return _snapshot_from([snapshot.execute(query).fetchall() for query in _snapshot_queries()])
    finally:
        snapshot.close()


def _snapshot_sqlite(target: Path, progress: Progress) -> _Snapshot:
    connection.ensure_connection()
    progress("database", 0, 1)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy is taken under one read transaction, so it is
        # consistent; in WAL mode that does not block the application's writers.
        connection.connection.backup(copy, pages=-1)
    finally:
        copy.close()
    progress("database", 1, 1)
    return _read_sqlite_snapshot(target)


def _snapshot_postgresql(target: Path, progress: Progress, pg_bin: str | None) -> _Snapshot:
    if connection.in_atomic_block:
        raise BackupError("Eine Sicherung kann nicht innerhalb einer offenen Transaktion laufen.")
    pg_dump = find_pg_tool("pg_dump", bin_dir=pg_bin)
    progress("database", 0, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump runs on exactly this snapshot, so the blob list below matches the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        results = []
        for query in _snapshot_queries():
            cursor.execute(query)
            results.append(cursor.fetchall())
        _run_pg(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            ]
        )
    progress("database", 1, 1)
    return _snapshot_from(results)


def _restore_sqlite(db_file: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        # The backup API replaces the whole database under its write lock, in one step.
        source.backup(connection.connection, pages=-1)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(db_file: Path, pg_restore: str, *, clean: bool) -> None:
    connection.close()
    arguments = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        arguments += ["--clean", "--if-exists"]
    _run_pg([*arguments, f"--dbname={_pg_env()['PGDATABASE']}", str(db_file)])

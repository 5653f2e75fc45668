"""Backup and restore of one Rathaus installation: the database and the blobs, in one archive.

The archive is an uncompressed tar file (the blobs are mostly PDFs and images, which do not
compress) with these members:

- ``database/rathaus.sqlite3`` (SQLite, made with SQLite's online backup API, which gives a
  consistent copy while the application keeps writing) or ``database/rathaus.pgdump``
  (PostgreSQL, ``pg_dump --format=custom`` run on an exported REPEATABLE READ snapshot);
- ``blobs/ab/cd/abcdef…``: every blob the snapshot's ``kernel_blob`` rows name, copied *after*
  the snapshot. Blobs are immutable and content-addressed, so a copy taken later is the same
  bytes; a blob the snapshot names but the storage no longer has fails the backup;
- ``manifest.json`` (last): format version, time, Rathaus version, database vendor, applied
  migrations, blob count and the SHA-256 and size of every other member.

``restore_archive`` checks the manifest and every member's hash *before* it touches anything,
refuses a database that already holds tables unless ``force``, restores the database and the
blobs and then runs ``check_installation``: every blob row has its file, every file's SHA-256
and size match its row, and the audit chain verifies (``audit.verify``).

Public API: ``create_archive``, ``verify_archive``, ``restore_archive``, ``check_before_restore``,
``check_installation``, ``find_pg_tool``, ``BackupError``, ``Manifest``, ``CheckReport``, ``Progress``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from . import audit, blob_crypto, blobs
from .exceptions import RathausError
from .models import AuditEntry, Blob

__all__ = [
    "FORMAT_VERSION",
    "BackupError",
    "CheckReport",
    "Manifest",
    "Progress",
    "check_before_restore",
    "check_installation",
    "create_archive",
    "find_pg_tool",
    "restore_archive",
    "verify_archive",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/rathaus.sqlite3"
PGDUMP_MEMBER = "database/rathaus.pgdump"
BLOB_PREFIX = "blobs/"
CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# progress(step, done, total): step is "database", "blobs", "verify" or "check".
Progress = Callable[[str, int, int], None]


class BackupError(RathausError):
    """The backup or restore cannot go on; the message says why (German)."""

    http_status = 500
    default_code = "backup_failed"
    default_message = "Die Sicherung ist fehlgeschlagen."


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    rathaus_version: str
    vendor: str
    server_version: str
    migrations: list[str]
    blob_count: int
    members: dict[str, dict[str, Any]]
    # Ids (not the keys) of the audit chain keys the log uses: restoring needs those keys.
    audit_key_ids: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            manifest = cls(
                format_version=int(data["format_version"]),
                created_at=str(data["created_at"]),
                rathaus_version=str(data["rathaus_version"]),
                vendor=str(data["vendor"]),
                server_version=str(data.get("server_version", "")),
                migrations=[str(name) for name in data["migrations"]],
                blob_count=int(data["blob_count"]),
                members={str(name): dict(info) for name, info in data["members"].items()},
                audit_key_ids=[str(key_id) for key_id in data.get("audit_key_ids", [])],
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError("Das Inhaltsverzeichnis (manifest.json) der Sicherung ist unlesbar.") from error
        return manifest

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.vendor == "sqlite" else PGDUMP_MEMBER


@dataclass
class CheckReport:
    """What ``check_installation`` found; ``ok`` when ``problems`` is empty."""

    blobs_checked: int = 0
    audit_entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rathaus_version() -> str:
    from rathaus import __version__

    return __version__


def _blob_storage():
    return storages[settings.BLOB_STORAGE_ALIAS]


def _blob_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _noop(step: str, done: int, total: int) -> None:
    return None


class _HashingReader:
    """Reads through ``source`` and hashes what it hands out (for tar members)."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


# --- PostgreSQL tools ----------------------------------------------------------------------------


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


# --- the database snapshot ----------------------------------------------------------------------


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


# --- create -------------------------------------------------------------------------------------


def _add_member(archive: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> tuple[str, int]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    reader = _HashingReader(source)
    archive.addfile(info, reader)  # type: ignore[arg-type]
    if reader.count != size:
        raise BackupError(f"{name}: {reader.count} statt {size} Bytes gelesen.")
    return reader.digest.hexdigest(), size


def create_archive(target: Path, *, progress: Progress | None = None, pg_bin: str | None = None) -> Manifest:
    """Write a consistent backup of the database and all referenced blobs to ``target``.

    The archive is written to ``target.partial`` (mode 0600: it holds personal data) and
    renamed when complete, so a failed run never leaves a file that looks like a backup.
    """
    report = progress or _noop
    target = Path(target)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Datenbank „{vendor}“ wird nicht unterstützt (nur SQLite und PostgreSQL).")
    partial = target.with_name(target.name + ".partial")
    members: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="rathaus-backup-") as tmp:
        if vendor == "sqlite":
            db_file = Path(tmp) / "rathaus.sqlite3"
            snapshot = _snapshot_sqlite(db_file, report)
            db_member = SQLITE_MEMBER
        else:
            db_file = Path(tmp) / "rathaus.pgdump"
            snapshot = _snapshot_postgresql(db_file, report, pg_bin)
            db_member = PGDUMP_MEMBER
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                with db_file.open("rb") as handle:
                    digest, size = _add_member(tar, db_member, handle, db_file.stat().st_size)
                members[db_member] = {"sha256": digest, "size": size}
                _copy_blobs(tar, snapshot.hashes, members, report)
                manifest = Manifest(
                    format_version=FORMAT_VERSION,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    rathaus_version=_rathaus_version(),
                    vendor=vendor,
                    server_version=_server_version(),
                    migrations=snapshot.migrations,
                    blob_count=len(snapshot.hashes),
                    members=members,
                    audit_key_ids=snapshot.audit_key_ids,
                )
                raw_manifest = manifest.to_json()
                _add_member(tar, MANIFEST, io.BytesIO(raw_manifest), len(raw_manifest))
                raw.flush()
                os.fsync(raw.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(target)
    return manifest


def _server_version() -> str:
    if connection.vendor == "postgresql":
        return str(connection.pg_version)  # type: ignore[attr-defined]
    return sqlite3.sqlite_version


def _copy_blobs(
    tar: tarfile.TarFile, hashes: list[str], members: dict[str, dict[str, Any]], report: Progress
) -> None:
    storage = _blob_storage()
    missing: list[str] = []
    corrupted: list[str] = []
    report("blobs", 0, len(hashes))
    for done, sha256 in enumerate(hashes, start=1):
        path = _blob_path(sha256)
        name = BLOB_PREFIX + path
        try:
            size = storage.size(path)
            handle = storage.open(path, "rb")
        except (FileNotFoundError, OSError):
            missing.append(sha256)
            continue
        with handle:
            digest, size = _add_member(tar, name, handle, size)
        # The archive keeps the files as stored (encrypted); each must open to its hash.
        if not blobs.stored_matches(path=path, sha256=sha256):
            corrupted.append(sha256)
        members[name] = {"sha256": digest, "size": size}
        report("blobs", done, len(hashes))
    if missing or corrupted:
        parts = []
        if missing:
            parts.append(f"{len(missing)} Dateien fehlen im Speicher (z. B. {missing[0]})")
        if corrupted:
            parts.append(f"{len(corrupted)} Dateien passen nicht zu ihrer Prüfsumme (z. B. {corrupted[0]})")
        raise BackupError("Sicherung abgebrochen: " + "; ".join(parts) + ".")


# --- verify and restore -------------------------------------------------------------------------


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Keine lesbare Sicherung: {path} ({error}).") from error


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("Die Sicherung hat kein Inhaltsverzeichnis (manifest.json).") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError("Das Inhaltsverzeichnis (manifest.json) der Sicherung ist unlesbar.")
    return Manifest.from_json(handle.read(1024 * 1024 * 64))


def _check_blob_member(tar: tarfile.TarFile, member: tarfile.TarInfo, sha256: str) -> None:
    """The archived file opens (with a configured key) to bytes with the SHA-256 it is named by."""
    handle = tar.extractfile(member)
    assert handle is not None  # a regular file, checked by the caller
    try:
        opened = blob_crypto.open_stored(handle.read(), sha256=sha256)
    except blob_crypto.SealError as error:
        raise BackupError(f"Sicherung: {member.name} lässt sich nicht öffnen. {error}") from error
    if hashlib.sha256(opened.plaintext).hexdigest() != sha256:
        raise BackupError(f"Sicherung beschädigt: {member.name} ist nicht nach seinem Inhalt benannt.")


def _hash_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{member.name}: kein gewöhnlicher Archiveintrag.")
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def verify_archive(path: Path, *, progress: Progress | None = None) -> Manifest:
    """Check an archive without restoring it: the manifest is readable and of a known format,
    every member is listed with the right SHA-256 and size, blob members are named after their
    hash, the database member is there, and nothing else is in the archive."""
    report = progress or _noop
    with _open_archive(Path(path)) as tar:
        manifest = _read_manifest(tar)
        if manifest.format_version != FORMAT_VERSION:
            raise BackupError(
                f"Sicherungsformat {manifest.format_version} wird nicht unterstützt "
                f"(diese Version liest Format {FORMAT_VERSION})."
            )
        if manifest.vendor not in ("sqlite", "postgresql"):
            raise BackupError(f"Unbekannte Datenbank „{manifest.vendor}“ in der Sicherung.")
        if manifest.database_member not in manifest.members:
            raise BackupError("Die Datenbank fehlt im Inhaltsverzeichnis der Sicherung.")
        members = {member.name: member for member in tar.getmembers() if member.name != MANIFEST}
        unlisted = sorted(set(members) - set(manifest.members))
        if unlisted:
            raise BackupError(f"Die Sicherung enthält nicht verzeichnete Einträge, z. B. {unlisted[0]}.")
        absent = sorted(set(manifest.members) - set(members))
        if absent:
            raise BackupError(f"{len(absent)} Einträge der Sicherung fehlen, z. B. {absent[0]}.")
        blob_names = [name for name in manifest.members if name.startswith(BLOB_PREFIX)]
        if len(blob_names) != manifest.blob_count:
            raise BackupError(
                f"Die Sicherung enthält {len(blob_names)} Dateien, "
                f"das Inhaltsverzeichnis nennt {manifest.blob_count}."
            )
        total = len(members)
        report("verify", 0, total)
        for done, (name, member) in enumerate(sorted(members.items()), start=1):
            expected = manifest.members[name]
            if not member.isfile() or member.size != int(expected.get("size", -1)):
                raise BackupError(f"Sicherung beschädigt: {name} hat die falsche Größe.")
            if _hash_member(tar, member) != expected.get("sha256"):
                raise BackupError(f"Sicherung beschädigt: die Prüfsumme von {name} stimmt nicht.")
            if name.startswith(BLOB_PREFIX):
                sha256 = name.rsplit("/", 1)[-1]
                if not _SHA256.match(sha256) or name != BLOB_PREFIX + _blob_path(sha256):
                    raise BackupError(f"Sicherung beschädigt: {name} ist nicht nach seinem Inhalt benannt.")
                _check_blob_member(tar, member, sha256)
            report("verify", done, total)
    return manifest


def database_is_empty() -> bool:
    """True when the target database has no tables at all (not even Django's own)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _unknown_migrations(manifest: Manifest) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    return sorted(set(manifest.migrations) - known)


def restore_archive(
    path: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    pg_bin: str | None = None,
) -> tuple[Manifest, CheckReport]:
    """Restore ``path`` into the configured database and blob storage, then check the result.

    Nothing is touched unless the archive verifies completely, it was made from the same
    database vendor, this code knows every migration it contains, and the database is empty
    (or ``force``). Returns the manifest and the ``CheckReport`` of the restored installation.
    """
    report = progress or _noop
    path = Path(path)
    manifest = verify_archive(path, progress=report)
    check_before_restore(manifest, force=force)
    vendor = connection.vendor
    if vendor == "postgresql":
        pg_restore = find_pg_tool("pg_restore", bin_dir=pg_bin)
    with _open_archive(path) as tar, tempfile.TemporaryDirectory(prefix="rathaus-restore-") as tmp:
        db_member = tar.getmember(manifest.database_member)
        db_file = Path(tmp) / os.path.basename(db_member.name)
        with tar.extractfile(db_member) as source, db_file.open("wb") as copy:  # type: ignore[union-attr]
            shutil.copyfileobj(source, copy, CHUNK)
        report("database", 0, 1)
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file, pg_restore, clean=force)
        report("database", 1, 1)
        _restore_blobs(tar, manifest, report)
    return manifest, check_installation(progress=report)


def check_before_restore(manifest: Manifest, *, force: bool = False) -> None:
    """Refuse (``BackupError``) a restore of ``manifest`` into this installation: another database
    vendor, migrations this code does not know, audit chain keys that are not configured, or a
    database that is not empty (unless ``force``). Touches nothing."""
    vendor = connection.vendor
    if manifest.vendor != vendor:
        raise BackupError(
            f"Die Sicherung stammt aus {_vendor_label(manifest.vendor)}, "
            f"eingerichtet ist {_vendor_label(vendor)}. "
            "Eine Sicherung lässt sich nur in dieselbe Datenbankart zurückspielen."
        )
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            f"Die Sicherung stammt aus einer neueren Rathaus-Version ({manifest.rathaus_version}): "
            f"{len(unknown)} Migrationen sind hier unbekannt, z. B. {unknown[0]}. "
            "Bitte zuerst Rathaus aktualisieren."
        )
    missing_keys = sorted(set(manifest.audit_key_ids) - set(audit._chain_keys()))
    if missing_keys:
        raise BackupError(
            f"Das Prüfprotokoll der Sicherung ist mit dem Schlüssel {missing_keys[0]} verkettet, der hier "
            "nicht eingerichtet ist: AUDIT_CHAIN_KEY (oder AUDIT_CHAIN_OLD_KEYS) des gesicherten Systems "
            "übernehmen, sonst lässt sich das Prüfprotokoll nicht prüfen."
        )
    if not force and not database_is_empty():
        raise BackupError(
            "Die Datenbank ist nicht leer. Zurückspielen überschreibt sie; dazu --force angeben "
            "(vorher selbst sichern)."
        )


def _vendor_label(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


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


def _restore_blobs(tar: tarfile.TarFile, manifest: Manifest, report: Progress) -> None:
    storage = _blob_storage()
    names = sorted(name for name in manifest.members if name.startswith(BLOB_PREFIX))
    report("blobs", 0, len(names))
    for done, name in enumerate(names, start=1):
        path = name.removeprefix(BLOB_PREFIX)
        sha256 = path.rsplit("/", 1)[-1]
        if storage.exists(path):
            if blobs.stored_matches(path=path, sha256=sha256):
                report("blobs", done, len(names))
                continue
            storage.delete(path)
        handle = tar.extractfile(tar.getmember(name))
        assert handle is not None  # checked by verify_archive
        saved = storage.save(path, File(handle, name=sha256))
        if saved != path:
            storage.delete(saved)
            raise BackupError(f"Datei {sha256} konnte nicht unter ihrem Namen gespeichert werden.")
        report("blobs", done, len(names))


def check_installation(*, progress: Progress | None = None) -> CheckReport:
    """Check the installation as it is now: every blob row has its file, with the right SHA-256
    and size, and the audit chain verifies. Problems are collected, not raised."""
    report = progress or _noop
    result = CheckReport()
    rows: Iterable[tuple[str, int]] = Blob.objects.order_by("sha256").values_list("sha256", "size")
    rows = list(rows)
    report("check", 0, len(rows))
    for done, (sha256, size) in enumerate(rows, start=1):
        problem = blobs.stored_problem(sha256=sha256, size=size)
        if problem:
            result.problems.append(problem)
        result.blobs_checked = done
        report("check", done, len(rows))
    verdict = audit.verify()
    result.audit_entries = verdict.checked
    if not verdict.ok:
        result.problems.append(
            f"Prüfprotokoll beschädigt bei Eintrag {verdict.first_broken_seq}: "
            f"{verdict.reason} – {verdict.detail}"
        )
    return result

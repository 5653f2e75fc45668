"""Restoring a verified archive into an empty installation, and checking an installation."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.files import File
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from .. import audit, blobs
from ..models import Blob
from ._common import BLOB_PREFIX, CHUNK, BackupError, CheckReport, Manifest, Progress, _blob_storage, _noop
from .database import _restore_postgresql, _restore_sqlite, database_is_empty, find_pg_tool
from .verify import _open_archive, verify_archive


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

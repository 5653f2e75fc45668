"""Writing a backup archive: the database snapshot, then every blob it names, then the manifest."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.db import connection

from .. import blobs
from ._common import (
    BLOB_PREFIX,
    FORMAT_VERSION,
    MANIFEST,
    PGDUMP_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    Manifest,
    Progress,
    _blob_path,
    _blob_storage,
    _HashingReader,
    _noop,
    _rathaus_version,
)
from .database import _server_version, _snapshot_postgresql, _snapshot_sqlite


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

"""Checking an archive without restoring it: manifest, members, hashes and blob names."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

from .. import blob_crypto
from ._common import (
    _SHA256,
    BLOB_PREFIX,
    CHUNK,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    Manifest,
    Progress,
    _blob_path,
    _noop,
)


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

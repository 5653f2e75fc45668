"""What the backup's parts share: the archive's names, the manifest, the check report, the error."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import storages

from ..exceptions import RathausError

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

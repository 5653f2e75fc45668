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
By part: ``create`` (write an archive), ``verify`` (check one), ``restore`` (restore one and
check the installation), ``database`` (the snapshot, its restore, PostgreSQL's tools), ``_common``
(names, manifest, report, error). Import from this package, not from its modules.
"""

from __future__ import annotations

from ._common import FORMAT_VERSION, BackupError, CheckReport, Manifest, Progress
from .create import create_archive
from .database import find_pg_tool
from .restore import check_before_restore, check_installation, restore_archive
from .verify import verify_archive

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

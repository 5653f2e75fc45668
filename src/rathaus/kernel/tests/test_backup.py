"""Backup and restore drill: back up, destroy, restore, verify every blob hash and the audit chain.

The restore always goes into a *separate* database, so the test database the other tests use is
never touched: on SQLite a file database in a temporary directory (the child process runs with
``RATHAUS_VAR_DIR``), on PostgreSQL a scratch database made with ``CREATE DATABASE`` and dropped
afterwards. The backup itself runs in this process against the test database; on PostgreSQL that
needs committed data (``pg_dump`` is another session), hence ``transaction=True``.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rathaus.efile import services as efile_services
from rathaus.efile.tests.factories import make_case, make_office, make_staff, make_text_pdf
from rathaus.kernel import audit, backup, blob_crypto, blobs
from rathaus.kernel.management.commands.backup import Command as BackupCommand
from rathaus.kernel.models import AuditEntry, Blob
from rathaus.kernel.testing import sqlite_file_copy

# pg_dump is another session: on PostgreSQL the data must be committed before a backup.
committed = pytest.mark.django_db(transaction=True)

# The child runs the real ``rathaus`` command with the test settings, its blob storage pointed at
# a directory of the test's choosing (the test settings otherwise make a fresh temporary one).
CHILD = """
import os, sys
import django
django.setup()
from django.conf import settings
from django.test.utils import override_settings
location = {"location": os.environ["RATHAUS_TEST_BLOB_DIR"]}
blobs = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": location}
with override_settings(STORAGES={**settings.STORAGES, "blobs": blobs}):
    from rathaus.cli import main
    main(sys.argv[1:])
"""


# --- helpers ------------------------------------------------------------------------------------


def _pg_admin():
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def restore_target(tmp_path: Path):
    """An empty database apart from the test database; yields the child's DATABASE_URL ("" for
    the SQLite file in ``tmp_path/var``) and a function that runs SQL in it."""
    var = tmp_path / "var"
    var.mkdir()
    if connection.vendor == "sqlite":

        def run_sqlite(sql: str) -> list[tuple]:
            with sqlite3.connect(var / "rathaus.sqlite3") as db:
                return db.execute(sql).fetchall()

        yield "", run_sqlite
        return
    import psycopg

    name = f"rathaus_restore_{uuid.uuid4().hex[:12]}"
    params = connection.settings_dict
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    url = f"postgres://{user}{password}@{host}:{port}/{name}"

    def run_sql(sql: str) -> list[tuple]:
        with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
            cursor = db.execute(sql)
            return cursor.fetchall() if cursor.description else []

    try:
        yield url, run_sql
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rathaus_child(args: list[str], *, tmp_path: Path, database_url: str, blob_dir: Path):
    env = {
        **os.environ,
        "RATHAUS_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "rathaus.config.settings.test",
        "RATHAUS_TEST_BLOB_DIR": str(blob_dir),
    }
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-c", CHILD, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_records() -> dict[str, object]:
    """Data made through real services: an E-Akte case with two PDF documents, a plain blob and
    audit entries about them."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    marker = uuid.uuid4().hex
    for number in (1, 2):
        efile_services.document_add(
            case=case,
            title=f"Antrag {number}",
            content=make_text_pdf(f"Antrag {number} {marker}"),
            filename="a.pdf",
            by=clerk,
        )
    note = blobs.store(content=f"Vermerk {marker}".encode(), filename="vermerk.txt")
    audit.record(actor=clerk, action="kernel.backup_drill", target=note, details={"marker": marker})
    return {
        "hashes": sorted(Blob.objects.values_list("sha256", flat=True)),
        "audit_count": AuditEntry.objects.count(),
        "audit_head": AuditEntry.objects.order_by("-seq").values_list("hash", flat=True).first(),
    }


def files_in(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` after decryption (files are encrypted at
    rest), by file name."""
    return {
        path.name: hashlib.sha256(
            blob_crypto.open_stored(path.read_bytes(), sha256=path.name).plaintext
        ).hexdigest()
        for path in directory.rglob("*")
        if path.is_file()
    }


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    assert handle is not None, member.name
    return handle.read()


def rewrite_member(archive: Path, name: str, change) -> None:
    """Rewrite ``archive`` with member ``name``'s bytes passed through ``change`` (manifest kept)."""
    with tarfile.open(archive) as tar:
        members = [(member, _read(tar, member)) for member in tar.getmembers()]
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            if member.name == name:
                data = change(data)
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


# --- the drill ----------------------------------------------------------------------------------


@committed
def test_drill_backup_destroy_restore_verifies_every_blob_and_the_audit_chain(tmp_path, blob_storage):
    """A backup restored into an empty database and an empty blob store brings back every blob
    (same SHA-256) and the same audit chain, which verifies."""
    # given: documents, blobs and audit entries, made through the services
    made = make_records()
    archive = tmp_path / "sicherung.tar"

    # when: backed up ...
    call_command("backup", "create", "--output", str(archive), "--no-progress", stdout=io.StringIO())
    # ... and destroyed: the blob files are deleted, the database is gone (an empty one waits)
    for sha256 in made["hashes"]:
        (blob_storage / sha256[:2] / sha256[2:4] / sha256).unlink()
    assert not set(made["hashes"]) & set(files_in(blob_storage))
    restored_blobs = tmp_path / "restored-blobs"
    with restore_target(tmp_path) as (database_url, run_sql):
        child = rathaus_child(
            ["backup", "restore", str(archive), "--no-progress"],
            tmp_path=tmp_path,
            database_url=database_url,
            blob_dir=restored_blobs,
        )
        # then: the restore reports success after its own checks ...
        assert child.returncode == 0, child.stderr[-3000:]
        assert "Alles in Ordnung" in child.stdout
        assert f"{len(made['hashes'])} Dateien" in child.stdout
        # ... every blob is back under its name with the right hash ...
        stored = files_in(restored_blobs)
        assert sorted(stored) == made["hashes"]
        assert all(name == digest for name, digest in stored.items())
        # ... the rows are the same ...
        assert sorted(row[0] for row in run_sql("SELECT sha256 FROM kernel_blob")) == made["hashes"]
        assert run_sql("SELECT COUNT(*) FROM kernel_auditentry")[0][0] == made["audit_count"]
        assert (
            run_sql("SELECT hash FROM kernel_auditentry ORDER BY seq DESC LIMIT 1")[0][0]
            == made["audit_head"]
        )
        # ... and the audit chain verifies in the restored installation (restore runs audit.verify).
        assert f"{made['audit_count']} Einträge im Prüfprotokoll" in child.stdout


@committed
@pytest.mark.parametrize("member", ["blob", "database"])
def test_tampered_archive_is_refused_before_anything_is_restored(tmp_path, member):
    """A changed member (its hash no longer matches the manifest) is refused by verify and by
    restore, and the restore leaves database and blob store untouched."""
    # given
    made = make_records()
    archive = tmp_path / "sicherung.tar"
    manifest = backup.create_archive(archive)
    name = (
        f"blobs/{made['hashes'][0][:2]}/{made['hashes'][0][2:4]}/{made['hashes'][0]}"
        if member == "blob"
        else manifest.database_member
    )
    rewrite_member(archive, name, lambda data: data[:-1] + bytes([data[-1] ^ 1]))

    # when / then: verify refuses
    with pytest.raises(backup.BackupError, match="Prüfsumme"):
        backup.verify_archive(archive)
    if member == "database":
        return  # the restore path is the same for every member; one child process is enough
    # when: restored into an empty target
    restored_blobs = tmp_path / "restored-blobs"
    with restore_target(tmp_path) as (database_url, run_sql):
        child = rathaus_child(
            ["backup", "restore", str(archive), "--no-progress"],
            tmp_path=tmp_path,
            database_url=database_url,
            blob_dir=restored_blobs,
        )
        # then: refused, and nothing was restored
        assert child.returncode == 1
        assert "Sicherung beschädigt" in child.stderr
        assert name in child.stderr
        tables = (
            run_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not database_url
            else run_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        assert tables == []
        assert not restored_blobs.exists() or files_in(restored_blobs) == {}


@committed
def test_restore_onto_a_non_empty_database_needs_force(tmp_path, blob_storage):
    """Without --force a database that holds tables is refused and left as it was; with --force
    it is replaced by the backup."""
    # given: an archive, and a target database that already holds data
    make_records()
    archive = tmp_path / "sicherung.tar"
    backup.create_archive(archive)
    restored_blobs = tmp_path / "restored-blobs"
    with restore_target(tmp_path) as (database_url, run_sql):
        if database_url:
            run_sql("CREATE TABLE fremd (id int); INSERT INTO fremd VALUES (42)")
        else:
            with sqlite_file_copy() as copy:
                (copy / "rathaus.sqlite3").replace(tmp_path / "var" / "rathaus.sqlite3")
            run_sql("CREATE TABLE fremd (id int)")
            run_sql("INSERT INTO fremd VALUES (42)")

        # when: restored without --force
        refused = rathaus_child(
            ["restore", str(archive), "--no-progress"],
            tmp_path=tmp_path,
            database_url=database_url,
            blob_dir=restored_blobs,
        )
        # then: refused, the data is still there
        assert refused.returncode == 1
        assert "nicht leer" in refused.stderr
        assert run_sql("SELECT id FROM fremd") == [(42,)]

        # when: restored with --force
        forced = rathaus_child(
            ["restore", str(archive), "--force", "--no-progress"],
            tmp_path=tmp_path,
            database_url=database_url,
            blob_dir=restored_blobs,
        )
        # then: the backup is in place and checked
        assert forced.returncode == 0, forced.stderr[-3000:]
        assert "Alles in Ordnung" in forced.stdout


# --- single checks (in this process, nothing restored) ----------------------------------------


@committed
def test_archive_lists_every_member_with_its_hash(tmp_path):
    """The manifest names vendor, version, migrations and the SHA-256 of every member; blob members
    are named after their content; the archive is readable only by its owner."""
    made = make_records()
    archive = tmp_path / "sicherung.tar"

    manifest = backup.create_archive(archive)

    assert manifest.vendor == connection.vendor
    assert manifest.format_version == backup.FORMAT_VERSION
    assert "kernel.0001_initial" in manifest.migrations
    assert manifest.blob_count == len(made["hashes"])
    assert manifest.audit_key_ids == [audit.current_key_id()]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert names[-1] == "manifest.json"
        for name in names[:-1]:
            data = tar.extractfile(name).read()
            assert manifest.members[name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(name.rsplit("/", 1)[-1] for name in names if name.startswith("blobs/")) == made["hashes"]
    assert backup.verify_archive(archive) == manifest


@committed
def test_backup_fails_when_a_referenced_blob_is_missing(tmp_path, blob_storage):
    """A blob row without its file stops the backup, and no archive is left behind."""
    make_records()
    victim = Blob.objects.first()
    (blob_storage / victim.path).unlink()
    archive = tmp_path / "sicherung.tar"

    with pytest.raises(backup.BackupError, match="fehlen im Speicher"):
        backup.create_archive(archive)

    assert list(tmp_path.glob("sicherung.tar*")) == []


@committed
def test_unlisted_member_is_refused(tmp_path):
    """A member the manifest does not list is refused."""
    make_records()
    archive = tmp_path / "sicherung.tar"
    backup.create_archive(archive)
    with tarfile.open(archive, "a") as tar:
        extra = tarfile.TarInfo("blobs/00/00/" + "0" * 64)
        extra.size = 1
        tar.addfile(extra, io.BytesIO(b"x"))
    with pytest.raises(backup.BackupError, match="nicht verzeichnete"):
        backup.verify_archive(archive)


@pytest.mark.django_db
def test_check_finds_a_changed_blob_file(blob_storage):
    """``backup check`` reports a blob whose bytes no longer match its SHA-256, and exits 1."""
    stored = blobs.store(content=b"Bescheid vom 2. Dezember 2026", filename="bescheid.txt")
    audit.record(actor=None, action="kernel.backup_drill", target=stored)
    out = io.StringIO()
    call_command("backup", "check", "--no-progress", stdout=out)
    assert "Alles in Ordnung" in out.getvalue()

    (blob_storage / stored.path).write_bytes(b"Bescheid vom 3. Dezember 2026")

    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("backup", "check", "--no-progress", stdout=out)
    assert error.value.returncode == 1
    assert f"Problem: Datei {stored.sha256}: Prüfsumme stimmt nicht." in out.getvalue()
    report = backup.check_installation()
    assert report.problems == [f"Datei {stored.sha256}: Prüfsumme stimmt nicht."]


def a_manifest(**changes) -> backup.Manifest:
    values = {
        "format_version": backup.FORMAT_VERSION,
        "created_at": "2026-12-02T20:00:00+00:00",
        "rathaus_version": "0.1.0",
        "vendor": connection.vendor,
        "server_version": "",
        "migrations": ["kernel.0001_initial"],
        "blob_count": 0,
        "members": {},
        "audit_key_ids": [audit.current_key_id()],
    }
    return backup.Manifest(**{**values, **changes})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vendor": "oracle"}, "dieselbe Datenbankart"),
        (
            {"migrations": ["kernel.9999_from_the_future"], "rathaus_version": "9.0"},
            "neueren Rathaus-Version",
        ),
        ({"audit_key_ids": ["0123456789abcdef"]}, "AUDIT_CHAIN_KEY"),
        ({}, "nicht leer"),
    ],
)
def test_restore_is_refused_before_touching_anything(changes, message):
    """Another database vendor, a migration this code does not know, an audit chain key that is
    not configured, or (without --force) a database holding tables: refused up front."""
    with pytest.raises(backup.BackupError, match=message):
        backup.check_before_restore(a_manifest(**changes))


@pytest.mark.django_db
def test_force_allows_a_non_empty_database():
    """With --force the same manifest passes the checks on a non-empty database."""
    backup.check_before_restore(a_manifest(), force=True)


@pytest.mark.parametrize("subcommand", ["create", "verify", "restore", "check"])
def test_every_subcommand_has_german_help(subcommand, capsys):
    """``rathaus backup <sub> --help`` explains the subcommand, in German with English in brackets."""
    parser = BackupCommand().create_parser("rathaus", "backup")
    with pytest.raises(SystemExit):
        parser.parse_args([subcommand, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--no-progress" in text
    assert "Keinen Fortschrittsbalken zeigen. (No progress bars.)" in text

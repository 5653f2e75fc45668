"""Test support shared by the apps' test suites (imported by tests only).

``log_in_staff``: a Django test client logged in as a staff member who passed the second factor
(as after the TOTP step), without going through the login pages; ``session_key`` gives the key
of such a session for a browser's cookie (``tests/browser/conftest.py``).

``make_pdf``: a small valid PDF made with fpdf2, showing a text on each page; the same arguments
give the same bytes. Tests of the file checks that need malformed or hostile PDFs build those
bytes themselves.

``sqlite_file_copy``: the SQLite test database lives in memory, shared-cache, so threads cannot
write to it concurrently at all. Race tests on SQLite therefore copy it to a file database with
the embedded settings (WAL, ``BEGIN IMMEDIATE``) and run their threads in a child process.

``clamd_daemon``: a real ClamAV daemon on a Unix socket in a temporary directory, whose only
signature is the EICAR anti-virus test file (``EICAR``), for the malware scan's tests. The
signature database is written by the test itself (the file's bytes), because the official
signatures are downloaded by ``freshclam``, which build machines cannot reach.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import Client

from rathaus.kernel.pdf import text_pdf

__all__ = [
    "CITIZEN_BACKEND",
    "EICAR",
    "STAFF_BACKEND",
    "clamd_daemon",
    "log_in",
    "log_in_staff",
    "make_pdf",
    "run_module",
    "session_key",
    "sqlite_file_copy",
    "totp_device",
]

# The authentication backends of AUTHENTICATION_BACKENDS, by who logs in through them.
STAFF_BACKEND = "rathaus.accounts.backends.PasswordBackend"  # staff and organisations
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"  # citizens, after an eID login
# The creation date of every test PDF, so that the same arguments give the same bytes.
_PDF_CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# The EICAR test file (eicar.org): harmless, recognised as "malware" by every scanner. Written in
# two halves so that this source file is not itself reported by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def totp_device(user: Any) -> Any:
    """The user's confirmed TOTP device; a new one if the user has none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def log_in(
    client: Client,
    user: Any,
    *,
    backend: str = STAFF_BACKEND,
    second_factor: bool = False,
    session: Mapping[str, object] | None = None,
) -> Client:
    """Log ``user`` in on ``client`` through ``backend``; ``second_factor``: as after the TOTP step;
    ``session``: further session values (e.g. a citizen's eIDAS level). Returns ``client``."""
    client.force_login(user, backend=backend)
    values = dict(session or {})
    if second_factor:
        values["otp_device_id"] = totp_device(user).persistent_id
    if values:
        stored = client.session
        stored.update(values)
        stored.save()
    return client


def log_in_staff(client: Client, user: Any) -> Client:
    """``client`` logged in as the staff member ``user`` who passed the second factor (TOTP)."""
    return log_in(client, user, second_factor=True)


def session_key(user: Any, **options: Any) -> str:
    """The key of a new session of ``user`` (options as for ``log_in``), for a browser's cookie."""
    key = log_in(Client(), user, **options).session.session_key
    assert key is not None
    return key


def make_pdf(text: str = "", *, pages: int = 1, title: str = "", password: str | None = None) -> bytes:
    """A valid A4 PDF of ``pages`` pages, each showing ``text`` in Helvetica (text extraction finds
    it; no text: blank pages, as a scan without OCR). ``title`` (default ``text``) goes into the
    metadata, so blank PDFs with different titles differ too. ``password`` encrypts it."""
    return text_pdf(
        text,
        pages=pages,
        title=title or text or "Rathaus-Test",
        creator="Rathaus-Test",
        created=_PDF_CREATED,
        password=password,
    )


@contextmanager
def sqlite_file_copy(*, wal: bool = False) -> Iterator[Path]:
    """Copy the current (SQLite) test database to ``<tmp>/rathaus.sqlite3``; yields ``<tmp>``.

    ``wal``: the copy starts in WAL mode, as an installation's database does (the mode is kept in
    the file); else racing threads' first connections switch it at once, and one may fail with
    "database is locked" before it reaches the race."""
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="rathaus-race-") as tmp:
        target = sqlite3.connect(Path(tmp) / "rathaus.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        if wal:
            target.execute("PRAGMA journal_mode=WAL")
        target.close()
        yield Path(tmp)


def run_module(module: str, args: list[str], *, var_dir: Path, timeout: int = 300) -> str:
    """Run ``python -m module args`` with the test settings on the file database in ``var_dir``;
    returns its last line of output (fails the test with its stderr if it fails)."""
    env = {
        **os.environ,
        "RATHAUS_VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "rathaus.config.settings.test",
    }
    child = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", module, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return child.stdout.strip().splitlines()[-1]


@contextmanager
def clamd_daemon() -> Iterator[str]:
    """Start ``clamd`` knowing only the EICAR signature; yields its address for ``RATHAUS_CLAMD``.

    Without the ``clamd`` program the test is skipped locally and fails in CI (``CI`` set), where
    ``.ci/run`` installs it."""
    import pytest

    program = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("clamd is missing (Debian package clamav-daemon); .ci/run installs it")
        pytest.skip("clamd is not installed (Debian package clamav-daemon)")
    with tempfile.TemporaryDirectory(prefix="rathaus-clamd-") as tmp:
        base = Path(tmp)
        (base / "db").mkdir()
        # A body signature (.ndb: name, any file type, any offset, hex bytes), so the test file is
        # found inside archives and documents too, as the official signatures find it.
        (base / "db" / "rathaus-test.ndb").write_text(f"Rathaus.Test.EICAR:0:*:{EICAR.hex()}\n")
        socket_path = base / "clamd.sock"
        (base / "clamd.conf").write_text(
            f"DatabaseDirectory {base / 'db'}\nLocalSocket {socket_path}\nForeground yes\n"
            f"LogFile {base / 'clamd.log'}\nStreamMaxLength 60M\nMaxFileSize 60M\nMaxScanSize 200M\n"
        )
        errors = base / "clamd.err"
        with errors.open("wb") as stderr:
            daemon = subprocess.Popen(  # noqa: S603 (the installed clamd, our own config)
                [program, "-c", str(base / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=stderr
            )
        try:
            deadline = time.monotonic() + 60
            while not socket_path.exists():
                if daemon.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"clamd did not start: {errors.read_text()[-1000:]}")
                time.sleep(0.05)
            yield f"unix:{socket_path}"
        finally:
            daemon.terminate()
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()

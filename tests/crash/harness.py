"""Crash harness: real ``rathaus worker`` processes on a real database, killed with SIGKILL.

The database is the test database (PostgreSQL when ``DATABASE_URL`` points to one), or on
SQLite a file copy of it with the embedded settings (WAL, ``BEGIN IMMEDIATE``): the in-memory
test database cannot be shared with other processes. Child processes run with
``tests.crash.settings`` (the test settings with the database queue).

Run as a module it is the child that enqueues work and checks the outcome::

    python -m tests.crash.harness enqueue write_pair 6 0.8   # keys crash:0 … crash:5
    python -m tests.crash.harness check                      # one line of JSON
    python -m tests.crash.harness setup-web                  # a cash office and an API token
    python -m tests.crash.harness check-web                  # the claims the web test made
    python -m tests.crash.harness setup notification 12      # what a write scenario's clients need
    python -m tests.crash.harness check-writes notification  # its outcome, blobs, audit chain
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.crash.settings"


@dataclass
class Crashes:
    """One crash scenario's processes: the environment they share, the log of task starts and
    the pids of the workers killed."""

    env: dict[str, str]
    workdir: Path
    killed: set[int] = field(default_factory=set)
    _workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def start_log(self) -> Path:
        return Path(self.env["RATHAUS_CRASH_LOG"])

    def child(self, *args: str) -> dict:
        """Run this module as a child with ``args``; its last line of output, as JSON."""
        done = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
            [sys.executable, "-m", "tests.crash.harness", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def rathaus(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
            [sys.executable, "-m", "rathaus.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_worker(self, *args: str) -> subprocess.Popen[bytes]:
        """A ``rathaus worker`` in its own process group, its output in the work directory."""
        return self.start_rathaus("worker", "--interval", "0.1", *args)

    def start_rathaus(self, *args: str) -> subprocess.Popen[bytes]:
        """``rathaus args`` in its own process group (to be killed), its output in the work directory."""
        log = self.workdir / f"{args[0]}-{len(self._workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
                [sys.executable, "-m", "rathaus.cli", *args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._workers.append(process)
        return process

    def start_server(self, port: int) -> subprocess.Popen[bytes]:
        """gunicorn with 2 sync workers on 127.0.0.1:``port``, as in production; returns when it
        answers."""
        log = self.workdir / f"server-{len(self._workers)}.log"
        command = [
            sys.executable, "-m", "gunicorn", "rathaus.config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync", "--timeout", "60",
            "--log-level", "warning",
        ]  # fmt: skip
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
                command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._workers.append(server)
        up = wait_until(
            lambda: _answers(f"http://127.0.0.1:{port}/") or server.poll() is not None, timeout=90
        )
        assert up and server.poll() is None, log.read_text(errors="replace")[-3000:]
        return server

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """``kill -9`` the worker (its whole process group) and reap it."""
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        self.killed.add(worker.pid)

    def stop(self, worker: subprocess.Popen[bytes]) -> None:
        """Stop the worker the friendly way (SIGTERM: it finishes its task first)."""
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(worker)

    def starts(self) -> list[tuple[str, int]]:
        """(key, pid) of every task start so far, in order."""
        if not self.start_log.exists():
            return []
        lines = self.start_log.read_text(encoding="utf-8").splitlines()
        return [(key, int(pid)) for event, key, pid in (line.split() for line in lines) if event == "start"]

    def run_statuses(self) -> dict[str, str]:
        """Key → status of every run, read straight from the database (cheaper than a child)."""
        return dict(self.query("SELECT key, status FROM kernel_taskrun"))

    def query(self, sql: str) -> list[tuple]:
        """The rows of ``sql`` (a fixed query), read straight from the scenario's database."""
        if self.env["DATABASE_URL"]:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        database = sqlite3.connect(Path(self.env["RATHAUS_VAR_DIR"]) / "rathaus.sqlite3", timeout=20)
        try:
            return database.execute(sql).fetchall()
        finally:
            database.close()

    def all_succeeded(self) -> bool:
        statuses = self.run_statuses()
        return bool(statuses) and set(statuses.values()) == {"succeeded"}

    def logs(self) -> str:
        """The workers' output, for a failing assertion."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.workdir.glob("*.log"))
            if path.name != "starts.log"
        )

    def cleanup(self) -> None:
        for worker in self._workers:
            if worker.poll() is None:
                self.kill(worker)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (http://127.0.0.1 only)
            return True
    except urllib.error.HTTPError:
        return True  # any answer: the server is up
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict] | None:
    """POST ``data``; (status, answer as JSON), or None when the connection broke."""
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (OSError, http.client.HTTPException):
        return None


def post_json(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict] | None:
    """POST ``body`` as JSON; (status, answer), or None when the connection broke."""
    return post(url, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type; ``files`` maps a field to (name, bytes, type)."""
    boundary = f"crash{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


Answer = tuple[int, dict] | None


def kill_during_writes(
    scenario: Crashes, send: Callable[[int, str], Answer], keys: list[str], *, seed: int, clients: int = 4
) -> dict[str, Answer]:
    """Start a server, let ``clients`` threads send ``keys`` (``send(port, key)``), kill it with
    SIGKILL once a seeded random number of them are answered, and return the answers (None: no
    answer, the request may or may not have been carried out)."""
    server = scenario.start_server(port := free_port())
    answers: dict[str, Answer] = {}
    lock = threading.Lock()
    kill_after = random.Random(seed).randint(1, max(1, len(keys) // 2))

    def client(mine: list[str]) -> None:
        for key in mine:
            answer = send(port, key)
            with lock:
                answers[key] = answer

    threads = [threading.Thread(target=client, args=(keys[n::clients],)) for n in range(clients)]
    for thread in threads:
        thread.start()
    assert wait_until(lambda: len(answers) >= kill_after, timeout=90), scenario.logs()
    scenario.kill(server)
    for thread in threads:
        thread.join(timeout=60)
    return answers


def acknowledged(answers: dict[str, Answer], status: int = 201) -> dict[str, dict]:
    """The answers with ``status`` (the writes the server confirmed)."""
    return {key: a[1] for key, a in answers.items() if a is not None and a[0] == status}


def wait_until(condition: Callable[[], bool], *, timeout: float, every: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def _postgres_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@contextmanager
def crashes(tmp_path: Path) -> Iterator[Crashes]:
    """A scenario on the test database (needs ``django_db(transaction=True)``: the children see
    only committed data, and on PostgreSQL the test database is flushed afterwards)."""
    from django.db import connection

    from rathaus.kernel.testing import sqlite_file_copy

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "RATHAUS_CRASH_LOG": str(tmp_path / "starts.log"),
        "LOG_LEVEL": "INFO",
        "RATHAUS_CRASH_BLOBS": str(tmp_path / "blobs"),
    }
    if connection.vendor == "postgresql":
        scenario = Crashes({**env, "DATABASE_URL": _postgres_url(connection.settings_dict)}, tmp_path)
        try:
            yield scenario
        finally:
            scenario.cleanup()
        return
    with sqlite_file_copy() as var_dir:
        scenario = Crashes({**env, "DATABASE_URL": "", "RATHAUS_VAR_DIR": str(var_dir)}, tmp_path)
        try:
            yield scenario
        finally:
            scenario.cleanup()


# --- the child ------------------------------------------------------------------------------------


def _enqueue(task: str, count: int, argument: float) -> dict:
    from rathaus.kernel.tasks import enqueue_once

    from . import tasks

    keyword = {"write_pair": "pause", "outlast_the_lease": "seconds"}[task]
    runs = [
        enqueue_once(getattr(tasks, task), key=f"crash:{n}", **{"name": f"crash:{n}", keyword: argument})
        for n in range(count)
    ]
    return {"runs": [run.pk for run in runs]}


def _check() -> dict:
    """The outcome in the database: per key the audit entries (with the pid that wrote them),
    the runs, the queue rows and whether the audit chain verifies."""
    from django_tasks_db.models import DBTaskResult

    from rathaus.kernel import audit
    from rathaus.kernel.models import AuditEntry, TaskRun

    entries = AuditEntry.objects.filter(target_type="crash").order_by("seq")
    effects: dict[str, dict[str, list[int]]] = {}
    for entry in entries:
        effects.setdefault(entry.target_id, {}).setdefault(entry.action, []).append(entry.details.get("pid"))
    verified = audit.verify()
    return {
        "effects": effects,
        "runs": {run.key: [run.status, run.attempts] for run in TaskRun.objects.all()},
        "queue": dict(Counter(DBTaskResult.objects.values_list("status", flat=True))),
        "worker_lost": DBTaskResult.objects.filter(exception_class_path__endswith=".WorkerLost").count(),
        "audit_ok": verified.ok,
        "audit_checked": verified.checked,
    }


def _setup_web() -> dict:
    """A cash office, a clerk and an API token that may create claims there."""
    import uuid

    from rathaus.accounts import services as accounts
    from rathaus.payments import demo

    demo.load_fee_schedule()
    offices = demo.offices_ensure()
    clerk = accounts.staff_user_create(
        username="kasse-crash", full_name="Kai Kasse", password=uuid.uuid4().hex, office=offices["cash"],
        role="sachbearbeitung",
    )  # fmt: skip
    _token, secret = accounts.api_token_issue(owner=clerk, name="Crash", scopes=["payments:write"])
    return {"token": secret, "office": offices["cash"].slug}


def _check_web() -> dict:
    """Claims made by the crash suite (purpose "Crash <key>"), per purpose with their Kassenzeichen."""
    from rathaus.kernel import audit
    from rathaus.payments.models import Claim

    claims: dict[str, list[str]] = {}
    for purpose, kassenzeichen in Claim.objects.filter(purpose__startswith="Crash ").values_list(
        "purpose", "kassenzeichen"
    ):
        claims.setdefault(purpose.removeprefix("Crash "), []).append(kassenzeichen)
    return {"claims": claims, "audit_ok": audit.verify().ok}


def orphaned_blobs() -> dict[str, list[str]]:
    """The blob store against the ``Blob`` rows, by name (a file's name is its SHA-256; the
    contents are encrypted): files no row references, rows without their file, and files whose
    content is not what their row says (torn writes)."""
    from django.conf import settings
    from django.core.files.storage import storages

    from rathaus.kernel import blobs
    from rathaus.kernel.models import Blob

    files = set(_stored_names(storages[settings.BLOB_STORAGE_ALIAS]))
    rows = dict(Blob.objects.values_list("sha256", "size"))
    damaged = [
        sha256
        for sha256, size in rows.items()
        if sha256 in files and blobs.stored_problem(sha256=sha256, size=size)
    ]
    return {
        "files_without_row": sorted(set(files) - set(rows)),
        "rows_without_file": sorted(set(rows) - set(files)),
        "damaged": sorted(damaged),
    }


def _stored_names(storage, folder: str = "") -> Iterator[str]:
    """The names of all files in ``storage`` (a folder on disk or an S3 bucket), by walking it."""
    with suppress(FileNotFoundError):
        folders, names = storage.listdir(folder)
        yield from names
        for inner in folders:
            yield from _stored_names(storage, f"{folder}{inner}/")


def _check_writes(scenario: str) -> dict:
    """A write scenario's outcome (``writes.CHECKS``), the blob store and the audit chain."""
    from rathaus.kernel import audit

    from . import writes

    return {**writes.CHECKS[scenario](), "blobs": orphaned_blobs(), "audit_ok": audit.verify().ok}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[0] == "enqueue":
        print(json.dumps(_enqueue(argv[1], int(argv[2]), float(argv[3]))))
    elif argv[0] == "check":
        print(json.dumps(_check()))
    elif argv[0] == "setup-web":
        print(json.dumps(_setup_web()))
    elif argv[0] == "check-web":
        print(json.dumps(_check_web()))
    elif argv[0] == "setup":
        from . import writes

        print(json.dumps(writes.SETUPS[argv[1]](int(argv[2]))))
    elif argv[0] == "check-writes":
        print(json.dumps(_check_writes(argv[1])))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

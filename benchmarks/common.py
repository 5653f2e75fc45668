"""What the benchmarks share: the environment of their child processes and servers, the
throw-away PostgreSQL database, the gunicorn server's port and shutdown, and percentiles.

Not a benchmark itself (``python -m benchmarks`` skips this module).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE_PREFIX = "rathaus_bench"


def server_env(
    var_dir: Path | str,
    *,
    database_url: str = "",
    settings: str = "benchmarks.bench_settings",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a benchmark's child process or server: this process's environment with
    the given settings module, its own var directory and database (SQLite there for ""), no
    cache server, no debug, a fresh secret key, and the repository on ``PYTHONPATH``."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "RATHAUS_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "CACHE_URL": "",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
            ),
            **(extra or {}),
        }
    )
    return env


def _bench_database(url: str) -> tuple[str, str]:
    """The database name in ``url`` and the URL of the server's ``postgres`` database; refuses a
    name that does not start with ``rathaus_bench`` (the benchmarks drop their database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    # RATHAUS_BENCH_DATABASE_PREFIX: another prefix for a machine where the benchmarks get their own names.
    if not name.startswith(os.environ.get("RATHAUS_BENCH_DATABASE_PREFIX") or BENCH_DATABASE_PREFIX):
        raise RuntimeError(
            f"refusing to recreate {name!r}: the benchmark database must be called {BENCH_DATABASE_PREFIX}…"
        )
    return name, parts._replace(path="/postgres").geturl()


def postgres_reachable(url: str) -> bool:
    """Whether the PostgreSQL server of ``url`` answers within 3 s."""
    try:
        import psycopg

        with psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), connect_timeout=3):
            return True
    except Exception:
        return False


def drop_database(url: str) -> None:
    """Drop the benchmark database of ``url`` (closing its connections), if it exists."""
    import psycopg

    name, admin = _bench_database(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database of ``url``: every run starts empty."""
    import psycopg

    name, admin = _bench_database(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_gunicorn(
    env: Mapping[str, str],
    port: int,
    log: Path,
    *,
    workers: int,
    timeout: int = 60,
    backlog: int | None = None,
    config: str | None = None,
    log_level: str = "warning",
) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``, output to ``log``; in its own
    process group, so ``stop_server`` also stops the workers. ``config``: a gunicorn ``-c`` value
    (e.g. ``python:rathaus.config.gunicorn``); the options given here apply on top of it."""
    command = [
        sys.executable, "-m", "gunicorn", *(["-c", config] if config else []),
        "rathaus.config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        *(["--backlog", str(backlog)] if backlog else []),
        "--timeout", str(timeout), "--graceful-timeout", "5", "--log-level", log_level,
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, env=dict(env), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def cores() -> int:
    """The CPUs this process may run on (the container's share, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def drain_tasks(env: dict[str, str], *, prefix: str, worker_timeout: int, wait_timeout: int) -> float:
    """Seconds until ``rathaus worker --until-empty``, one per core, has run every task left;
    a worker that fails raises with the end of its error output."""
    command = [sys.executable, "-m", "rathaus", "worker", "--until-empty", "--timeout", str(worker_timeout)]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"{prefix}-{n}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(cores())
    ]
    for worker in workers:
        _out, error = worker.communicate(timeout=wait_timeout)
        if worker.returncode != 0:
            raise RuntimeError(f"rathaus worker failed:\n{error.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - started


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own process group: SIGTERM, then SIGKILL after 15 s."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)
    except ProcessLookupError:
        pass


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    """Wait until the bare view ``/bench/bare/`` answers 200; fail with the server's log."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/bench/bare/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0 to 1) of ``sorted_values``, nearest rank."""
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def timed_requests(
    url_for: Callable[[int], str],
    numbers: Iterable[int],
    *,
    threads: int,
    timeout: float,
    params: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
    expect: str | None = None,
    allow_redirects: bool = True,
    deadline: float | None = None,
) -> tuple[list[float], int, float]:
    """GET ``url_for(n)`` for each of ``numbers`` on ``threads`` threads, each with its own session
    (``headers`` and ``cookies`` set once): the latencies in ms of the good answers (200, with
    ``expect`` in the text where given), the number of other answers, and the seconds it took.
    Requests due after ``deadline`` (``time.monotonic()``) are not sent and count as failed."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    local = threading.local()

    def one(n: int) -> tuple[float, bool]:
        if deadline is not None and time.monotonic() > deadline:
            return 0.0, False
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers.update(headers or {})
            session.cookies.update(cookies or {})
        began = time.perf_counter()
        try:
            answer = session.get(url_for(n), params=params, timeout=timeout, allow_redirects=allow_redirects)
            ok = answer.status_code == 200 and (expect is None or expect in answer.text)
        except requests.RequestException:
            ok = False
        return (time.perf_counter() - began) * 1000, ok

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(one, numbers))
    elapsed = time.perf_counter() - began
    return [ms for ms, ok in results if ok], sum(1 for _, ok in results if not ok), elapsed


def timed_gets(
    url_for: Callable[[int], str], count: int, *, threads: int, timeout: float, **options: Any
) -> dict[str, float]:
    """``count`` GET requests, request n to ``url_for(n)`` (options as ``timed_requests``): requests
    per second (good answers), p50 and p95 in ms, and the number of other answers."""
    good, errors, elapsed = timed_requests(url_for, range(count), threads=threads, timeout=timeout, **options)
    latencies = sorted(good)
    return {
        "requests_per_second": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5) if latencies else 0.0,
        "p95_ms": percentile(latencies, 0.95) if latencies else 0.0,
        "errors": errors,
    }

"""Portal benchmark: requests/s and latency of the start page and "Mein Konto" against a bare view.

    python -m benchmarks.portal            # full: 2,000 requests per target and round
    python -m benchmarks.portal --quick    # smoke run: 300 requests per target and round

What it does, all on 127.0.0.1:
1. builds a temporary SQLite database with a small demo city (``rathaus demo``) in a temp dir;
2. logs one demo citizen in by writing a session straight into that database with Django's
   session engine (the same record a real login creates), so no login flow is timed;
3. starts gunicorn (2 sync workers) with ``benchmarks.bench_settings``, which adds the bare
   view ``/bench/bare/`` (a tiny ``HttpResponse``) as the baseline;
4. sends a fixed number of requests per target from 8 threads, each with its own
   ``requests.Session``; 3 rounds, targets interleaved within each round, so a noisy moment
   hits every target alike;
5. reports per target the median over rounds of requests/s, p50 and p95 latency, and the
   ratios to the bare view; then stops the server (process group, SIGTERM then SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    ROOT,
    free_port,
    server_env,
    start_gunicorn,
    stop_server,
    timed_gets,
    wait_until_up,
)

CONCURRENCY = 8
ROUNDS = 3
WORKERS = 2
REQUEST_TIMEOUT = 10.0  # seconds per request
ROUND_DEADLINE = 300.0  # seconds per target and round; past it the round is cut short
DEMO_RESIDENTS = 200


def _setup_database() -> dict[str, str]:
    """Runs in a child process with the bench settings: migrate, demo city, one session."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from rathaus.registers.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("demo", residents=DEMO_RESIDENTS, seed=1, verbosity=0)
    person = Person.objects.order_by("pk").first()
    if person is None:
        raise RuntimeError("the demo city has no residents")
    user_model = get_user_model()
    user = getattr(person, "account", None) or user_model.objects.create_user(
        username=f"bench-{person.pk}", kind="citizen", person=person
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # Citizens log in through OpenID Connect; that backend is the one that loads them again.
    session[BACKEND_SESSION_KEY] = "rathaus.accounts.backends.OidcBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["eidas_level"] = "http://eidas.europa.eu/LoA/substantial"
    session.create()
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "cookie_value": session.session_key or "",
        "family_name": person.family_name,
    }


def _start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    return start_gunicorn(env, port, log, workers=WORKERS)


def _measure(url: str, count: int, cookies: dict[str, str], expect: str | None) -> dict[str, float]:
    """``count`` GETs from CONCURRENCY threads; latencies in ms; non-200 answers are errors."""
    measured = timed_gets(
        lambda _n: url,
        count,
        threads=CONCURRENCY,
        timeout=REQUEST_TIMEOUT,
        headers={"Accept-Language": "de"},
        cookies=cookies,
        expect=expect,
        allow_redirects=False,
        deadline=time.monotonic() + ROUND_DEADLINE,
    )
    if not measured["requests_per_second"]:
        raise RuntimeError(f"every request to {url} failed")
    return measured


def run(*, quick: bool) -> dict:
    count = 300 if quick else 2000
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-portal-") as tmp:
        var_dir = Path(tmp)
        env = server_env(var_dir)
        setup = subprocess.run(
            [sys.executable, "-m", "benchmarks.portal", "--setup"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if setup.returncode != 0:
            raise RuntimeError(f"database setup failed:\n{setup.stderr[-3000:]}")
        login = json.loads(setup.stdout.strip().splitlines()[-1])
        cookies = {login["cookie_name"]: login["cookie_value"]}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = var_dir / "gunicorn.log"
        server = _start_server(env, port, log)
        try:
            wait_until_up(base, server, log)
            targets = {
                "bare": (f"{base}/bench/bare/", None),
                "start_page": (f"{base}/", "Rathaus"),
                # The family name proves the request was served logged in, not redirected.
                "mein_konto": (f"{base}/mein-konto/", login["family_name"]),
            }
            for url, expect in targets.values():  # warm up caches and the workers' imports
                _measure(url, CONCURRENCY * 4, cookies, expect)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, (url, expect) in targets.items():
                    rounds[name].append(_measure(url, count, cookies, expect))
        finally:
            stop_server(server)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    results: dict[str, dict[str, float]] = {}
    for name in rounds:
        results[name] = {
            "requests_per_second": round(median(name, "requests_per_second"), 1),
            "p50_ms": round(median(name, "p50_ms"), 2),
            "p95_ms": round(median(name, "p95_ms"), 2),
            "errors": sum(r["errors"] for r in rounds[name]),
        }
    for name in ("start_page", "mein_konto"):
        results[name]["throughput_ratio_to_bare"] = round(
            results[name]["requests_per_second"] / results["bare"]["requests_per_second"], 3
        )
        results[name]["p50_ratio_to_bare"] = round(results[name]["p50_ms"] / results["bare"]["p50_ms"], 2)
    return {
        "benchmark": "portal",
        "server": f"gunicorn, {WORKERS} sync workers, SQLite, 127.0.0.1",
        "requests_per_target_and_round": count,
        "rounds": ROUNDS,
        "concurrency": CONCURRENCY,
        "demo_residents": DEMO_RESIDENTS,
        "targets": results,
        "per_round": {
            name: [{key: round(value, 2) for key, value in r.items()} for r in measured]
            for name, measured in rounds.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="300 instead of 2,000 requests per round")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args(argv)
    if args.setup:
        print(json.dumps(_setup_database()))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

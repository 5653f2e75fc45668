"""E-Akte benchmark: the office inbox and the lookup by Aktenzeichen at 100,000 cases.

    python -m benchmarks.efile            # full: 100,000 cases in one office
    python -m benchmarks.efile --quick    # smoke run: 10,000 cases

What it does:
1. in a child process with ``benchmarks.bench_settings`` and a temporary SQLite database
   (or the PostgreSQL database in ``EFILE_BENCH_DATABASE_URL``), migrates, creates one office
   with one clerk, and bulk-loads the cases with ``rathaus.efile.demo.bulk_cases``;
2. through Django's test client (full middleware, session, second factor), times GET of the
   office inbox (first page and a deep keyset page) against the bare view ``/bench/bare/``;
3. times ``selectors.case_file_by_aktenzeichen`` (parse, indexed lookup, office check)
   against a primary-key lookup ``CaseFile.objects.get(pk=…)`` of the same rows;
4. repeats 3 rounds, targets interleaved, and reports per target the median over rounds of
   p50 and p95 (ms) and the ratios to the baselines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "RATHAUS_VAR_DIR": str(var_dir),
            "DATABASE_URL": os.environ.get("EFILE_BENCH_DATABASE_URL", ""),
            "CACHE_URL": "",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        }
    )
    return env


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _time(call: Callable[[int], None], count: int) -> dict[str, float]:
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50_ms": _percentile(latencies, 0.5), "p95_ms": _percentile(latencies, 0.95)}


def _child(cases: int, requests: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rathaus.accounts import services as account_services
    from rathaus.directory.models import Office
    from rathaus.efile import selectors
    from rathaus.efile.demo import bulk_cases, demo_file_plan
    from rathaus.efile.models import CaseFile

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    office = Office.objects.create(slug="migrationsamt-bench", name="Migrationsamt (Benchmark)")
    clerk = account_services.staff_user_create(
        username="bench.clerk",
        full_name="Bench Clerk",
        password=os.urandom(12).hex() + "-Bench!",
        office=office,
        role="sachbearbeitung",
    )
    started = time.perf_counter()
    bulk_cases(office=office, count=cases, entries=demo_file_plan(), batch_size=10_000)
    load_seconds = time.perf_counter() - started

    client = Client(SERVER_NAME="127.0.0.1")
    device = TOTPDevice.objects.create(user=clerk, name="TOTP", confirmed=True)
    client.force_login(clerk)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    ids = list(CaseFile.objects.filter(office=office).values_list("pk", "aktenzeichen"))
    rng = random.Random(7)  # noqa: S311 (sampling, not security)
    sample = [rng.choice(ids) for _ in range(requests)]
    deep_before = sorted(pk for pk, _ in ids)[len(ids) // 2]

    def get(url: str) -> Callable[[int], None]:
        def call(_: int) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return call

    targets: dict[str, Callable[[int], None]] = {
        "bare_view": get("/bench/bare/"),
        "inbox_first_page": get(f"/e-akte/?dienststelle={office.pk}"),
        "inbox_deep_page": get(f"/e-akte/?dienststelle={office.pk}&vor={deep_before}"),
        "pk_lookup": lambda i: CaseFile.objects.get(pk=sample[i][0]) and None,
        "aktenzeichen_lookup": lambda i: (
            selectors.case_file_by_aktenzeichen(aktenzeichen=sample[i][1], user=clerk) and None
        ),
    }
    for call in targets.values():  # warm up caches and connections
        call(0)
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, call in targets.items():
            rounds[name].append(_time(call, requests))
    result: dict[str, dict[str, float]] = {
        name: {
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p95_ms": statistics.median(r["p95_ms"] for r in runs),
        }
        for name, runs in rounds.items()
    }
    for name, base in (
        ("inbox_first_page", "bare_view"),
        ("inbox_deep_page", "bare_view"),
        ("aktenzeichen_lookup", "pk_lookup"),
    ):
        result[name]["p50_ratio"] = result[name]["p50_ms"] / result[base]["p50_ms"]
        result[name]["p95_ratio"] = result[name]["p95_ms"] / result[base]["p95_ms"]
    from django.db import connection

    return {
        "cases": cases,
        "requests_per_target_and_round": requests,
        "rounds": ROUNDS,
        "database": connection.vendor,
        "load_seconds": load_seconds,
        "targets": result,
    }


def run(*, quick: bool) -> dict:
    cases = 10_000 if quick else 100_000
    requests = 100 if quick else 300
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-efile-") as tmp:
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.efile", "--child", str(cases), str(requests)],
            env=_env(Path(tmp)), cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            raise RuntimeError(f"benchmark child failed:\n{child.stderr[-3000:]}")
        return json.loads(child.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, type=int, metavar=("CASES", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

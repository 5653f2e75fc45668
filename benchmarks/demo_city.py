"""Demo city benchmark: residents/s and rows/s of ``rathaus demo`` against raw sqlite3.

    python -m benchmarks.demo_city                       # full: 200,000 residents, 3 rounds
    python -m benchmarks.demo_city --quick               # smoke run: 20,000 residents, 3 rounds
    python -m benchmarks.demo_city --residents 1000000   # one round at that size

Each round builds the city into a fresh temporary SQLite database (migrated first, not
timed) in a child process, timing only the generation and bulk load of the residents.
The baseline, measured in the same run, is plain ``sqlite3.executemany`` of the same
number of equivalent person rows (same columns, pre-built tuples) into a bare table
without indexes: the ratio shows what generation, the other six tables, indexes and
constraints cost. With BENCH_DATABASE_URL (postgres://…) set, each round also runs
against a fresh temporary PostgreSQL database created on that server and dropped after.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import ROOT, server_env

SEED = 2026
REFERENCE_DATE = "2026-01-01"


def _child(residents: int) -> None:
    """Runs inside the child process: migrate (untimed), then build and time the city."""
    import django

    django.setup()
    from django.core.management import call_command

    from rathaus.registers.demo.city import build_demo_city

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = build_demo_city(
        residents=residents,
        seed=SEED,
        reference_date=date.fromisoformat(REFERENCE_DATE),
        batch_residents=20_000,
        with_staff=False,
    )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "residents": result.residents, "rows": result.total_rows}))


def _run_child(residents: int, *, database_url: str = "") -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-demo-city-") as var_dir:
        env = server_env(
            var_dir,
            database_url=database_url,
            settings="rathaus.config.settings.local",
            extra={"LOG_LEVEL": "WARNING"},
        )
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.demo_city", "--child", str(residents)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def _baseline(residents: int) -> float:
    """Seconds for raw sqlite3 executemany of ``residents`` person-like rows into a bare table."""
    base = date(1950, 1, 1)
    rows = [
        (
            i + 1, f"HB{i + 1:09d}", "Müller", "Anna Maria", "", base + timedelta(days=i % 25_000),
            "Bremen", "w",
            "DEU", "ledig", i // 8 + 1, i // 2 + 1, base, None, f"{10_000_000_000 + i}", "mueller anna maria",
            "2026-01-01 00:00:00",
        )
        for i in range(residents)
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-demo-city-raw-") as tmp:
        con = sqlite3.connect(Path(tmp) / "raw.sqlite3", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute(
            "CREATE TABLE person (id integer primary key, register_number text, family_name text, "
            "given_names text, birth_name text, date_of_birth date, place_of_birth text, sex text, "
            "nationality text, marital_status text, address_id integer, household_id integer, "
            "moved_in_on date, date_of_death date, tax_id text, name_key text, created_at datetime)"
        )
        started = time.perf_counter()
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO person VALUES ({', '.join(['?'] * 17)})", rows)  # noqa: S608
        con.execute("COMMIT")
        seconds = time.perf_counter() - started
        con.close()
    return seconds


def _postgres_round(residents: int, url: str) -> dict[str, float]:
    import psycopg

    name = f"bench_demo_city_{os.getpid()}"
    parts = urlsplit(url)
    admin = psycopg.connect(url, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return _run_child(residents, database_url=urlunsplit(parts._replace(path=f"/{name}")))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def run(*, quick: bool, residents: int | None = None, rounds: int | None = None) -> dict:
    residents = residents or (20_000 if quick else 200_000)
    rounds = rounds or (1 if residents >= 500_000 else 3)
    ours, raw, pg = [], [], []
    rows = 0
    pg_url = os.environ.get("BENCH_DATABASE_URL", "")
    for _ in range(rounds):
        raw.append(_baseline(residents))
        result = _run_child(residents)
        ours.append(result["seconds"])
        rows = int(result["rows"])
        if pg_url:
            pg.append(_postgres_round(residents, pg_url)["seconds"])
        print(f"round: ours {ours[-1]:.2f} s, raw {raw[-1]:.2f} s", file=sys.stderr, flush=True)
    median_ours = statistics.median(ours)
    median_raw = statistics.median(raw)
    report: dict[str, object] = {
        "benchmark": "demo_city",
        "residents": residents,
        "rows_total": rows,
        "rounds": rounds,
        "database": "sqlite",
        "median_seconds": round(median_ours, 2),
        "median_residents_per_second": round(residents / median_ours),
        "median_rows_per_second": round(rows / median_ours),
        "baseline_median_seconds": round(median_raw, 3),
        "baseline_median_rows_per_second": round(residents / median_raw),
        "ratio_seconds_vs_raw_sqlite_person_rows": round(median_ours / median_raw, 1),
        "seconds_per_round": [round(s, 2) for s in ours],
    }
    if pg:
        median_pg = statistics.median(pg)
        report.update(
            {
                "postgresql_median_seconds": round(median_pg, 2),
                "postgresql_median_residents_per_second": round(residents / median_pg),
                "postgresql_median_rows_per_second": round(rows / median_pg),
            }
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.demo_city", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="20,000 residents")
    parser.add_argument("--residents", type=int, help="residents per round (overrides --quick)")
    parser.add_argument("--rounds", type=int, help="rounds (default 3; 1 from 500,000 residents)")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    report = run(quick=args.quick, residents=args.residents, rounds=args.rounds)
    text = json.dumps(report, indent=2, sort_keys=True)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

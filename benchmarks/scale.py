"""Scale-out benchmark: the booking rush and a mixed read load against one web node and against
two, on one PostgreSQL and one Redis, all on 127.0.0.1 (issue 13; docs/operations.md, "Several
nodes").

    python -m benchmarks.scale            # 200 clients for 64 units; 240 reads × 3 rounds
    python -m benchmarks.scale --quick    # 60 clients for 24 units; 90 reads × 3 rounds

Each node is a gunicorn with ``NODE_WORKERS`` sync workers (``benchmarks.scale_settings``: the
appointments benchmark's settings with the cache in Redis). For 1 and then 2 nodes: a fresh
database (``SCALE_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/rathaus_bench_scale``)
planned by the appointments benchmark, the rush of ``benchmarks.appointments`` with its clients
split over the nodes, then rounds of mixed reads (the start page, the availability API, the bare
view) spread over the nodes by 8 threads. Reports requests/s and the ratio 2 nodes / 1 node, and
the invariants of each rush (double bookings, 5xx). All nodes share this machine's cores: with
2 cores a second node adds processes, not CPU, so the ratio shows what the split costs or gains
here, not what a second machine would bring.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import appointments
from benchmarks.common import (
    free_port,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
    timed_gets,
    wait_until_up,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rathaus_bench_scale"
NODE_WORKERS = 2
THREADS = 8
ROUNDS = 3
TIMEOUT = 120.0


def _reads(bases: list[str], paths: list[str], count: int) -> dict[str, float]:
    """``count`` GETs of ``paths`` in turn, request n to node n mod len(bases), on THREADS threads."""

    def url_for(n: int) -> str:
        return bases[n % len(bases)] + paths[n // len(bases) % len(paths)]

    return timed_gets(url_for, count, threads=THREADS, timeout=TIMEOUT)


def _topology(nodes: int, *, units: int, clients: int, reads: int, redis_url: str, tmp: Path) -> dict:
    """One measurement: ``nodes`` web nodes on a fresh database; the rush, then mixed reads."""
    database_url = os.environ.get("SCALE_BENCH_DATABASE_URL", DEFAULT_DB)
    recreate_database(database_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    var_dir = tmp / f"nodes-{nodes}"
    var_dir.mkdir()
    env = server_env(
        var_dir,
        database_url=database_url,
        settings="benchmarks.scale_settings",
        extra={"CACHE_URL": redis_url},
    )
    setup = appointments._child("setup", env, str(units))
    ports = [free_port() for _ in range(nodes)]
    logs = [var_dir / f"gunicorn-{n}.log" for n in range(nodes)]
    servers = [
        start_gunicorn(env, port, log, workers=NODE_WORKERS, timeout=120, backlog=2048)
        for port, log in zip(ports, logs, strict=True)
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, server, log in zip(bases, servers, logs, strict=True):
            wait_until_up(base, server, log, timeout=180)
        rush = appointments._rush(bases, setup, clients)
        checks = appointments._child("check", env)
        paths = ["/", f"/api/v1/appointments/availability?service={setup['service']}", "/bench/bare/"]
        _reads(bases, paths, THREADS * 4)  # warm-up
        rounds = [_reads(bases, paths, reads) for _ in range(ROUNDS)]
    finally:
        for server in servers:
            stop_server(server)
    double = int(checks["units_claimed_twice"]) + max(
        0, int(rush["bookings_made"]) - int(setup["rush_units"])
    )
    return {
        "nodes": nodes,
        "rush": {
            **{key: rush[key] for key in ("clients", "wall_seconds", "bookings_made", "errors_5xx")},
            "reservation_p95_ms": rush["reservation_p95_ms"],
            "bookings_per_second": round(int(rush["bookings_made"]) / float(rush["wall_seconds"]), 1),
            "units_released": setup["rush_units"],
            "double_bookings": double,
            "all_units_booked_exactly_once": rush["bookings_made"]
            == setup["rush_units"]
            == checks["rush_appointments"]
            == checks["rush_claims"]
            and double == 0,
        },
        "mixed_reads": {
            "requests_per_second": round(statistics.median(r["requests_per_second"] for r in rounds), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 2),
            "p95_ms": round(statistics.median(r["p95_ms"] for r in rounds), 2),
            "errors": sum(int(r["errors"]) for r in rounds),
        },
    }


def run(*, quick: bool) -> dict:
    from tests.scale.cluster import redis_server

    units, clients, reads = (24, 60, 90) if quick else (64, 200, 240)
    with (
        tempfile.TemporaryDirectory(prefix="rathaus-bench-scale-") as tmp,
        redis_server(Path(tmp)) as redis_url,
    ):
        one, two = (
            _topology(nodes, units=units, clients=clients, reads=reads, redis_url=redis_url, tmp=Path(tmp))
            for nodes in (1, 2)
        )
    return {
        "benchmark": "scale",
        "server": f"gunicorn, {NODE_WORKERS} sync workers per node, PostgreSQL, Redis, 127.0.0.1",
        "cpu_cores": os.cpu_count(),
        "one_node": one,
        "two_nodes": two,
        "ratios": {
            "rush_bookings_per_second_2_to_1": round(
                two["rush"]["bookings_per_second"] / one["rush"]["bookings_per_second"], 3
            ),
            "mixed_reads_per_second_2_to_1": round(
                two["mixed_reads"]["requests_per_second"] / one["mixed_reads"]["requests_per_second"], 3
            ),
        },
        "invariants": {
            "double_bookings": one["rush"]["double_bookings"] + two["rush"]["double_bookings"],
            "all_units_booked_exactly_once": one["rush"]["all_units_booked_exactly_once"]
            and two["rush"]["all_units_booked_exactly_once"],
            "errors_5xx": one["rush"]["errors_5xx"] + two["rush"]["errors_5xx"],
            "read_errors": one["mixed_reads"]["errors"] + two["mixed_reads"]["errors"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="60 clients for 24 units, 90 reads a round")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

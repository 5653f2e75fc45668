"""Search benchmark: ranking quality on citizen queries and latency at 10,000 documents.

    python -m benchmarks.search            # full: 10,000 documents, 300 requests per target and round
    python -m benchmarks.search --quick    # smoke run: 2,000 documents, 60 requests
    python -m benchmarks.search --database sqlite      # only SQLite (default: SQLite, then PostgreSQL)

(a) Quality: every query of ``benchmarks/data/search_queries.tsv`` (colloquial, misspelt,
compounds; each with the service it means) goes through ``kernel.search.find`` over the
real service catalogue (``rathaus directory load-repository``) *plus* the synthetic
documents of (b), so ranking must hold up in a crowded index. Reported: the share where
the meant service is the first hit (top-1) and among the first three (top-3), and the misses.

(b) Speed: the catalogue plus synthetic "document" entries (German sentences built from the
catalogue's own vocabulary, seeded) up to N documents in the index; gunicorn (2 sync
workers, 127.0.0.1) serves the JSON search API ``/api/v1/search`` and the search
page ``/suche/``, cycling through the benchmark queries, and the bare view ``/bench/bare/``
as the baseline (method of benchmarks/portal.py): a warm-up pass, then three rounds, each
sending a target's requests in three slices alternating with the other targets'; medians
over rounds, and for the ratios to bare the median of the per-round ratios.
The queries repeat, so after the first pass ``find`` answers them from its per-process cache
(``kernel.search.cache``); a second server with that cache off
(``SEARCH_RESULTS_CACHE_SIZE=0``) measures ``search_api_uncached`` against its own bare view.
``speed.find_in_process`` times ``find`` itself in the setup process (3 passes over the
queries, its answer cache emptied before each call; ``cached_p50_ms`` with the cache).

The top-level keys are SQLite (FTS5). With PostgreSQL reachable, the same run repeats on the
throw-away database ``SEARCH_BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/rathaus_bench_search``, dropped and re-created, dropped
at the end) and reports under ``postgresql``; after loading it runs ``VACUUM ANALYZE`` on the
index table, as autovacuum would on a running installation.
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
from pathlib import Path
from urllib.parse import quote

from benchmarks.common import (
    ROOT,
    drop_database,
    free_port,
    percentile,
    postgres_reachable,
    recreate_database,
    server_env,
    stop_server,
    timed_requests,
    wait_until_up,
)
from benchmarks.portal import CONCURRENCY, REQUEST_TIMEOUT, ROUNDS, WORKERS, _start_server

QUERIES = Path(__file__).resolve().parent / "data" / "search_queries.tsv"
DEFAULT_POSTGRESQL_URL = "postgres://postgres@127.0.0.1:5432/rathaus_bench_search"
FIND_PASSES = 3
SLICES = 3  # per round and target, alternating with the other targets


def load_queries() -> list[tuple[str, str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected = line.split("\t")
            rows.append((query.strip(), expected.strip()))
    return rows


def _setup(total_documents: int) -> dict:
    """Child process with the bench settings: migrate, catalogue, synthetic documents, quality."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from rathaus.directory import services
    from rathaus.directory.models import Service
    from rathaus.kernel import search
    from rathaus.kernel.models import SearchDocument

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    services.catalogue_import(document=services.catalogue_load_files(), publish=True)
    services.search_reindex()
    words = sorted(
        {w for s in Service.objects.all() for w in f"{s.description} {s.eligibility}".split() if w.isalpha()}
    )
    rng = random.Random(7)
    missing = max(0, total_documents - SearchDocument.objects.count())
    with transaction.atomic():
        for number in range(missing):
            title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 7))).capitalize()
            body = ". ".join(
                " ".join(rng.choice(words) for _ in range(12)) for _ in range(rng.randint(4, 12))
            )
            search.index_document(
                kind="document", key=f"d{number}", title=title, body=body, url=f"/dok/{number}/"
            )
    index_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kernel_searchdocument")
    return {
        "documents_indexed": SearchDocument.objects.count(),
        "index_build_seconds": round(index_seconds, 1),
        "quality": _quality(),
        "find_in_process": _find_speed(),
    }


def _find_speed() -> dict:
    """``find`` as the API calls it, in this process: uncached (answer cache emptied before each
    call; the typo vocabulary stays cached, as in a running server) and cached."""
    from rathaus.kernel import search
    from rathaus.kernel.search import cache

    queries = [query for query, _ in load_queries()]
    uncached, cached = [], []
    for _ in range(FIND_PASSES):
        for query in queries:
            cache.results.forget()
            started = time.perf_counter()
            search.find(query)
            uncached.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            search.find(query)
            cached.append((time.perf_counter() - started) * 1000)
    uncached.sort()
    cached.sort()
    return {
        "calls": len(uncached),
        "p50_ms": round(percentile(uncached, 0.5), 2),
        "p95_ms": round(percentile(uncached, 0.95), 2),
        "cached_p50_ms": round(percentile(cached, 0.5), 2),
        "cached_p95_ms": round(percentile(cached, 0.95), 2),
    }


def _quality() -> dict:
    """Top-1/top-3 share of the benchmark queries (Django must be set up)."""
    from rathaus.directory.models import Service
    from rathaus.kernel import search

    slug_by_url = {s.get_absolute_url(): s.slug for s in Service.objects.exclude(slug="")}
    queries = load_queries()
    top1 = top3 = 0
    misses = []
    search_ms = []
    for query, expected in queries:
        t0 = time.perf_counter()
        hits = search.find(query, limit=3).hits
        search_ms.append((time.perf_counter() - t0) * 1000)
        found = [slug_by_url.get(hit.url, hit.key) for hit in hits]
        top1 += bool(found) and found[0] == expected
        top3 += expected in found
        if not found or found[0] != expected:
            misses.append({"query": query, "expected": expected, "got": found})
    search_ms.sort()
    return {
        "queries": len(queries),
        "top1": top1,
        "top3": top3,
        "top1_share": round(top1 / len(queries), 3),
        "top3_share": round(top3 / len(queries), 3),
        "in_process_find_p50_ms": round(percentile(search_ms, 0.5), 2),
        "in_process_find_p95_ms": round(percentile(search_ms, 0.95), 2),
        "misses": misses,
    }


def _send(urls: list[str], first: int, count: int) -> tuple[list[float], int, float]:
    """``count`` GETs of ``urls[first:]`` (cycling) from CONCURRENCY threads: latencies (ms) of
    the good answers, the number of failed ones, the seconds it took."""
    return timed_requests(
        lambda index: urls[index % len(urls)],
        range(first, first + count),
        threads=CONCURRENCY,
        timeout=REQUEST_TIMEOUT,
        headers={"Accept-Language": "de"},
    )


def _phase(env: dict[str, str], targets: dict[str, list[str]], count: int, var_dir: Path) -> dict:
    """One gunicorn server: a warm-up pass over every target's URLs, then ROUNDS rounds. In a
    round each target gets ``count`` requests in SLICES slices, the targets alternating slice by
    slice, so a burst of load elsewhere on the machine hits them alike. Per target the medians
    over rounds; the ratios to the bare view are medians of the per-round ratios."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = var_dir / f"gunicorn-{port}.log"
    server = _start_server(env, port, log)
    urls_of = {name: [url.format(base=base) for url in urls] for name, urls in targets.items()}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    try:
        wait_until_up(base, server, log)
        for urls in urls_of.values():  # warm-up: imports, caches, the typo vocabulary
            _send(urls, 0, max(CONCURRENCY * 4, len(urls)))
        sent = dict.fromkeys(targets, 0)
        for _ in range(ROUNDS):
            measured = {name: ([], 0, 0.0) for name in targets}
            for _ in range(SLICES):
                for name, urls in urls_of.items():
                    latencies, errors, elapsed = _send(urls, sent[name], count // SLICES)
                    sent[name] += count // SLICES
                    before = measured[name]
                    measured[name] = (before[0] + latencies, before[1] + errors, before[2] + elapsed)
            for name, (latencies, errors, elapsed) in measured.items():
                if not latencies:
                    raise RuntimeError(f"every request to {urls_of[name][0]} failed")
                latencies.sort()
                rounds[name].append(
                    {
                        "requests_per_second": len(latencies) / elapsed,
                        "p50_ms": percentile(latencies, 0.50),
                        "p95_ms": percentile(latencies, 0.95),
                        "errors": errors,
                    }
                )
    finally:
        stop_server(server)
    results: dict[str, dict[str, float]] = {}
    for name, measured_rounds in rounds.items():
        results[name] = {
            key: round(statistics.median(r[key] for r in measured_rounds), 2)
            for key in ("requests_per_second", "p50_ms", "p95_ms")
        }
        results[name]["errors"] = sum(r["errors"] for r in measured_rounds)
        if name == "bare":
            continue
        pairs = list(zip(measured_rounds, rounds["bare"], strict=True))
        results[name]["p50_ratio_to_bare"] = round(
            statistics.median(t["p50_ms"] / b["p50_ms"] for t, b in pairs), 2
        )
        results[name]["p95_ratio_to_bare"] = round(
            statistics.median(t["p95_ms"] / b["p95_ms"] for t, b in pairs), 2
        )
        results[name]["throughput_ratio_to_bare"] = round(
            statistics.median(t["requests_per_second"] / b["requests_per_second"] for t, b in pairs), 3
        )
    return results


def _run_on(database_url: str, *, quick: bool) -> dict:
    """Setup, quality and in-process timings in a child process, then the two server phases."""
    total_documents = 2_000 if quick else 10_000
    count = 60 if quick else 300
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-search-") as tmp:
        var_dir = Path(tmp)
        env = server_env(var_dir, database_url=database_url)
        setup = subprocess.run(
            [sys.executable, "-m", "benchmarks.search", "--setup", str(total_documents)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
        if setup.returncode != 0:
            raise RuntimeError(f"setup failed:\n{setup.stderr[-3000:]}")
        prepared = json.loads(setup.stdout.strip().splitlines()[-1])
        queries = [quote(query) for query, _ in load_queries()]
        bare = ["{base}/bench/bare/"]
        api = ["{base}/api/v1/search?q=" + query for query in queries]
        cached = _phase(
            env,
            {
                "bare": bare,
                "search_api": api,
                "search_page": ["{base}/suche/?q=" + query for query in queries],
            },
            count,
            var_dir,
        )
        uncached = _phase(
            {**env, "SEARCH_RESULTS_CACHE_SIZE": "0"}, {"bare": bare, "search_api": api}, count, var_dir
        )
    speed = {**cached, "find_in_process": prepared["find_in_process"]}
    speed["search_api_uncached"] = {
        **uncached["search_api"],
        "bare_requests_per_second": uncached["bare"]["requests_per_second"],
    }
    return {
        "documents_indexed": prepared["documents_indexed"],
        "index_build_seconds": prepared["index_build_seconds"],
        "requests_per_target_and_round": count,
        "quality": prepared["quality"],
        "speed": speed,
    }


def run(*, quick: bool, databases: tuple[str, ...] = ("sqlite", "postgresql")) -> dict:
    result: dict = {"benchmark": "search", "rounds": ROUNDS, "concurrency": CONCURRENCY}
    if "sqlite" in databases:
        result.update(_run_on("", quick=quick))
        result["server"] = f"gunicorn, {WORKERS} sync workers, SQLite FTS5, 127.0.0.1"
    if "postgresql" in databases:
        url = os.environ.get("SEARCH_BENCH_DATABASE_URL", DEFAULT_POSTGRESQL_URL)
        if not postgres_reachable(url):
            result["postgresql"] = {"skipped": "PostgreSQL not reachable"}
        else:
            recreate_database(url)
            try:
                result["postgresql"] = {
                    "server": f"gunicorn, {WORKERS} sync workers, PostgreSQL full-text, 127.0.0.1",
                    **_run_on(url, quick=quick),
                }
            finally:
                drop_database(url)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 60 requests per round")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both",
                        help="which database (default: both; PostgreSQL only when reachable)")  # fmt: skip
    parser.add_argument("--setup", type=int, default=0, help=argparse.SUPPRESS)  # child process mode
    parser.add_argument("--quality-only", action="store_true", help=argparse.SUPPRESS)  # on a prepared DB
    args = parser.parse_args(argv)
    if args.quality_only:
        import django

        django.setup()
        print(json.dumps(_quality(), indent=2))
        return 0
    if args.setup:
        print(json.dumps(_setup(args.setup)))
        return 0
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    print(json.dumps(run(quick=args.quick, databases=databases), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

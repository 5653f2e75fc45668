"""Search benchmark: ranking quality on citizen queries and latency at 10,000 documents.

    python -m benchmarks.search            # full: 10,000 documents, 300 requests per target and round
    python -m benchmarks.search --quick    # smoke run: 2,000 documents, 60 requests

(a) Quality: every query of ``benchmarks/data/search_queries.tsv`` (colloquial, misspelt,
compounds; each with the service it means) goes through ``kernel.search.find`` over the
real service catalogue (``rathaus directory load-repository``) *plus* the synthetic
documents of (b), so ranking must hold up in a crowded index. Reported: the share where
the meant service is the first hit (top-1) and among the first three (top-3), and the misses.

(b) Speed: the catalogue plus synthetic "document" entries (German sentences built from the
catalogue's own vocabulary, seeded) up to N documents in the index; gunicorn (2 sync
workers, SQLite, 127.0.0.1) serves the JSON search API ``/api/v1/search`` and the search
page ``/suche/``, cycling through the benchmark queries, and the bare view ``/bench/bare/``
as the baseline (method of benchmarks/portal.py). Three rounds, medians, ratios to bare.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from benchmarks.common import ROOT, free_port, percentile, server_env, stop_server, wait_until_up
from benchmarks.portal import CONCURRENCY, REQUEST_TIMEOUT, ROUNDS, WORKERS, _start_server

QUERIES = Path(__file__).resolve().parent / "data" / "search_queries.tsv"


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
    from django.db import transaction

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
    return {
        "documents_indexed": SearchDocument.objects.count(),
        "index_build_seconds": round(index_seconds, 1),
        "quality": _quality(),
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


def _measure(urls: list[str], count: int) -> dict[str, float]:
    """``count`` GETs cycling through ``urls`` from CONCURRENCY threads; latencies in ms."""
    import requests

    local = threading.local()

    def one(index: int) -> tuple[float, bool]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers["Accept-Language"] = "de"
        started = time.perf_counter()
        try:
            ok = session.get(urls[index % len(urls)], timeout=REQUEST_TIMEOUT).status_code == 200
        except requests.RequestException:
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    latencies = sorted(ms for ms, ok in results if ok)
    if not latencies:
        raise RuntimeError(f"every request to {urls[0]} failed")
    return {
        "requests_per_second": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "errors": sum(1 for _, ok in results if not ok),
    }


def run(*, quick: bool) -> dict:
    total_documents = 2_000 if quick else 10_000
    count = 60 if quick else 300
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-search-") as tmp:
        var_dir = Path(tmp)
        env = server_env(var_dir)
        setup = subprocess.run(
            [sys.executable, "-m", "benchmarks.search", "--setup", str(total_documents)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
        if setup.returncode != 0:
            raise RuntimeError(f"setup failed:\n{setup.stderr[-3000:]}")
        prepared = json.loads(setup.stdout.strip().splitlines()[-1])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = var_dir / "gunicorn.log"
        server = _start_server(env, port, log)
        queries = [query for query, _ in load_queries()]
        try:
            wait_until_up(base, server, log)
            targets = {
                "bare": [f"{base}/bench/bare/"],
                "search_api": [f"{base}/api/v1/search?q={quote(q)}" for q in queries],
                "search_page": [f"{base}/suche/?q={quote(q)}" for q in queries],
            }
            for urls in targets.values():  # warm-up: imports, caches, the typo vocabulary
                _measure(urls, CONCURRENCY * 4)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name, urls in targets.items():
                    rounds[name].append(_measure(urls, count))
        finally:
            stop_server(server)
    results: dict[str, dict[str, float]] = {}
    for name, measured in rounds.items():
        results[name] = {
            key: round(statistics.median(r[key] for r in measured), 2)
            for key in ("requests_per_second", "p50_ms", "p95_ms")
        }
        results[name]["errors"] = sum(r["errors"] for r in measured)
    for name in ("search_api", "search_page"):
        results[name]["p50_ratio_to_bare"] = round(results[name]["p50_ms"] / results["bare"]["p50_ms"], 2)
        results[name]["p95_ratio_to_bare"] = round(results[name]["p95_ms"] / results["bare"]["p95_ms"], 2)
        results[name]["throughput_ratio_to_bare"] = round(
            results[name]["requests_per_second"] / results["bare"]["requests_per_second"], 3
        )
    return {
        "benchmark": "search",
        "server": f"gunicorn, {WORKERS} sync workers, SQLite FTS5, 127.0.0.1",
        "documents_indexed": prepared["documents_indexed"],
        "index_build_seconds": prepared["index_build_seconds"],
        "requests_per_target_and_round": count,
        "rounds": ROUNDS,
        "concurrency": CONCURRENCY,
        "quality": prepared["quality"],
        "speed": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 60 requests per round")
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
    print(json.dumps(run(quick=args.quick), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

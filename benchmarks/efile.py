"""E-Akte benchmark: the office inbox and the lookup by Aktenzeichen at 100,000 cases, and
OCR throughput and accuracy on generated scans.

    python -m benchmarks.efile            # full: 100,000 cases in one office; 8 OCR pages
    python -m benchmarks.efile --quick    # smoke run: 10,000 cases; 2 OCR pages

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

OCR (in a second child process): renders full A4 pages of German words at 300 dpi with Pillow
(``rathaus.efile.scan_samples``), runs them through ``rathaus.efile.ocr.recognise`` (the whole
pipeline: image to PDF, Tesseract ``deu`` with its text layer, orientation detection where a
page is not upright, PDF/A-2b written and validated; one core per page) and, as baseline,
through the bare ``tesseract`` command on the same image (text only, no PDF, at the same
niceness 5 and thread limit the pipeline gives Tesseract), the two interleaved page by page.
Reports pages per minute for both, the pipeline's time ratio to the bare run (elapsed, and in
CPU seconds, which other work on a shared machine disturbs less), the character accuracy
(1 − Levenshtein distance / reference length, after collapsing whitespace) of the pipeline,
and, untimed, the accuracy on the first page scanned upside down and sideways (90°
counter-clockwise), which the pipeline must turn upright.

    python -m benchmarks.efile --only ocr [--quick]   # only OCR; merged into results/efile.json

``--only ocr`` replaces only the ``ocr`` key of ``benchmarks/results/efile.json``
(``efile-quick.json`` with ``--quick``) and keeps every other key of the last full run.
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

from benchmarks.common import ROOT, percentile, server_env

ROUNDS = 3


def _time(call: Callable[[int], None], count: int) -> dict[str, float]:
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95)}


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


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), O(len(a)·len(b))."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _accuracy(reference: str, text: str) -> float:
    expected = _normalise(reference)
    return 1 - _edit_distance(expected, _normalise(text)) / len(expected)


def _turned(png: bytes, degrees: int) -> bytes:
    """The page scanned turned ``degrees`` counter-clockwise."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        buffer = io.BytesIO()
        image.rotate(degrees, expand=True).save(buffer, "PNG", dpi=image.info["dpi"])
    return buffer.getvalue()


def _cpu_seconds(*, own: bool) -> float:
    """CPU time used so far by the finished child processes (and this process with ``own``)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = used.ru_utime + used.ru_stime
    if own:
        mine = resource.getrusage(resource.RUSAGE_SELF)
        total += mine.ru_utime + mine.ru_stime
    return total


def _ocr_child(pages: int) -> dict:
    import shutil

    import django

    django.setup()
    from rathaus.efile import ocr
    from rathaus.efile.scan_samples import random_lines, render_letter

    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RuntimeError("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-deu)")
    samples = []
    for page in range(pages):
        lines = random_lines(seed=page, lines=30, words_per_line=6)
        samples.append(("\n".join(lines), render_letter(lines, dpi=300, full_page=True)))
    pipeline_seconds, bare_seconds, accuracies, checked = [], [], [], 0
    pipeline_cpu, bare_cpu = [], []
    ocr.recognise(samples[0][1], content_type="image/png")  # warm up (imports, Tesseract model)
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-ocr-") as tmp:
        for index, (reference, png) in enumerate(samples):
            started, cpu = time.perf_counter(), _cpu_seconds(own=True)
            result = ocr.recognise(png, content_type="image/png")
            pipeline_seconds.append(time.perf_counter() - started)
            pipeline_cpu.append(_cpu_seconds(own=True) - cpu)
            accuracies.append(_accuracy(reference, result.text))
            checked += sum(page.orientation_checked for page in result.pages)
            image = Path(tmp, f"page{index}.png")
            image.write_bytes(png)
            started, cpu = time.perf_counter(), _cpu_seconds(own=False)
            subprocess.run(  # noqa: S603 (fixed arguments)
                # At the niceness and thread limit the pipeline gives Tesseract, so a loaded
                # machine slows both alike.
                ["nice", "-n", "5", tesseract, str(image), str(Path(tmp, f"page{index}")), "-l", "deu"],
                capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )  # fmt: skip
            bare_seconds.append(time.perf_counter() - started)
            bare_cpu.append(_cpu_seconds(own=False) - cpu)
    turned = {}
    for degrees, key in ((180, "upside_down"), (90, "sideways")):
        result = ocr.recognise(_turned(samples[0][1], degrees), content_type="image/png")
        turned[key] = {
            "character_accuracy": _accuracy(samples[0][0], result.text),
            "turned_upright": [page.rotation for page in result.pages] == [degrees],
        }
    pipeline = statistics.median(pipeline_seconds)
    bare = statistics.median(bare_seconds)
    return {
        "pages": pages,
        "dpi": 300,
        "page": "A4, 30 lines of German words, DejaVu Sans about 11 pt where installed",
        "pipeline_seconds_per_page_median": pipeline,
        "pipeline_pages_per_minute": 60 / pipeline,
        "bare_tesseract_seconds_per_page_median": bare,
        "bare_tesseract_pages_per_minute": 60 / bare,
        "pipeline_to_bare_ratio": pipeline / bare,
        # CPU seconds (the pipeline's own process and its children; Tesseract's), which other
        # work on the machine disturbs far less than the elapsed times above.
        "pipeline_cpu_seconds_per_page_median": statistics.median(pipeline_cpu),
        "bare_tesseract_cpu_seconds_per_page_median": statistics.median(bare_cpu),
        "pipeline_to_bare_cpu_ratio": statistics.median(pipeline_cpu) / statistics.median(bare_cpu),
        "character_accuracy_median": statistics.median(accuracies),
        "character_accuracy_min": min(accuracies),
        "orientation_checked_pages": checked,
        "turned_pages": turned,
    }


def _run_child(arguments: list[str], tmp: str) -> dict:
    env = server_env(tmp, database_url=os.environ.get("EFILE_BENCH_DATABASE_URL", ""))
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.efile", *arguments],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _ocr(*, quick: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-efile-ocr-") as tmp:
        return _run_child(["--ocr-child", str(2 if quick else 8)], tmp)


def run(*, quick: bool) -> dict:
    cases = 10_000 if quick else 100_000
    requests = 100 if quick else 300
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-efile-") as tmp:
        result = _run_child(["--child", str(cases), str(requests)], tmp)
    result["ocr"] = _ocr(quick=quick)
    return result


def run_ocr_only(*, quick: bool) -> dict:
    """Measure OCR only and put it into the saved results as their ``ocr`` key, keeping the
    other keys of the last run (of the same size)."""
    from datetime import UTC, datetime

    started = time.perf_counter()
    measured = _ocr(quick=quick)
    measured["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    measured["wall_seconds"] = round(time.perf_counter() - started, 2)
    path = ROOT / "benchmarks" / "results" / f"efile{'-quick' if quick else ''}.json"
    saved = json.loads(path.read_text()) if path.exists() else {"benchmark": "efile", "quick": quick}
    saved["ocr"] = measured
    path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        choices=["ocr"],
        help="measure only this part and merge it into benchmarks/results/efile[-quick].json",
    )
    parser.add_argument("--child", nargs=2, type=int, metavar=("CASES", "REQUESTS"), help=argparse.SUPPRESS)
    parser.add_argument("--ocr-child", type=int, metavar="PAGES", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ocr_child:
        print(json.dumps(_ocr_child(args.ocr_child)))
        return 0
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    if args.only == "ocr":
        print(json.dumps(run_ocr_only(quick=args.quick)["ocr"], indent=2, sort_keys=True))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

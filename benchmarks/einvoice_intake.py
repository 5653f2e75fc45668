"""E-Rechnung intake over HTTP against the command-line batch on the same cores (issue 13).

    python -m benchmarks einvoice_intake          # 1,000 invoices, SQLite and PostgreSQL
    python -m benchmarks.einvoice_intake --quick  # 120 invoices, SQLite only (a smoke run)

The documents: the public instances of the official test suite as in ``benchmarks.einvoice``
(reference invoices, KoSIT unit templates, configuration tests, CEN examples; valid and invalid),
cycled to the batch size, each with its own invoice number (BT-1) and the buyer reference (BT-10)
of an office of the benchmark city, so that a valid invoice is accepted, routed and filed (the CEN
examples carry no buyer reference: valid to the rules, they are refused by the routing, as in
production).

* **baseline — the CLI batch:** ``rathaus einvoice validate --jobs <cores>`` over the same files, one
  Saxon per process. It only validates. Its throughput is taken without the command's start-up and
  compilation (the wall time of the same command over one file per core is subtracted), the
  stricter comparison, since the web workers too compile before the timing starts.
* **target — intake over HTTP:** gunicorn with as many sync workers as cores, started with
  ``rathaus.config.gunicorn`` (each worker compiles the rules once before its first request), and
  8 concurrent suppliers: 6 through the API (``POST /api/v1/einvoices`` with their token), 2 through
  the upload page (their session, CSRF, multipart form); the cache (throttling counters) in Redis,
  as in production. Every document is validated, stored, routed by Leitweg-ID, checked for
  duplicates, audited and answered, and its follow-up task (filing in the E-Akte, supplier notice)
  is enqueued; the clients run on the same machine.
* **follow-up:** then ``rathaus worker --until-empty`` (one per core) files every accepted invoice
  and sends the notices; its time is reported, and the end-to-end rate (intake plus follow-up).

The baseline runs before and after the target; its mean is the reference. Reported per database:
invoices/s of both, the ratio ``intake_throughput_ratio_to_cli`` (goal ≥ 0.8), request p50/p95,
answers by status, the follow-up and end-to-end rates, and the check that the platform's verdicts
agree with the CLI's and that every accepted invoice has its case.
``python -m benchmarks einvoice_intake`` writes ``results/einvoice_intake.json`` and copies the
headline keys into ``results/einvoice.json``
(PostgreSQL's figure as ``intake_throughput_ratio_to_cli``, SQLite's beside it).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    cores,
    drain_tasks,
    free_port,
    percentile,
    postgres_reachable,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
    wait_until_up,
)

BATCH, QUICK_BATCH = 1000, 120
SUPPLIERS, UPLOADERS = 8, 2  # the last UPLOADERS suppliers use the web form, the others the API
LEITWEG_ID = "04011000-12348-91"  # the office's Leitweg-ID (valid check digit)
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rathaus_bench_einvoice"
PASSWORD = "Benchmark-Lieferant-2026!"  # noqa: S105 - a throw-away benchmark database
RESULTS = Path(__file__).resolve().parent / "results"


# --- child processes (Django set up with the benchmark's settings and database) --------------------


def _setup(folder: Path, count: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from benchmarks.einvoice import generated_batch
    from rathaus.accounts import services as accounts
    from rathaus.accounts.models import Organisation
    from rathaus.directory.models import Office

    call_command("migrate", verbosity=0)
    Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    suppliers: list[dict[str, str]] = []
    for number in range(SUPPLIERS):
        organisation = accounts.organisation_create(
            name=f"Lieferant {number + 1} GmbH", kind=Organisation.Kind.COMPANY
        )
        user = accounts.organisation_user_create(
            organisation=organisation,
            username=f"lieferant{number + 1}",
            full_name=f"Lieferant {number + 1}",
            email=f"rechnung{number + 1}@lieferant.example",
            password=PASSWORD,
            by=None,
        )
        if number < SUPPLIERS - UPLOADERS:
            _token, plaintext = accounts.api_token_issue(owner=user, name="ERP", scopes=["einvoice:submit"])
            suppliers.append({"channel": "api", "token": plaintext})
        else:
            client = Client()
            client.force_login(user)
            suppliers.append({"channel": "upload", "session": client.cookies["sessionid"].value})
    documents, _origins = generated_batch(count)
    files = folder / "documents"
    files.mkdir()
    for index, content in enumerate(documents):
        (files / f"{index:05d}.xml").write_bytes(_routed(content))
    return {"suppliers": suppliers, "documents": count}


def _routed(content: bytes) -> bytes:
    """The document with its buyer reference (BT-10) set to the office's Leitweg-ID, where it has one;
    documents that do not parse are returned unchanged."""
    from lxml import etree

    from rathaus.domain.einvoice import parse_secure

    try:
        tree = parse_secure(content)
    except Exception:
        return content
    found = tree.getroot().xpath("//*[local-name()='BuyerReference']")
    if not found:
        return content
    found[0].text = LEITWEG_ID
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def _check() -> dict[str, Any]:
    import django

    django.setup()
    from rathaus.einvoice.models import InboundInvoice

    invoices = InboundInvoice.objects.all()
    accepted = invoices.filter(status=InboundInvoice.Status.ACCEPTED)
    # Valid to the rules but without a buyer reference (the CEN examples): refused by the routing.
    unroutable = invoices.filter(rejection_rules=["LEITWEG-ID"]).count()
    return {
        "stored": invoices.count(),
        "accepted": accepted.count(),
        "refused_by_routing_only": unroutable,
        "accepted_without_case": accepted.filter(case__isnull=True).count(),
        "by_channel": dict(Counter(invoices.values_list("channel", flat=True))),
        "rejected_rules": dict(
            Counter(rule for rules in invoices.values_list("rejection_rules", flat=True) for rule in rules)
        ),
    }


def _child(mode: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.einvoice_intake", f"--{mode}", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the two sides ---------------------------------------------------------------------------------


def _cli_batch(env: dict[str, str], files: list[Path]) -> dict[str, Any]:
    """``rathaus einvoice validate`` over ``files`` on all cores: wall time and verdicts."""
    command = [sys.executable, "-m", "rathaus", "einvoice", "validate", "--format", "json",
               "--jobs", str(cores()), *map(str, files)]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False
    )
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: some documents are invalid, as intended
        raise RuntimeError(f"einvoice validate failed:\n{result.stderr[-3000:]}")
    verdicts = {
        Path(line["file"]).name: line["valid"] for line in map(json.loads, result.stdout.splitlines())
    }
    return {"wall_seconds": wall, "per_second": len(files) / wall, "verdicts": verdicts}


def _supplier(base: str, supplier: dict[str, str], work: queue.Queue[Path], record: Any) -> None:
    import requests

    session = requests.Session()
    upload = f"{base}/e-rechnung/einreichen/"
    if supplier["channel"] == "upload":
        session.cookies.set("sessionid", supplier["session"])
        session.get(upload, timeout=60)  # the form sets the CSRF cookie
    while True:
        try:
            path = work.get_nowait()
        except queue.Empty:
            return
        content = path.read_bytes()
        began = time.perf_counter()
        try:
            if supplier["channel"] == "api":
                answer = session.post(
                    f"{base}/api/v1/einvoices",
                    data=content,
                    headers={
                        "Authorization": f"Bearer {supplier['token']}",
                        "Content-Type": "application/xml",
                    },
                    timeout=120,
                )
            else:
                answer = session.post(
                    upload,
                    data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                    files={"file": (path.name, content, "application/xml")},
                    headers={"Referer": upload},
                    allow_redirects=False,
                    timeout=120,
                )
            status = f"{supplier['channel']}_{answer.status_code}"
        except requests.RequestException:
            status = f"{supplier['channel']}_connection_error"
        record(path, status, time.perf_counter() - began)


def _http_intake(
    env: dict[str, str], var_dir: Path, setup: dict[str, Any], files: list[Path]
) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = var_dir / "gunicorn.log"
    # The workers log (at info) when they have compiled the rules: ``_wait_for_warm_workers``.
    server = start_gunicorn(
        env,
        port,
        log,
        workers=cores(),
        timeout=120,
        config="python:rathaus.config.gunicorn",
        log_level="info",
    )
    try:
        wait_until_up(base, server, log, timeout=180)
        _wait_for_warm_workers(log, server)
        work: queue.Queue[Path] = queue.Queue()
        for path in files:
            work.put(path)
        statuses: Counter[str] = Counter()
        latencies: list[float] = []
        lock = threading.Lock()

        def record(_path: Path, status: str, seconds: float) -> None:
            with lock:
                statuses[status] += 1
                latencies.append(seconds)

        threads = [
            threading.Thread(target=_supplier, args=(base, supplier, work, record))
            for supplier in setup["suppliers"]
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        stop_server(server)
    latencies.sort()
    return {
        "wall_seconds": wall,
        "per_second": len(files) / wall,
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "answers": dict(sorted(statuses.items())),
        "errors_5xx": sum(n for key, n in statuses.items() if key.rsplit("_", 1)[-1].startswith("5")),
        "connection_errors": sum(n for key, n in statuses.items() if key.endswith("connection_error")),
    }


def _wait_for_warm_workers(log: Path, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Wait until every worker has logged that it compiled the rules (``rathaus.config.gunicorn``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Regelwerk in Worker") >= cores():
            return
        if server.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"workers did not compile the rules:\n{log.read_text(errors='replace')[-2000:]}")


# --- one database, and the whole run ---------------------------------------------------------------


def _one(database_url: str, count: int) -> dict[str, Any]:
    from tests.scale.cluster import redis_server

    with (
        tempfile.TemporaryDirectory(prefix="rathaus-bench-einvoice-intake-") as tmp,
        redis_server(Path(tmp)) as redis_url,
    ):
        var_dir = Path(tmp)
        if database_url:
            recreate_database(url=database_url)
        # As in production: the API's throttling counters in Redis (docs/operations.md).
        env = server_env(var_dir, database_url=database_url, extra={"CACHE_URL": redis_url})
        setup = _child("setup", env, str(var_dir), str(count))
        files = sorted((var_dir / "documents").glob("*.xml"))
        start = _cli_batch(env, files[: cores()])  # start-up and compilation only
        before = _cli_batch(env, files)
        http = _http_intake(env, var_dir, setup, files)
        drain = drain_tasks(env, prefix="bench", worker_timeout=1200, wait_timeout=1800)
        after = _cli_batch(env, files)
        check = _child("check", env)
    # The stricter baseline: the CLI's throughput without its start-up and compilation (the web
    # workers compile before the timing starts, too).
    start_seconds = start["wall_seconds"]
    cli_per_second = statistics.mean(
        [count / (run["wall_seconds"] - start_seconds) for run in (before, after)]
    )
    cli_accepted = sum(before["verdicts"].values())
    return {
        "database": "PostgreSQL" if database_url else "SQLite",
        "documents": count,
        "cores": cores(),
        "suppliers": {"api": SUPPLIERS - UPLOADERS, "upload": UPLOADERS},
        "cli_batch": {
            "per_second": round(cli_per_second, 2),
            "per_second_with_start": [round(before["per_second"], 2), round(after["per_second"], 2)],
            "start_and_compile_seconds": round(start_seconds, 2),
            "accepted": cli_accepted,
        },
        "http_intake": {
            **http,
            "per_second": round(http["per_second"], 2),
            "wall_seconds": round(http["wall_seconds"], 1),
        },
        "intake_throughput_ratio_to_cli": round(http["per_second"] / cli_per_second, 3),
        "follow_up": {
            "what": "filing in the E-Akte and supplier notices by `rathaus worker` (one per core), "
            "after the intake",
            "wall_seconds": round(drain, 1),
            "invoices_per_second": round(count / drain, 2),
        },
        "end_to_end_per_second": round(count / (http["wall_seconds"] + drain), 2),
        "end_to_end_ratio_to_cli": round(count / (http["wall_seconds"] + drain) / cli_per_second, 3),
        "stored": check,
        "verdicts_agree_with_cli": check["accepted"] + check["refused_by_routing_only"] == cli_accepted
        and check["stored"] == count,
        "every_accepted_invoice_filed": check["accepted_without_case"] == 0,
        "cli_runs_agree": before["verdicts"] == after["verdicts"],
    }


def run(*, quick: bool) -> dict[str, Any]:
    count = QUICK_BATCH if quick else BATCH
    result: dict[str, Any] = {"benchmark": "einvoice_intake", "sqlite": _one("", count)}
    url = os.environ.get("EINVOICE_BENCH_DATABASE_URL", DEFAULT_DB)
    if not quick and postgres_reachable(url):
        result["postgresql"] = _one(url, count)
    headline = result.get("postgresql", result["sqlite"])
    result["intake_throughput_ratio_to_cli"] = headline["intake_throughput_ratio_to_cli"]
    if not quick:
        _merge_into_einvoice_json(result)
    return result


def _merge_into_einvoice_json(result: dict[str, Any]) -> None:
    """Keep the issue's key in ``results/einvoice.json`` (the validation benchmark's file)."""
    path = RESULTS / "einvoice.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"benchmark": "einvoice"}
    data["intake_throughput_ratio_to_cli"] = result["intake_throughput_ratio_to_cli"]
    data["intake_throughput_ratio_to_cli_sqlite"] = result["sqlite"]["intake_throughput_ratio_to_cli"]
    data["intake_note"] = (
        "e-invoice intake over HTTP (gunicorn, one sync worker per core, 8 suppliers: API and upload; "
        "validation, storage, routing, duplicate check and audit included; filing in the E-Akte follows "
        "in a background task, timed as follow_up) divided by `rathaus einvoice validate --jobs <cores>` "
        "on the same documents without its start-up; details in einvoice_intake.json"
    )
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="120 invoices, SQLite only")
    parser.add_argument("--setup", nargs=2, metavar=("DIR", "COUNT"), help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        print(json.dumps(_setup(Path(args.setup[0]), int(args.setup[1]))))
    elif args.check:
        print(json.dumps(_check()))
    else:
        print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

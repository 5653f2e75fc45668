"""Once-only at 1,000,000 residents on PostgreSQL: the data exchange with its logging against the
bare register query, and the daily proactive run over the whole population.

    python -m benchmarks onceonly            # full: 1,000,000 residents, 3 × 3,000 requests
    python -m benchmarks onceonly --quick    # smoke run: 20,000 residents, 3 × 500 requests

What it does, in a child process with ``benchmarks.bench_settings``:

1. creates the dedicated PostgreSQL database ``ONCEONLY_BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/rathaus_bench_onceonly``; dropped and re-created, and
   dropped again at the end), migrates it and builds the demo city's residents into it with the
   demo's bulk loader (``registers.demo.city.build_demo_city``, seed 2026, reference date
   1 January 2026; not timed, its seconds are reported), then ``ANALYZE``;
2. **exchange** — per round, the same random living residents (a fresh sample per round) are
   asked for name, date and place of birth, nationality and address by the Ordnungsamt under
   § 34 Abs. 1 BMG (``bmg-34-grunddaten``), through ``registers.services.exchange_request``
   (basis and office checks, data minimisation, one ``ExchangeRecord`` and one audit entry per
   request, committed) and, as baseline, by the bare register query: the same fields of the
   same person read with one ORM query (person joined to address), without checks or logging.
   The two alternate per request (which goes first alternating too). Requests per second are
   the requests of a round over the sum of their latencies; the medians over 3 rounds are
   reported with p50/p95 in ms and ``ratio_to_bare_query`` = exchange req/s ÷ bare req/s (goal
   ≥ 0.5). The SQL statements of one request are counted (``CaptureQueriesContext``);
3. **proactive run** — ``rathaus registers proactive-run --no-wait`` for 2 January 2026 queues
   the population's chunks (keyed tasks of 10,000 ids each), then the real worker drains them
   (``rathaus worker --until-empty``, one process per core, in their own processes), together
   with the register events the chunks record and their offers. ``seconds_for_population`` is
   from the command's start until the queue is empty; ``residents_per_second`` is the register's
   people (living and dead: every id is checked) over it (goal: 1,000,000 in ≤ 600 s, i.e.
   ≥ 1,667 per second; the quick run is judged by the same rate).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, cores, drop_database, percentile, recreate_database, server_env

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rathaus_bench_onceonly"
ROUNDS = 3
SEED = 2026
REFERENCE_DATE = date(2026, 1, 1)
RUN_DAY = date(2026, 1, 2)
FIELDS = ("name", "date_of_birth", "place_of_birth", "nationality", "address")
BASIS = "bmg-34-grunddaten"
OFFICE = "ordnungsamt"
PURPOSE = "Benchmark: Prüfung der Zuständigkeit (Ordnungswidrigkeitenverfahren)"
EXCHANGE_GOAL_RATIO = 0.5
PROACTIVE_GOAL_SECONDS_PER_MILLION = 600.0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- 1. the population ----------------------------------------------------------------------------


def _build(residents: int) -> dict[str, Any]:
    from django.db import connection

    from rathaus.registers.demo.city import build_demo_city
    from rathaus.registers.models import Person

    done = {"residents": 0, "last": 0.0}
    started = time.perf_counter()

    def progress(batch: Any, _rows: dict[str, int]) -> None:
        done["residents"] += batch.residents
        now = time.perf_counter()
        if now - done["last"] >= 5 or done["residents"] >= residents:
            done["last"] = now
            rate = done["residents"] / max(now - started, 1e-9)
            _say(f"  Aufbau: {done['residents']:,} / {residents:,} Einwohner ({rate:,.0f}/s)")

    result = build_demo_city(
        residents=residents,
        seed=SEED,
        reference_date=REFERENCE_DATE,
        batch_residents=20_000,
        with_staff=False,
        progress=progress,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    _say(f"Aufbau: {result.residents:,} Einwohner, {result.total_rows:,} Zeilen in {seconds:.0f} s")
    return {
        "residents": result.residents,
        "people_in_register": Person.objects.count(),
        "rows_total": result.total_rows,
        "seconds": round(seconds, 1),
    }


# --- 2. the exchange against the bare query ---------------------------------------------------------


def _timings(values: list[float], count: int) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "requests_per_second": count / sum(values),
        "p50_ms": percentile(ordered, 0.5) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
    }


def _exchange(requests: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from rathaus.directory import selectors as directory_selectors
    from rathaus.registers import services
    from rathaus.registers.models import ExchangeRecord, Person

    office = directory_selectors.office_by_slug(slug=OFFICE)
    assert office is not None
    low, high = (
        Person.objects.order_by("pk").values_list("pk", flat=True).first(),
        Person.objects.latest("pk").pk,
    )
    rng = random.Random(SEED)  # noqa: S311 (sampling, not security)

    def sample() -> list[int]:
        """``requests`` living residents, drawn uniformly from the whole id range."""
        chosen: set[int] = set()
        while len(chosen) < requests:
            draw = {rng.randint(low, high) for _ in range(requests)}
            chosen |= set(
                Person.objects.filter(pk__in=draw, date_of_death__isnull=True).values_list("pk", flat=True)
            )
        return rng.sample(sorted(chosen), requests)

    def exchange(person_id: int) -> Any:
        return services.exchange_request(
            requesting_office=office,
            person_id=person_id,
            fields=FIELDS,
            purpose=PURPOSE,
            legal_basis_id=BASIS,
            actor="Benchmark",
        ).data

    def bare(person_id: int) -> Any:
        return (
            Person.objects.filter(pk=person_id)
            .values_list(
                "given_names",
                "family_name",
                "date_of_birth",
                "place_of_birth",
                "nationality",
                "address__street",
                "address__house_number",
                "address__postal_code",
                "address__city",
            )  # fmt: skip
            .first()
        )

    def logged_floor(person_id: int) -> Any:
        """The bare query plus one log row, committed: the least any logged read costs."""
        with transaction.atomic():
            row = bare(person_id)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_read_log (person_id, fields) VALUES (%s, %s)", [person_id, "5"]
                )
        return row

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_read_log (id bigserial PRIMARY KEY, person_id integer NOT NULL, "
            "at timestamptz NOT NULL DEFAULT now(), fields text NOT NULL)"
        )
    warm = sample()[:50]
    for person_id in warm:  # warm-up: caches, the catalogue, prepared connection
        exchange(person_id)
        bare(person_id)
        logged_floor(person_id)
    with CaptureQueriesContext(connection) as exchange_sql:
        answer = exchange(warm[0])
    with CaptureQueriesContext(connection) as bare_sql:
        bare(warm[0])
    if sorted(answer) != sorted(FIELDS):
        raise RuntimeError(f"the exchange answered {sorted(answer)}, not {sorted(FIELDS)}")
    records_before = ExchangeRecord.objects.count()

    calls: list[tuple[str, Callable[[int], Any]]] = [
        ("exchange", exchange), ("bare_query", bare), ("bare_query_and_log_row", logged_floor)
    ]  # fmt: skip
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _call in calls}
    for number in range(ROUNDS):
        people = sample()
        latencies: dict[str, list[float]] = {name: [] for name, _call in calls}
        for i, person_id in enumerate(people):
            for name, call in calls if (i + number) % 2 == 0 else reversed(calls):  # who goes first
                began = time.perf_counter()
                call(person_id)
                latencies[name].append(time.perf_counter() - began)
        for name, values in latencies.items():
            rounds[name].append(_timings(values, requests))
        ex, ba = rounds["exchange"][-1], rounds["bare_query"][-1]
        _say(
            f"  Runde {number + 1}: Austausch {ex['requests_per_second']:.0f}/s, "
            f"bloße Abfrage {ba['requests_per_second']:.0f}/s"
        )
    logged = ExchangeRecord.objects.count() - records_before
    if logged != ROUNDS * requests:
        raise RuntimeError(f"{logged} exchange records written for {ROUNDS * requests} requests")
    result: dict[str, Any] = {
        name: {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
        for name, runs in rounds.items()
    }
    ratio = result["exchange"]["requests_per_second"] / result["bare_query"]["requests_per_second"]
    result["exchange"].update(
        {
            "ratio_to_bare_query": round(ratio, 3),
            "ratio_to_bare_query_and_log_row": round(
                result["exchange"]["requests_per_second"]
                / result["bare_query_and_log_row"]["requests_per_second"],
                3,
            ),
            "goal_ratio": EXCHANGE_GOAL_RATIO,
            "goal_met": ratio >= EXCHANGE_GOAL_RATIO,
            "requests_per_round": requests,
            "rounds": ROUNDS,
            "requests_per_second_all_rounds": [
                round(r["requests_per_second"], 1) for r in rounds["exchange"]
            ],
            "sql_statements_per_request": len(exchange_sql.captured_queries),
            "exchange_records_written": logged,
            "fields": list(FIELDS),
            "legal_basis": BASIS,
            "requesting_office": OFFICE,
        }
    )
    result["bare_query"]["sql_statements_per_request"] = len(bare_sql.captured_queries)
    floor = (
        result["bare_query_and_log_row"]["requests_per_second"] / result["bare_query"]["requests_per_second"]
    )
    result["bare_query_and_log_row"]["ratio_to_bare_query"] = round(floor, 3)
    result["bare_query"]["requests_per_second_all_rounds"] = [
        round(r["requests_per_second"], 1) for r in rounds["bare_query"]
    ]
    return result


# --- 3. the daily proactive run --------------------------------------------------------------------


def _wait_for_workers(logs: list[Path], workers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 180
    while not all("Starting worker" in log.read_text(errors="replace") for log in logs):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            tails = "\n".join(log.read_text(errors="replace")[-500:] for log in logs)
            raise RuntimeError(f"the workers did not start:\n{tails}")
        time.sleep(0.2)


def _proactive(people: int) -> dict[str, Any]:
    from django.core.management import call_command

    from rathaus.kernel.tasks import TaskRun, queue_state
    from rathaus.registers import proactive

    command = [sys.executable, "-m", "rathaus", "worker", "--interval", "0.2", "-v", "1"]
    logs = [Path(os.environ["RATHAUS_VAR_DIR"]) / f"worker-{n}.log" for n in range(cores())]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"bench-onceonly-{n}"],
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for n, log in enumerate(logs)
    ]
    try:
        _wait_for_workers(logs, workers)  # in production they are always running
        _say(f"  {len(workers)} Worker laufen; rathaus registers proactive-run …")
        started = time.perf_counter()
        call_command("registers", "proactive-run", "--date", RUN_DAY.isoformat(), stdout=io.StringIO())
        seconds = time.perf_counter() - started
        while not queue_state().empty:  # the events the chunks recorded, and their offers
            time.sleep(0.2)
        seconds_offers = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            _out, error = worker.communicate(timeout=60)
            if worker.returncode not in (0, -15):
                tail = error.decode(errors="replace")[-2000:]
                _say(f"rathaus worker exited with {worker.returncode}:\n{tail}")
    chunks = proactive.chunks_for(day=RUN_DAY)
    runs = TaskRun.objects.filter(key__in=[c.key for c in chunks])
    succeeded = runs.filter(status=TaskRun.Status.SUCCEEDED).count()
    if succeeded != len(chunks):
        raise RuntimeError(f"{succeeded} of {len(chunks)} chunks succeeded")
    summary = proactive.day_summary(day=RUN_DAY)
    rate = people / seconds
    goal_rate = 1_000_000 / PROACTIVE_GOAL_SECONDS_PER_MILLION
    _say(f"  {people:,} Personen in {seconds:.1f} s geprüft ({rate:,.0f}/s), {summary.events} Ereignisse")
    return {
        "day": RUN_DAY.isoformat(),
        "people_checked": people,
        "chunks": len(chunks),
        "chunk_size": proactive.DEFAULT_CHUNK_SIZE,
        "workers": len(workers),
        "worker": "rathaus worker (separate processes, polling every 0.2 s)",
        "seconds_for_population": round(seconds, 2),
        "seconds_until_offers_made": round(seconds_offers, 2),
        "residents_per_second": round(rate),
        "seconds_for_one_million_projected": round(1_000_000 / rate, 1),
        "events_turned_67": summary.events,
        "events_processed": summary.processed,
        "offers": summary.offers,
        "goal_seconds_for_one_million": PROACTIVE_GOAL_SECONDS_PER_MILLION,
        "goal_residents_per_second": round(goal_rate),
        "goal_met": rate >= goal_rate,
    }


# --- the run ------------------------------------------------------------------------------------


def _child(residents: int, requests: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("this benchmark needs PostgreSQL (ONCEONLY_BENCH_DATABASE_URL)")
    call_command("migrate", verbosity=0, interactive=False)
    build = _build(residents)
    _say(f"Datenaustausch: {ROUNDS} Runden × {requests:,} Anfragen")
    exchange = _exchange(requests)
    _say("Proaktiver Tageslauf")
    proactive_run = _proactive(build["people_in_register"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    return {
        "residents": build["residents"],
        "database": version.split(" on ")[0],
        "build": build,
        "exchange": exchange["exchange"],
        "bare_query": exchange["bare_query"],
        "bare_query_and_log_row": exchange["bare_query_and_log_row"],
        "proactive_run": proactive_run,
        "goals_met": exchange["exchange"]["goal_met"] and proactive_run["goal_met"],
    }


def run(*, quick: bool) -> dict:
    residents, requests = (20_000, 500) if quick else (1_000_000, 3_000)
    url = os.environ.get("ONCEONLY_BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="rathaus-bench-onceonly-") as var_dir:
            env = server_env(var_dir, database_url=url)
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.onceonly", "--child", str(residents), str(requests)],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True,
            )  # fmt: skip
    finally:
        drop_database(url)
    return {"benchmark": "onceonly", **json.loads(completed.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--child", nargs=2, type=int, metavar=("RESIDENTS", "REQUESTS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    print(json.dumps(run(quick=args.quick), indent=2))


if __name__ == "__main__":
    main()

"""Appointments benchmark: the release rush, the lapse boundary and availability throughput, over HTTP.

    python -m benchmarks.appointments            # full: 500 clients, 100 units; 300 queries × 3 rounds
    python -m benchmarks.appointments --quick    # smoke run: 100 clients, 32 units; 100 queries × 3 rounds
    python -m benchmarks.appointments --sqlite   # the same on the embedded SQLite database

What it does, all on 127.0.0.1:
1. creates a fresh PostgreSQL database (``APPOINTMENTS_BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/rathaus_bench_appointments``; with ``--sqlite`` or
   ``APPOINTMENTS_BENCH_DATABASE_URL=sqlite`` a SQLite file in a temporary directory), migrates it
   and plans (a) one "rush" office whose only bookable day has exactly N units (4 counters), the
   same again as the "lapse" office, and (b) ten offices offering one service with 3 counters and
   28 days of slots each; issues one API token with ``appointments:book`` (a partner portal
   through which the rush books);
2. starts gunicorn (8 sync workers) with ``benchmarks.appointments_settings``: the bench URLs with
   the bare view ``/bench/bare/`` as baseline, per-client limits lifted (all clients are 127.0.0.1);
3. (a) the rush: C client threads start together; each asks for the free units of the rush office
   and tries a random one (``POST /api/v1/appointments/reservations``); after a 409 it asks again,
   like a person reloading the page, until it has one or nothing is free (at most 40 attempts). Reports
   bookings made (201 answers, and appointments in the database), double bookings (units claimed
   twice in the database, and 201s beyond the unit count), answers other than 200/201/409 and
   p50/p95 latency of the reservations;
   the lapse boundary (``benchmarks/appointments_lapse.py``, issue 20): every unit of the lapse
   office gets a hold waiting for its e-mail link, all ending at one moment T; the N owners
   confirm in the last second before T while 2N others reserve the same units in the first
   second after it. Reports the answers, units with two live appointments (double bookings),
   confirmed appointments without their claims, 5xx answers, and whether every unit ends with
   exactly one live appointment;
4. (b) availability of one service across all offices (``GET /api/v1/appointments/availability``),
   requests/s from 8 threads against the bare view, 3 interleaved rounds, medians and ratio.
The proof of work of the web form is not part of the rush: the API is for partner portals, which
are accountable through their token (see docs/appointments.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks import appointments_lapse
from benchmarks.common import (
    ROOT,
    free_port,
    percentile,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
    timed_gets,
    wait_until_up,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rathaus_bench_appointments"
WORKERS = 8
COUNTERS = 4
OFFICES = 10
ROUNDS = 3
THREADS = 8
MAX_ROUNDS_PER_CLIENT = 40
TIMEOUT = 180.0  # a rush queues at the server; a client that gave up would hide a booking


def _setup(units: int) -> dict[str, object]:
    """Child process with the benchmark settings: migrate and plan; returns ids and the token."""
    import datetime

    import django

    django.setup()
    from django.core.management import call_command

    from rathaus.accounts import services as account_services
    from rathaus.accounts.models import User
    from rathaus.appointments import services
    from rathaus.directory.models import Office, Service

    call_command("migrate", verbosity=0, interactive=False)
    service = Service.objects.create(leika_key="99012001000000", name="Beglaubigung")
    # (a) The rush office and the lapse office: only tomorrow is open, exactly ``units`` units.
    for slug, name in (("rush", "Bürgeramt Ansturm"), (appointments_lapse.OFFICE, "Bürgeramt Fristende")):
        _one_day_office(Office.objects.create(slug=slug, name=name), service, units)
    # (b) Ordinary offices for the availability query.
    for n in range(OFFICES):
        office = Office.objects.create(slug=f"buergeramt-{n}", name=f"Bürgeramt {n}")
        services.plan_upsert(office=office, release_days=28)
        for c in range(3):
            services.counter_ensure(office=office, name=f"Schalter {c + 1}")
        services.opening_hours_set(
            office=office, hours=[(d, datetime.time(8, 0), datetime.time(16, 0)) for d in range(5)]
        )
        services.offer_upsert(office=office, service=service, duration_minutes=15)
        services.slots_generate(office=office)
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics after the bulk insert of slots
        cursor.execute("ANALYZE")
    owner = User.objects.create_user(username="partnerportal", kind=User.Kind.ORGANISATION)
    _token, plaintext = account_services.api_token_issue(
        owner=owner, name="Rush", scopes=["appointments:book"]
    )
    from rathaus.appointments.models import Slot

    rush = Office.objects.get(slug="rush")
    return {
        "service": service.pk,
        "rush_office": rush.pk,
        "rush_units": Slot.objects.filter(office=rush).count(),
        "token": plaintext,
    }


def _one_day_office(office, service, units: int) -> None:
    """``office`` open only tomorrow (a day exception, so even on a holiday) with exactly ``units``
    units on 4 counters, offering ``service`` in one unit."""
    import datetime

    from django.utils import timezone

    from rathaus.appointments import services

    services.plan_upsert(office=office, release_days=1, release_time=datetime.time(0, 0), min_lead_minutes=0,
        # Holds outlast the run: the pool must not refill with lapsed holds while it is measured.
        hold_minutes=240,
                         max_open_per_person=1000)  # fmt: skip
    for n in range(COUNTERS):
        services.counter_ensure(office=office, name=f"Schalter {n + 1}")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    closes = datetime.datetime.combine(
        tomorrow, datetime.time(8, 0)
    ) + units // COUNTERS * datetime.timedelta(minutes=15)
    services.opening_exception_add(office=office, day=tomorrow, reason="Ansturm", opens=datetime.time(8, 0),
                                   closes=closes.time())  # fmt: skip
    services.offer_upsert(office=office, service=service, duration_minutes=15)
    services.slots_generate(office=office, extra_days=0)


def _count_double_bookings() -> dict[str, int]:
    import django

    django.setup()
    from django.db.models import Count

    from rathaus.appointments.models import Appointment, SlotClaim

    per_slot = SlotClaim.objects.values("slot").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "units_claimed_twice": per_slot,
        "rush_appointments": Appointment.objects.filter(office__slug="rush")
        .exclude(status=Appointment.Status.LAPSED)
        .count(),
        "rush_claims": SlotClaim.objects.filter(slot__office__slug="rush").count(),
    }


def _child(mode: str, env: dict[str, str], *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.appointments", f"--{mode}", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _rush(base: str | list[str], setup: dict[str, object], clients: int) -> dict[str, object]:
    """The rush against one server, or split by client over several (``benchmarks.scale``)."""
    import requests

    bases = [base] if isinstance(base, str) else base
    headers = {"Authorization": f"Bearer {setup['token']}"}
    params = {"service": setup["service"], "office": "rush"}
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def get_free(session: requests.Session, base: str) -> list[str] | None:
        try:
            answer = session.get(f"{base}/api/v1/appointments/availability", params=params, timeout=TIMEOUT)
        except requests.RequestException:
            with lock:
                statuses["connection_error"] += 1
            return None
        with lock:
            statuses[str(answer.status_code)] += 1
        return [item["start"] for item in answer.json()] if answer.status_code == 200 else None

    def client(seed: int) -> None:
        """Ask once for the free times, try random ones; ask again only when all known ones are gone."""
        rng = random.Random(seed)
        session = requests.Session()
        base = bases[seed % len(bases)]
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=120)
        known: list[str] = []
        for _ in range(MAX_ROUNDS_PER_CLIENT):
            if not known:
                known = get_free(session, base) or []
                if not known:
                    return
            start = known.pop(rng.randrange(len(known)))
            body = {"office_id": setup["rush_office"], "service_ids": [setup["service"]], "start": start}
            # A new key per attempt: another start is another reservation.
            key = {"Idempotency-Key": f"rush-{seed}-{rng.getrandbits(64):016x}"}
            began = time.perf_counter()
            try:
                answer = session.post(
                    f"{base}/api/v1/appointments/reservations",
                    json=body,
                    headers={**headers, **key},
                    timeout=TIMEOUT,
                )
            except requests.RequestException:
                with lock:
                    statuses["connection_error"] += 1
                continue
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                statuses[f"reserve_{answer.status_code}"] += 1
                latencies.append(elapsed)
            if answer.status_code == 201:
                return
            known = []  # taken: like a person reloading the page, ask for the free times again

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    expected = {"200", "reserve_201", "reserve_409"}
    return {
        "clients": clients,
        "wall_seconds": round(wall, 2),
        "bookings_made": statuses["reserve_201"],
        "conflicts_409": statuses["reserve_409"],
        "answers": dict(statuses),
        "unexpected_answers": sum(n for key, n in statuses.items() if key not in expected),
        "errors_5xx": sum(n for key, n in statuses.items() if key.rsplit("_", 1)[-1].startswith("5")),
        "reservation_p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "reservation_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "reservation_requests": len(latencies),
    }


def _throughput(url: str, count: int, params: dict[str, object] | None = None) -> dict[str, float]:
    return timed_gets(lambda _n: url, count, threads=THREADS, timeout=TIMEOUT, params=params)


def _database(sqlite: bool) -> str:
    """The benchmark database's URL ("" for SQLite in the run's var directory), emptied."""
    url = "" if sqlite else os.environ.get("APPOINTMENTS_BENCH_DATABASE_URL", DEFAULT_DB)
    if url == "sqlite":
        url = ""
    if url:
        recreate_database(url)
    return url


def run(*, quick: bool, sqlite: bool = False) -> dict:
    units, clients, queries = (32, 100, 100) if quick else (100, 500, 300)
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-appointments-") as tmp:
        var_dir = Path(tmp)
        database_url = _database(sqlite)
        env = server_env(var_dir, database_url=database_url, settings="benchmarks.appointments_settings")
        setup = _child("setup", env, str(units))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = var_dir / "gunicorn.log"
        # A rush queues at the server: a long backlog and timeout, so no booking is cut off.
        server = start_gunicorn(env, port, log, workers=WORKERS, timeout=120, backlog=2048)
        try:
            wait_until_up(base, server, log, timeout=180)  # 8 workers start slowly on a busy machine
            rush = _rush(base, setup, clients)
            checks = _child("check", env)
            lapse_setup = _child("lapse-setup", env)
            lapse_answers = appointments_lapse.clients(base, lapse_setup, str(setup["token"]))
            lapse = appointments_lapse.summary(lapse_answers, _child("lapse-check", env))
            availability_url = f"{base}/api/v1/appointments/availability"
            params = {"service": setup["service"]}
            _throughput(availability_url, THREADS * 4, params)  # warm-up
            _throughput(f"{base}/bench/bare/", THREADS * 4)
            rounds: dict[str, list[dict[str, float]]] = {"bare": [], "availability": []}
            for _ in range(ROUNDS):
                rounds["bare"].append(_throughput(f"{base}/bench/bare/", queries))
                rounds["availability"].append(_throughput(availability_url, queries, params))
        finally:
            stop_server(server)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    targets = {
        name: {
            "requests_per_second": round(median(name, "requests_per_second"), 1),
            "p50_ms": round(median(name, "p50_ms"), 2),
            "p95_ms": round(median(name, "p95_ms"), 2),
            "errors": sum(int(r["errors"]) for r in rounds[name]),
        }
        for name in rounds
    }
    targets["availability"]["throughput_ratio_to_bare"] = round(
        targets["availability"]["requests_per_second"] / targets["bare"]["requests_per_second"], 3
    )
    double = int(checks["units_claimed_twice"]) + max(
        0, int(rush["bookings_made"]) - int(setup["rush_units"])
    )
    database = "PostgreSQL" if database_url else "SQLite"
    return {
        "benchmark": "appointments",
        "server": f"gunicorn, {WORKERS} sync workers, {database}, 127.0.0.1",
        "database": database,
        "lapse_boundary": lapse,
        "rush": {
            **rush,
            "units_released": setup["rush_units"],
            "double_bookings": double,
            "appointments_in_database": checks["rush_appointments"],
            "claims_in_database": checks["rush_claims"],
            "all_units_booked_exactly_once": rush["bookings_made"]
            == setup["rush_units"]
            == checks["rush_appointments"]
            == checks["rush_claims"]
            and double == 0,
        },
        "availability_one_service_all_offices": {
            "offices": OFFICES,
            "requests_per_round": queries,
            "rounds": ROUNDS,
            "threads": THREADS,
            "targets": targets,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.appointments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="100 clients and 32 units instead of 500 and 100"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="on a SQLite file instead of PostgreSQL (as the embedded setup)"
    )
    for child in ("--setup", "--check", "--lapse-setup", "--lapse-check"):
        parser.add_argument(child, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    children = {
        "setup": lambda: _setup(int(args.rest[0])),
        "check": _count_double_bookings,
        "lapse_setup": appointments_lapse.setup,
        "lapse_check": appointments_lapse.check,
    }
    for name, child in children.items():
        if getattr(args, name):
            print(json.dumps(child()))
            return 0
    print(json.dumps(run(quick=args.quick, sqlite=args.sqlite), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

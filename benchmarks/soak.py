"""Soak benchmark: a bounded mixed load over HTTP while the worker is killed and restarted.

    python -m benchmarks.soak            # full: 1,600 operations, at most 240 s of load, 3 worker kills
    python -m benchmarks.soak --quick    # smoke run: 300 operations, at most 40 s of load, 2 worker kills

What it does, all on 127.0.0.1:
1. creates a fresh PostgreSQL database (``SOAK_BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/rathaus_bench_soak``, dropped again at the end unless
   ``SOAK_KEEP_DATABASE`` is set); when
   PostgreSQL is unreachable it falls back to SQLite in a temp dir and says so (``soak.database``);
   migrates and builds a small city: one published service, an office with 3 counters and 28 days
   of slots, the fee schedule and cash office, an e-invoice office (the Leitweg-ID of the official
   XRechnung reference invoice 01.04a) and a supplier organisation, online payments started with
   the sandbox provider; issues API tokens with ``appointments:book``, ``payments:write`` and
   ``einvoice:submit`` (``accounts.services.api_token_issue``, as ``rathaus token issue`` does);
2. starts gunicorn (3 sync workers, ``benchmarks.appointments_settings``: the bare view
   ``/bench/bare/`` as baseline, per-client limits lifted) and one ``rathaus worker``;
3. sends a fixed number of operations from 6 client threads (seeded mix; an operation is 1–3
   requests): public pages (start page, search, the service page), bookings (availability,
   ``POST …/reservations``, then ``…/contact``, which queues the verification mail for the
   worker), e-invoice uploads (the
   reference invoice with a unique invoice number), claims (``POST /api/v1/payments/claims``
   with an ``Idempotency-Key``; one in four keys is sent twice, as a client retrying) and
   HMAC-signed payment notifications (one in four sent twice). Each request's status and
   latency is recorded; the load stops at the operation count or the time limit, whichever first;
4. meanwhile SIGKILLs the worker (its process group) at seeded random points of the run and
   starts a new one after a short pause;
5. drains the queue (``rathaus worker --until-empty --timeout 120``) and checks the invariants
   in the database and with the real commands (``rathaus payments verify``, ``rathaus audit
   verify``, ``rathaus tasks --failed --json``; ``rathaus tasks --open --json`` may list only
   tasks planned for later on purpose, and no queue row may still be "running": a task claimed
   by a killed worker and never handed back is lost work; each attempt a kill interrupted, closed
   as ``WorkerLost`` when another worker took its run back, must have been done again; the
   counts say how many there were);
6. measures the bare view's requests/s in the same run (as the other benchmarks) and the ratio.
Error rate = (5xx answers + connection errors) / all requests; 409 (slot taken) and 404/422 are
answers of the contract, not errors.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from benchmarks.appointments import _throughput
from benchmarks.common import (
    ROOT,
    drop_database,
    free_port,
    percentile,
    postgres_reachable,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
    wait_until_up,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rathaus_bench_soak"
WEB_WORKERS = 3
CLIENTS = 6
REQUEST_TIMEOUT = 30.0
SEED = 11
STANDARDS_DIR = Path(os.environ.get("EINVOICE_STANDARDS_DIR", ROOT.parent / "shared" / "einvoice"))
REFERENCE_INVOICE = "testsuite/xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_ubl.xml"
LEITWEG_ID = "04011000-12348-91"  # BT-10 of the reference invoice 01.04a
INVOICE_NUMBER = b"<cbc:ID>1234/78/901</cbc:ID>"
# Share of each kind of operation in the mix (pages are cheap, invoices expensive: Saxon).
MIX = {"page": 45, "booking": 20, "claim": 15, "notification": 12, "invoice": 8}


# --- child processes (Django set up with the benchmark settings) -----------------------------


def _setup(payments_started: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from rathaus.accounts import services as account_services
    from rathaus.accounts.models import Organisation, User
    from rathaus.appointments import services as appointments
    from rathaus.directory.models import Office, Service
    from rathaus.payments import conf, demo
    from rathaus.payments import services as payments

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    service = Service.objects.create(
        leika_key="99012001000000", name="Beglaubigung", slug="beglaubigung", status="published",
        published_at=timezone.now(),
    )  # fmt: skip
    office = Office.objects.create(slug="buergeramt-soak", name="Bürgeramt Mitte")
    appointments.plan_upsert(office=office, release_days=28, max_open_per_person=10_000)
    for n in range(3):
        appointments.counter_ensure(office=office, name=f"Schalter {n + 1}")
    appointments.opening_hours_set(
        office=office, hours=[(d, datetime.time(8, 0), datetime.time(16, 0)) for d in range(6)]
    )
    appointments.offer_upsert(office=office, service=service, duration_minutes=15)
    appointments.slots_generate(office=office)
    Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    booker = User.objects.create_user(username="partnerportal", kind=User.Kind.ORGANISATION)
    _t, book_token = account_services.api_token_issue(owner=booker, name="Soak", scopes=["appointments:book"])
    demo.load_fee_schedule()
    offices = demo.offices_ensure()
    staff = account_services.staff_user_create(
        username="kasse-soak", full_name="Kai Kasse", password=uuid.uuid4().hex, office=offices["cash"],
        role="sachbearbeitung",
    )  # fmt: skip
    _t, pay_token = account_services.api_token_issue(owner=staff, name="Soak", scopes=["payments:write"])
    organisation = account_services.organisation_create(
        name="Bürobedarf Nord GmbH", kind=Organisation.Kind.COMPANY
    )
    supplier = User.objects.create_user(
        username="buerobedarf", kind=User.Kind.ORGANISATION, organisation=organisation
    )
    _t, invoice_token = account_services.api_token_issue(
        owner=supplier, name="ERP", scopes=["einvoice:submit"]
    )
    transactions = []
    for n in range(payments_started):
        claim = payments.claim_create(
            office=offices["cash"], purpose=f"Soak {n}", debtor_name="Jana Meyer", amount="12.50"
        )
        payment = payments.payment_start(claim=claim, by=None)
        transactions.append({"id": payment.transaction_id, "amount": f"{payment.amount:.2f}"})
    return {
        "service": service.pk,
        "office": office.pk,
        "cash_office": offices["cash"].slug,
        "pages": ["/", reverse("portal:search") + "?q=Beglaubigung", service.get_absolute_url()],
        "book_token": book_token,
        "pay_token": pay_token,
        "invoice_token": invoice_token,
        "notify_secret": conf.notification_secret().decode(),
        "transactions": transactions,
    }


def _check(acks_path: str) -> dict[str, object]:
    """Invariants in the database, for the acknowledged (2xx) writes the clients recorded."""
    import django

    django.setup()
    from django.db.models import Count
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from rathaus.appointments import tokens
    from rathaus.appointments.models import Appointment, SlotClaim
    from rathaus.einvoice.models import InboundInvoice
    from rathaus.payments.models import Claim, NotificationEvent, Payment

    acks = json.loads(Path(acks_path).read_text())
    bookings = [tokens.appointment_by_link(token) for token in acks["bookings"]]
    booking_ids = [b.pk for b in bookings if b is not None]
    per_key: dict[str, set[str]] = {}
    for key, kz in acks["claims"]:
        per_key.setdefault(key, set()).add(kz)
    acked_kz = {kz for kzs in per_key.values() for kz in kzs}
    soak_claims = Claim.objects.filter(purpose__startswith="Soak-API ")
    claims_per_kz = dict(soak_claims.values_list("kassenzeichen").annotate(n=Count("id")))
    purposes = Counter(soak_claims.values_list("purpose", flat=True))
    invoices = Counter(InboundInvoice.objects.filter(pk__in=acks["invoices"]).values_list("pk", flat=True))
    accepted_numbers = (
        InboundInvoice.objects.filter(status=InboundInvoice.Status.ACCEPTED)
        .values("invoice_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    events = dict(
        NotificationEvent.objects.filter(event_id__in=acks["events"])
        .values_list("event_id")
        .annotate(n=Count("id"))
    )
    paid = Payment.objects.filter(transaction_id__in=acks["paid_transactions"], status=Payment.Status.PAYED)
    return {
        "no_double_booking": not SlotClaim.objects.values("slot")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists(),
        "acknowledged_bookings_exist_once": len(booking_ids) == len(set(booking_ids)) == len(acks["bookings"])
        and Appointment.objects.filter(pk__in=booking_ids).count() == len(booking_ids),
        "acknowledged_claims_exist_once": all(claims_per_kz.get(kz) == 1 for kz in acked_kz),
        # One key, one claim: every reply for a key names the same claim, and no claim was made twice
        # for a key (the purpose carries the key).
        "one_claim_per_idempotency_key": all(len(kzs) == 1 for kzs in per_key.values())
        and all(n == 1 for n in purposes.values()),
        "acknowledged_invoices_exist_once": all(invoices.get(pk) == 1 for pk in acks["invoices"])
        and accepted_numbers == 0,
        "acknowledged_notifications_booked_once": all(events.get(e) == 1 for e in acks["events"])
        and paid.count() == len(set(acks["paid_transactions"])),
        "counts": {
            "bookings_acknowledged": len(acks["bookings"]),
            "claims_acknowledged": len(acked_kz),
            "claims_in_database": soak_claims.count(),
            "invoices_acknowledged": len(acks["invoices"]),
            "notifications_acknowledged": len(acks["events"]),
            # Claimed by a worker that was killed and never handed back: lost unless recovered.
            "queue_rows_running_after_drain": DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING
            ).count(),
            **_killed_attempts(),
        },
    }


def _killed_attempts() -> dict[str, int]:
    """Attempts the kills interrupted (queue rows closed as ``WorkerLost`` when another worker took
    the run back, kernel.tasks.recovery) and how many of them were not done after all: the run
    did not succeed, or a task lost before its run was recorded was not run again."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from rathaus.kernel.models import TaskRun

    lost = list(DBTaskResult.objects.filter(exception_class_path__endswith=".WorkerLost"))
    not_redone = 0
    for row in lost:
        run_pk = row.args_kwargs.get("kwargs", {}).get("_rathaus_run")
        run = TaskRun.objects.filter(pk=run_pk).first() if run_pk else None
        run = run or TaskRun.objects.filter(key=f"result:{row.id}").first()
        if run is not None:
            not_redone += run.status != TaskRun.Status.SUCCEEDED
            continue
        again = DBTaskResult.objects.filter(
            task_path=row.task_path, status=TaskResultStatus.SUCCESSFUL, enqueued_at__gt=row.enqueued_at
        )
        not_redone += not any(other.args_kwargs == row.args_kwargs for other in again)
    return {"attempts_interrupted_by_kills": len(lost), "interrupted_attempts_not_redone": not_redone}


# --- the load --------------------------------------------------------------------------------


class _Load:
    def __init__(self, base: str, setup: dict, total: int, limit_s: float, invoice: bytes) -> None:
        self.base, self.setup, self.total, self.invoice = base, setup, total, invoice
        self.deadline = time.monotonic() + limit_s
        self.lock = threading.Lock()
        self.issued = 0
        self.records: list[tuple[str, str, float]] = []  # (kind, status, ms)
        self.acks: dict[str, list] = {
            "bookings": [],
            "claims": [],
            "invoices": [],
            "events": [],
            "paid_transactions": [],
        }
        self.transactions = list(setup["transactions"])
        random.Random(SEED).shuffle(self.transactions)
        self.free: list[str] = []

    def _take(self) -> int | None:
        with self.lock:
            if self.issued >= self.total or time.monotonic() > self.deadline:
                return None
            self.issued += 1
            return self.issued

    def _send(self, session, kind: str, method: str, path: str, **kwargs):
        import requests

        began = time.perf_counter()
        try:
            answer = session.request(
                method, self.base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs
            )
            status = str(answer.status_code)
        except requests.RequestException:
            answer, status = None, "connection_error"
        with self.lock:
            self.records.append((kind, status, (time.perf_counter() - began) * 1000))
        return answer

    def client(self, number: int) -> None:
        import requests

        rng = random.Random(SEED * 1000 + number)
        session = requests.Session()
        session.headers["Accept-Language"] = "de"
        kinds, weights = zip(*MIX.items(), strict=True)
        while (n := self._take()) is not None:
            kind = rng.choices(kinds, weights)[0]
            getattr(self, f"_{kind}")(session, rng, n)

    def _page(self, session, rng: random.Random, n: int) -> None:
        self._send(session, "page", "GET", rng.choice(self.setup["pages"]))

    def _booking(self, session, rng: random.Random, n: int) -> None:
        headers = {"Authorization": f"Bearer {self.setup['book_token']}"}
        with self.lock:
            start = self.free.pop(rng.randrange(len(self.free))) if self.free else None
        if start is None:
            answer = self._send(session, "booking", "GET", "/api/v1/appointments/availability",
                                params={"service": self.setup["service"]}, headers=headers)  # fmt: skip
            if answer is None or answer.status_code != 200:
                return
            starts = [item["start"] for item in answer.json()]
            if not starts:
                return
            start = starts.pop(rng.randrange(len(starts)))
            with self.lock:
                self.free = starts[:200]
        body = {"office_id": self.setup["office"], "service_ids": [self.setup["service"]], "start": start}
        keyed = {**headers, "Idempotency-Key": f"soak-booking-{n}"}
        answer = self._send(
            session, "booking", "POST", "/api/v1/appointments/reservations", json=body, headers=keyed
        )
        if answer is None or answer.status_code != 201:
            return
        token = answer.json()["token"]
        contact = {"name": f"Soak Person {n}", "email": f"soak{n}@example.org"}
        answer = self._send(session, "booking", "POST", f"/api/v1/appointments/bookings/{token}/contact",
                            json=contact, headers=headers)  # fmt: skip
        with self.lock:
            self.acks["bookings"].append(token)

    def _claim(self, session, rng: random.Random, n: int) -> None:
        key = f"soak-{n}-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
        body = {"office": self.setup["cash_office"], "purpose": f"Soak-API {key}",
                "debtor_name": "Jana Meyer", "amount": f"{rng.randint(5, 80)}.00"}  # fmt: skip
        headers = {"Authorization": f"Bearer {self.setup['pay_token']}", "Idempotency-Key": key}
        for _attempt in range(2 if rng.random() < 0.25 else 1):  # one in four keys: a retry
            answer = self._send(
                session, "claim", "POST", "/api/v1/payments/claims", json=body, headers=headers
            )
            if answer is not None and 200 <= answer.status_code < 300:
                with self.lock:
                    self.acks["claims"].append((key, answer.json()["kassenzeichen"]))

    def _notification(self, session, rng: random.Random, n: int) -> None:
        from rathaus.domain.payments import xbezahldienste as xb

        with self.lock:
            transaction = self.transactions.pop() if self.transactions else None
        if transaction is None:
            return self._page(session, rng, n)
        body = json.dumps({"eventId": f"soak-event-{n}", "transactionId": transaction["id"],
                           "status": "PAYED", "grossAmount": transaction["amount"],
                           "currency": "EUR"}).encode()  # fmt: skip
        headers = {"Content-Type": "application/json",
                   "X-Signature": xb.sign(body, self.setup["notify_secret"].encode())}  # fmt: skip
        for _attempt in range(2 if rng.random() < 0.25 else 1):  # one in four: the provider repeats it
            answer = self._send(session, "notification", "POST", "/api/v1/payments/notifications",
                                data=body, headers=headers)  # fmt: skip
            if answer is not None and answer.status_code == 200:
                with self.lock:
                    self.acks["events"].append(f"soak-event-{n}")
                    if answer.json().get("outcome") == "applied":
                        self.acks["paid_transactions"].append(transaction["id"])
        return None

    def _invoice(self, session, rng: random.Random, n: int) -> None:
        content = self.invoice.replace(INVOICE_NUMBER, f"<cbc:ID>SOAK-{n}</cbc:ID>".encode())
        headers = {
            "Authorization": f"Bearer {self.setup['invoice_token']}",
            "Content-Type": "application/xml",
        }
        answer = self._send(session, "invoice", "POST", "/api/v1/einvoices", data=content, headers=headers)
        if answer is not None and answer.status_code == 201:
            with self.lock:
                self.acks["invoices"].append(answer.json()["id"])


def _rathaus(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rathaus.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "rathaus.cli", "worker", "--interval", "0.5"],
                                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def _child(mode: str, env: dict[str, str], *args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "benchmarks.soak", f"--{mode}", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(*, quick: bool) -> dict:
    total, limit_s, kills = (300, 40.0, 2) if quick else (1600, 240.0, 3)
    invoice = (STANDARDS_DIR / REFERENCE_INVOICE).read_bytes()
    requested = os.environ.get("SOAK_BENCH_DATABASE_URL", DEFAULT_DB)
    postgres = postgres_reachable(requested)
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-soak-") as tmp:
        var_dir = Path(tmp)
        env = server_env(
            var_dir, database_url=requested if postgres else "", settings="benchmarks.appointments_settings"
        )
        if postgres:
            recreate_database(requested)
        try:
            return _run(env, var_dir, invoice, total=total, limit_s=limit_s, kills=kills, postgres=postgres)
        finally:
            if postgres and not os.environ.get("SOAK_KEEP_DATABASE"):  # kept to look into a failure
                with contextlib.suppress(Exception):
                    drop_database(requested)


def _run(env: dict[str, str], var_dir: Path, invoice: bytes, *, total: int, limit_s: float, kills: int,
         postgres: bool) -> dict:  # fmt: skip
    began = time.perf_counter()
    setup = _child("setup", env, str(total // 6))
    setup_s = time.perf_counter() - began
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log, worker_log = var_dir / "gunicorn.log", var_dir / "worker.log"
    server = start_gunicorn(env, port, log, workers=WEB_WORKERS)
    worker = _start_worker(env, worker_log)
    rng = random.Random(SEED)
    kill_log: list[dict[str, object]] = []
    try:
        wait_until_up(base, server, log)
        for page in setup["pages"]:  # warm-up, and a check that the pages exist
            import requests

            status = requests.get(base + page, timeout=REQUEST_TIMEOUT).status_code
            if status != 200:
                raise RuntimeError(f"{page} answered {status}")
        load = _Load(base, setup, total, limit_s, invoice)
        # Kill moments: seeded, at random points of the run's progress (share of operations sent).
        points = sorted(rng.uniform(0.1, 0.85) * total for _ in range(kills))
        started = time.perf_counter()
        threads = [threading.Thread(target=load.client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for point in points:
            while load.issued < point and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            if not any(t.is_alive() for t in threads):
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            kill_log.append({"at_s": round(time.perf_counter() - started, 2), "operations_sent": load.issued})
            time.sleep(rng.uniform(0.5, 2.0))  # the queue fills while no worker runs
            worker = _start_worker(env, worker_log)
        for thread in threads:
            thread.join()
        duration = time.perf_counter() - started
        stop_server(worker)
        drain = _rathaus(env, "worker", "--until-empty", "--timeout", "120", timeout=300)
        acks_path = var_dir / "acks.json"
        acks_path.write_text(json.dumps(load.acks))
        checks = _child("check", env, str(acks_path))
        payments_verify = _rathaus(env, "payments", "verify")
        audit_verify = _rathaus(env, "audit", "verify", "--no-progress")
        failed = _rathaus(env, "tasks", "--failed", "--json")
        failed_tasks = json.loads(failed.stdout) if failed.returncode == 0 else None
        # Open after the drain may only be tasks planned for later on purpose (appointment reminders);
        # one left "running" by a killed worker, or waiting, would be lost work.
        still_open = _rathaus(env, "tasks", "--open", "--json", "--limit", "100000")
        stuck = (
            [t for t in json.loads(still_open.stdout) if t["status"] != "scheduled"]
            if still_open.returncode == 0
            else None
        )
        _throughput(f"{base}/bench/bare/", 64)  # warm-up
        bare = _throughput(f"{base}/bench/bare/", 800 if total > 500 else 300)
    finally:
        stop_server(worker)
        stop_server(server)

    records = load.records
    latencies = sorted(ms for _, status, ms in records)
    errors = sum(1 for _, status, _ in records if status == "connection_error" or status.startswith("5"))
    per_kind: dict[str, dict[str, object]] = {}
    for kind in MIX:
        mine = sorted(ms for k, _, ms in records if k == kind)
        if mine:
            per_kind[kind] = {
                "requests": len(mine),
                "p50_ms": round(percentile(mine, 0.5), 1),
                "p95_ms": round(percentile(mine, 0.95), 1),
                "answers": dict(Counter(s for k, s, _ in records if k == kind)),
            }
    throughput = len(records) / duration
    invariants = {key: bool(value) for key, value in checks.items() if key != "counts"}
    invariants.update(
        {
            "queue_drained": drain.returncode == 0,
            "payments_verify": payments_verify.returncode == 0,
            "audit_verify": audit_verify.returncode == 0,
            "no_failed_tasks": failed_tasks == [],
            # Nothing lost by a killed worker: no run left open or stale (``rathaus tasks --open``),
            # no queue row still "running", and every attempt a kill interrupted was done again.
            "no_task_lost_by_killed_worker": stuck == []
            and checks["counts"]["queue_rows_running_after_drain"] == 0
            and checks["counts"]["interrupted_attempts_not_redone"] == 0,
            "no_5xx_or_connection_errors": errors == 0,
        }
    )
    return {
        "benchmark": "soak",
        "soak.requests": len(records),
        "soak.duration_s": round(duration, 2),
        "soak.throughput_rps": round(throughput, 1),
        "soak.p50_ms": round(percentile(latencies, 0.5), 1),
        "soak.p95_ms": round(percentile(latencies, 0.95), 1),
        "soak.error_rate": round(errors / len(records), 4),
        "soak.worker_kills": len(kill_log),
        "soak.invariants": invariants,
        "soak.baseline": {
            "bare_view_rps": round(bare["requests_per_second"], 1),
            "ratio_soak_to_bare": round(throughput / bare["requests_per_second"], 3),
        },
        "soak.database": "PostgreSQL (127.0.0.1)" if postgres else "SQLite (PostgreSQL unreachable)",
        "soak.server": (
            f"gunicorn, {WEB_WORKERS} sync workers, 1 rathaus worker, {CLIENTS} client threads, 127.0.0.1"
        ),
        "soak.limits": {"operations": total, "seconds": limit_s},
        "soak.operations": load.issued,
        "soak.setup_s": round(setup_s, 1),
        "soak.by_kind": per_kind,
        "soak.kills": kill_log,
        "soak.counts": checks["counts"],
        "soak.checks_output": {
            "worker_until_empty": drain.stdout.strip()[-300:] or drain.stderr.strip()[-300:],
            "payments_verify": (payments_verify.stdout + payments_verify.stderr).strip()[-300:],
            "audit_verify": (audit_verify.stdout + audit_verify.stderr).strip()[-300:],
            "failed_tasks": failed_tasks if failed_tasks is not None else failed.stderr[-300:],
            "tasks_left_open": stuck if stuck is not None else still_open.stderr[-300:],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="300 requests and 40 s instead of 1,600 and 240 s"
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        print(json.dumps(_setup(int(args.rest[0]))))
        return 0
    if args.check:
        print(json.dumps(_check(args.rest[0])))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

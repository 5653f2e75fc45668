"""E-Payment benchmark: reconcile a camt.053 statement with 100,000 credits against 200,000
open claims, as a ratio to parsing the same file.

    python -m benchmarks.payments            # full: 100,000 credits, 200,000 claims
    python -m benchmarks.payments --quick    # smoke run: 10,000 credits, 20,000 claims

What it does, in a child process with ``benchmarks.bench_settings`` and a temporary SQLite
database, and then again in the PostgreSQL database ``PAYMENTS_BENCH_DATABASE_URL`` names (an
empty one: the claims stay in it) when that is set — those figures under ``postgresql``:

1. migrates and bulk-inserts the open claims (Kassenzeichen from the real allocator; the
   claims' own ledger entries are not seeded, as they play no part in matching);
2. writes one camt.053.001.08 file (``rathaus.payments.camt.write_camt053``) whose credits
   are, deterministically: 80 % the exact Kassenzeichen in varied spellings, 5 % with two
   adjacent digits swapped, 5 % partial payments, 10 % without a known Kassenzeichen;
3. per round, times the baselines — the hardened XML parse alone (``kernel.xmlsafe.parse``)
   and the full camt reading (``payments.camt.parse``) — and the whole reconciliation
   (``payments.reconcile.import_camt``: parse, dedup, candidate lookup, matching, bulk
   booking of credits, payments, journal entries and claims, in batches of 5,000 credits)
   inside a transaction that is rolled back afterwards, so every round starts from the same
   open claims (the batches' own transactions become savepoints there; on PostgreSQL the
   deferred foreign-key checks a commit would run are run inside the timed part, and a
   ``VACUUM ANALYZE`` before each round clears what the rolled-back round before left);
4. reports medians over the rounds, matched/unmatched counts, credits per second and the
   ratios of reconciliation time to each baseline.
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
from decimal import Decimal
from typing import Any

from benchmarks.common import ROOT, server_env

# Rounds per run (medians over them); PAYMENTS_BENCH_ROUNDS overrides it on a busy machine.
ROUNDS = int(os.environ.get("PAYMENTS_BENCH_ROUNDS", "3"))


class _Rollback(Exception):
    pass


def _child(credits: int, claims: int, rounds: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(7)
    started = time.perf_counter()
    by_number = _seed_claims(claims, rng)
    setup_claims = time.perf_counter() - started
    data = _statement(by_number, credits, rng)
    xml_parse, camt_parse, reconcile_s, result = _rounds(data, rounds)
    rec, xp, cp = statistics.median(reconcile_s), statistics.median(xml_parse), statistics.median(camt_parse)
    return {
        "database": connection.vendor,
        "credits": credits,
        "open_claims": claims,
        "file_megabytes": round(len(data) / 1e6, 1),
        "rounds": rounds,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "duplicates": result.duplicates,
        "setup_claims_seconds": round(setup_claims, 2),
        "xml_parse_seconds_median": round(xp, 3),
        "camt_parse_seconds_median": round(cp, 3),
        "reconcile_seconds_median": round(rec, 3),
        "reconcile_credits_per_second": round(credits / rec),
        "camt_parse_credits_per_second": round(credits / cp),
        "ratio_reconcile_to_camt_parse": round(rec / cp, 2),
        "ratio_reconcile_to_xml_parse": round(rec / xp, 2),
        "reconcile_seconds_all_rounds": [round(s, 3) for s in reconcile_s],
    }


def _seed_claims(claims: int, rng: random.Random) -> dict[str, Decimal]:
    """Insert ``claims`` open claims; their amounts by Kassenzeichen, in allocation order."""
    from django.db import transaction
    from django.utils import timezone

    from rathaus.payments import demo, services
    from rathaus.payments.models import Claim

    office = demo.offices_ensure()["cash"]
    amounts = [Decimal(a) for a in ("12.00", "18.00", "20.00", "35.50", "7.20", "60.00")]
    with transaction.atomic():
        numbers = services.allocate_kassenzeichen(year=timezone.localdate().year, count=claims)
    due = timezone.localdate()
    batch = [
        Claim(
            kassenzeichen=number,
            office=office,
            debtor_name="Bench",
            purpose="Gebühr",
            amount=rng.choice(amounts),
            due_on=due,
        )
        for number in numbers
    ]
    Claim.objects.bulk_create(batch, batch_size=5000)
    return {c.kassenzeichen: c.amount for c in batch}


def _statement(by_number: dict[str, Decimal], credits: int, rng: random.Random) -> bytes:
    """The camt.053 file of ``credits`` credits (the mix the module docstring describes)."""
    from rathaus.payments import camt, conf

    targets = rng.sample(list(by_number), credits)
    out = []
    for i, number in enumerate(targets):
        kind = rng.random()
        amount = by_number[number]
        if kind < 0.80:
            spelled = rng.choice(
                [
                    number,
                    f"KZ {number[:4]}-{number[4:11]}-{number[11]}",
                    f"kassenzeichen {number[:6]} {number[6:]}",
                ]
            )
            text = f"{spelled} Gebuehr"
        elif kind < 0.85:
            j = next((j for j in range(10, -1, -1) if number[j] != number[j + 1]), 0)
            text = "KZ " + number[:j] + number[j + 1] + number[j] + number[j + 2 :]
        elif kind < 0.90:
            text, amount = f"Teilzahlung {number}", (amount / 2).quantize(Decimal("0.01"))
        else:
            text = rng.choice(["Miete", "Spende", "Rechnung 4711", "Danke"])
        out.append(camt.OutCredit(amount=amount, remittance=text, reference=f"B{i}"))
    return camt.write_camt053(iban=conf.payee_iban(), message_id="BENCH", credits=out)


def _rounds(data: bytes, rounds: int) -> tuple[list[float], list[float], list[float], Any]:
    """Per round: the XML parse, the camt reading and the whole import (rolled back)."""
    from django.db import transaction

    from rathaus.kernel import xmlsafe
    from rathaus.payments import camt, reconcile

    xml_parse, camt_parse, reconcile_s = [], [], []
    result = None
    for _ in range(rounds):
        _vacuum()
        t = time.perf_counter()
        xmlsafe.parse(data, max_bytes=camt.MAX_BYTES)
        xml_parse.append(time.perf_counter() - t)
        t = time.perf_counter()
        camt.parse(data)
        camt_parse.append(time.perf_counter() - t)
        try:
            with transaction.atomic():
                t = time.perf_counter()
                result = reconcile.import_camt(data=data, filename="bench.xml")
                _check_deferred_constraints()
                reconcile_s.append(time.perf_counter() - t)
                raise _Rollback
        except _Rollback:
            pass
    assert result is not None
    return xml_parse, camt_parse, reconcile_s, result


def _vacuum() -> None:
    """On PostgreSQL, clear what the rolled-back rounds before left behind (dead rows and index
    entries of 100,000 credits and claim updates each), so every round starts as the first."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _check_deferred_constraints() -> None:
    """Run the checks a commit would run: PostgreSQL checks the (deferred) foreign keys of the
    rows at commit, which the rolled-back rounds never reach; SQLite checks them as it writes."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def run(*, quick: bool) -> dict:
    """SQLite always; PostgreSQL too when ``PAYMENTS_BENCH_DATABASE_URL`` names an empty
    database (its figures under ``postgresql``, so one results file holds both)."""
    credits, claims = (10_000, 20_000) if quick else (100_000, 200_000)
    result = _measure(credits, claims, database_url="")
    if url := os.environ.get("PAYMENTS_BENCH_DATABASE_URL", ""):
        result["postgresql"] = _measure(credits, claims, database_url=url)
    return result


def _measure(credits: int, claims: int, *, database_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-payments-") as tmp:
        env = server_env(tmp, database_url=database_url)
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.payments", "--child", str(credits), str(claims), str(ROUNDS)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
    if child.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--child", nargs=3, type=int, metavar=("CREDITS", "CLAIMS", "ROUNDS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

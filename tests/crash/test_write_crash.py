"""The web server (or the camt import) killed with SIGKILL in the middle of each kind of write
loses no acknowledged write, books nothing twice and leaves no orphaned blob (issue 11, suite 3).

Each HTTP scenario runs ``ROUNDS`` rounds: a gunicorn started by the harness, clients sending
through the real endpoint, SIGKILL after a seeded random number of answers. Then a new server
takes what the clients send again, and the check reads the database and the blob store: every
write answered 2xx is there exactly once, the blob store and the ``Blob`` rows agree, the audit
chain verifies (and, for money, ``rathaus payments verify`` finds the books balanced).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from .harness import Answer, Crashes, acknowledged, free_port, kill_during_writes, post, post_json, wait_until

pytestmark = pytest.mark.crash

# Bounded for `make test`; RATHAUS_CRASH_ROUNDS=100 for a long run (docs/operations.md).
ROUNDS = int(os.environ.get("RATHAUS_CRASH_ROUNDS", "1"))
PER_ROUND = 6
CAMT_CREDITS = 30 * ROUNDS


def crash_rounds(scenario: Crashes, send, keys: list[str], seed: int) -> tuple[dict[str, Answer], int]:
    """``ROUNDS`` servers killed while ``send`` writes ``keys`` (split over the rounds); returns
    the answers and the port of a fresh server."""
    answers: dict[str, Answer] = {}
    for n in range(ROUNDS):
        answers.update(kill_during_writes(scenario, send, keys[n::ROUNDS], seed=seed + n))
    scenario.start_server(port := free_port())
    return answers, port


def assert_consistent(outcome: dict, scenario: Crashes) -> None:
    blobs = outcome["blobs"]
    assert blobs == {"files_without_row": [], "rows_without_file": [], "damaged": []}, blobs
    assert outcome["audit_ok"], outcome


def assert_books_balance(scenario: Crashes) -> None:
    verify = scenario.rathaus("payments", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_bookings_answered_survive_a_killed_server_once_and_no_slot_unit_twice(scenario):
    """Three clients race for each start (two counters): at most two get it. Each reservation has
    its Idempotency-Key; one whose answer was lost is sent again with it and gets its hold (the
    first answer again, if it had been made) or its refusal, never a second hold."""
    setup = scenario.child("setup", "booking", "0")
    keys = [f"b{n:03d}" for n in range(PER_ROUND * ROUNDS)]
    start_of = {key: setup["starts"][n // 3 % len(setup["starts"])] for n, key in enumerate(keys)}
    auth = {"Authorization": f"Bearer {setup['token']}"}

    def send(port: int, key: str) -> Answer:
        body = {"office_id": setup["office_id"], "service_ids": [setup["service_id"]], "start": start_of[key]}
        url = f"http://127.0.0.1:{port}/api/v1/appointments/reservations"
        return post_json(url, body, {**auth, "Idempotency-Key": key})

    answers, port = crash_rounds(scenario, send, keys, seed=1101)
    sent_again = {key: send(port, key) for key, answer in answers.items() if answer is None}
    assert all(a is not None and a[0] in (201, 409) for a in sent_again.values()), sent_again
    booked = acknowledged({**answers, **sent_again})
    # then every acknowledged booking is there, at its start (read through the API)
    for key, booking in booked.items():
        status, again = _get(f"http://127.0.0.1:{port}/api/v1/appointments/bookings/{booking['token']}", auth)
        assert (status, again["start"], again["status"]) == (200, booking["start"], "reserved"), (key, again)
    outcome = scenario.child("check-writes", "booking")
    assert outcome["claimed_twice"] == [], outcome
    assert max(outcome["open_per_start"].values()) <= 2, outcome
    # and each hold is one acknowledged key: none was made twice, none without an answer
    assert sum(outcome["open_per_start"].values()) == len(booked), (outcome, booked)
    assert_consistent(outcome, scenario)


def test_payment_notifications_repeated_after_a_killed_server_pay_each_claim_once(scenario):
    from rathaus.domain.payments import xbezahldienste as xb
    from rathaus.payments import conf

    keys = [f"Crash {n}" for n in range(PER_ROUND * ROUNDS)]
    payments = scenario.child("setup", "notification", str(len(keys)))["payments"]

    def send(port: int, key: str) -> Answer:
        transaction, amount = payments[key]
        event = {"eventId": f"crash-{key}", "transactionId": transaction, "status": "PAYED"}
        body = json.dumps({**event, "grossAmount": amount, "currency": "EUR"}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": xb.sign(body, conf.notification_secret()),
        }
        return post(f"http://127.0.0.1:{port}/api/v1/payments/notifications", body, headers)

    _answers, port = crash_rounds(scenario, send, keys, seed=1102)
    repeated = {key: send(port, key) for key in keys}  # the provider repeats every notification
    assert all(answer is not None and answer[0] == 200 for answer in repeated.values()), repeated
    outcome = scenario.child("check-writes", "notification")
    assert {key: outcome[key] for key in keys} == {
        key: ["paid", amount, amount] for key, (_transaction, amount) in payments.items()
    }
    assert_consistent(outcome, scenario)
    assert_books_balance(scenario)


def test_e_invoices_answered_survive_a_killed_server_once_with_no_orphaned_blob(scenario):
    from rathaus.einvoice.tests.conftest import suite_file

    invoice = suite_file("business-cases/standard/01.04a-INVOICE_ubl.xml")
    setup = scenario.child("setup", "einvoice", "0")
    keys = [f"CRASH-{n:03d}" for n in range(PER_ROUND * ROUNDS)]
    headers = {"Content-Type": "application/xml", "Authorization": f"Bearer {setup['token']}"}

    def send(port: int, key: str) -> Answer:
        body = invoice.replace(b"1234/78/901", key.encode())
        return post(f"http://127.0.0.1:{port}/api/v1/einvoices", body, headers)

    answers, port = crash_rounds(scenario, send, keys, seed=1103)
    sent_again = {key: send(port, key) for key, answer in answers.items() if answer is None}
    # then: sent again, each was either taken now or found as the duplicate of the earlier one
    assert all(a is not None and a[0] in (201, 409) for a in sent_again.values()), sent_again
    outcome = scenario.child("check-writes", "einvoice")
    stored = outcome["invoices"]
    assert {key: len(stored.get(key, [])) for key in keys} == dict.fromkeys(keys, 1), stored
    assert set(acknowledged(answers)) <= set(stored)
    assert_consistent(outcome, scenario)


def test_documents_answered_survive_a_killed_server_once_with_no_orphaned_blob(scenario):
    from rathaus.efile.tests.factories import make_text_pdf

    from .harness import multipart

    setup = scenario.child("setup", "document", "0")
    keys = [f"Crash {n:03d}" for n in range(PER_ROUND * ROUNDS)]
    url = f"/api/v1/efile/cases/{setup['case']}/documents"

    def send(port: int, key: str) -> Answer:
        body, content_type = multipart(
            {"title": key}, {"file": (f"{key}.pdf", make_text_pdf(key), "application/pdf")}
        )
        headers = {"Content-Type": content_type, "Authorization": f"Bearer {setup['token']}"}
        return post(f"http://127.0.0.1:{port}{url}", body, headers)

    answers, port = crash_rounds(scenario, send, keys, seed=1104)
    unanswered = [key for key, answer in answers.items() if answer is None]
    sent_again = {key: send(port, key) for key in unanswered}
    assert all(a is not None and a[0] == 201 for a in sent_again.values()), sent_again
    outcome = scenario.child("check-writes", "document")
    documents = outcome["documents"]
    assert {key: documents.get(key) for key in acknowledged(answers)} == dict.fromkeys(
        acknowledged(answers), 1
    )
    assert set(documents) == set(keys), documents
    # The endpoint takes no Idempotency-Key: a document stored whose answer was lost is stored
    # again when sent again (the only duplicates there may be).
    assert all(documents[key] <= 2 for key in unanswered), documents
    assert_consistent(outcome, scenario)


def test_camt_import_killed_mid_run_and_run_again_books_each_transaction_once(scenario, tmp_path: Path):
    setup = scenario.child("setup", "camt", str(CAMT_CREDITS))
    files = []
    for n, statement in enumerate(setup["statements"]):
        files.append(path := tmp_path / f"auszug-{n}.xml")
        path.write_text(statement, encoding="utf-8")
    moments = random.Random(1105)
    for _round in range(ROUNDS):
        # killed once a seeded random number of further credits are booked (or the import is over)
        target = paid(scenario) + moments.randint(1, CAMT_CREDITS // 2)
        importer = scenario.start_rathaus("payments", "import-camt", "--no-progress", *map(str, files))
        wait_until(lambda: paid(scenario) >= target or importer.poll() is not None, timeout=120)  # noqa: B023
        scenario.kill(importer)
    # booked in batches of 4 (tests/crash/settings.py): a file the kill cut short is continued
    cut_short = int(scenario.query(SQL_INCOMPLETE)[0][0])
    again = scenario.rathaus("payments", "import-camt", "--no-progress", *map(str, files))
    # then the files not read before are read now; a file read completely before is refused whole
    done_before = again.stdout.count("wurde bereits eingelesen")
    assert again.returncode == (1 if done_before else 0), again.stdout + again.stderr
    assert again.stdout.count("Gutschriften") + done_before == len(files), again.stdout
    assert again.stdout.count("wurde fortgesetzt") == cut_short, again.stdout
    outcome = scenario.child("check-writes", "camt")
    claims = {key: value for key, value in outcome.items() if key.startswith("Crash ")}
    assert len(claims) == CAMT_CREDITS
    assert all(status == "paid" and paid == amount for status, amount, paid in claims.values()), claims
    assert_consistent(outcome, scenario)
    assert_books_balance(scenario)


SQL_INCOMPLETE = "SELECT COUNT(*) FROM payments_bankstatement WHERE completed_at IS NULL"


def paid(scenario: Crashes) -> int:
    """How many of the crash claims are paid, read while the import runs."""
    sql = "SELECT COUNT(*) FROM payments_claim WHERE purpose LIKE 'Crash %' AND status = 'paid'"
    return int(scenario.query(sql)[0][0])


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict]:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:  # noqa: S310
        return answer.status, json.loads(answer.read())

"""Two web nodes and two workers on one PostgreSQL, Redis and S3 (issue 13, scale-out): what one
node does is seen by the other, nothing is done twice, nothing lives on a node's disk.

- a booking rush split across both nodes: no slot unit claimed twice, each hold acknowledged once;
- the same payment notification delivered to both nodes at the same moment: each claim paid once;
- scans uploaded through both nodes: each OCRed exactly once with two workers competing, the
  files in the S3 bucket and none on the nodes' disk;
- wrong API tokens sent alternately to both nodes: the throttling counter is shared (Redis);
- the daily reminder run started on both nodes at once: one e-mail task per person and day.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.crash.harness import Answer, acknowledged, multipart, post, post_json, wait_until

from .cluster import Cluster

pytestmark = pytest.mark.scale

STARTS = 8  # three clients race for each start; the office has two counters
CLAIMS = 6
SCANS = 2


def in_parallel(calls: list[Callable[[], Answer]], *, threads: int) -> list[Answer]:
    """Run ``calls`` on ``threads`` threads, all released at once; their answers in order."""
    answers: list[Answer] = [None] * len(calls)
    barrier = threading.Barrier(threads)

    def client(mine: list[int]) -> None:
        barrier.wait(timeout=60)
        for n in mine:
            answers[n] = calls[n]()

    workers = [
        threading.Thread(target=client, args=(list(range(t, len(calls), threads)),)) for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return answers


def test_a_booking_rush_across_both_nodes_books_no_slot_twice(nodes: Cluster):
    setup = nodes.scenario.child("setup", "booking", "0")
    starts = setup["starts"][:STARTS]
    auth = {"Authorization": f"Bearer {setup['token']}"}

    def reserve(n: int) -> Callable[[], Answer]:
        body = {
            "office_id": setup["office_id"],
            "service_ids": [setup["service_id"]],
            "start": starts[n // 3],
        }
        # the three clients of a start go to alternating nodes
        url = nodes.url(n, "/api/v1/appointments/reservations")
        return lambda: post_json(url, body, {**auth, "Idempotency-Key": f"rush-{n}"})

    answers = in_parallel([reserve(n) for n in range(3 * len(starts))], threads=6)
    assert all(a is not None and a[0] in (201, 409) for a in answers), answers
    booked = acknowledged(dict(enumerate(answers)))
    outcome = nodes.scenario.child("check-writes", "booking")
    assert outcome["claimed_twice"] == [], outcome
    assert max(outcome["open_per_start"].values()) <= 2, outcome
    assert sum(outcome["open_per_start"].values()) == len(booked) == 2 * len(starts), (outcome, booked)
    assert outcome["audit_ok"]


def test_one_payment_notification_sent_to_both_nodes_at_once_books_once(nodes: Cluster):
    from rathaus.domain.payments import xbezahldienste as xb
    from rathaus.payments import conf

    payments = nodes.scenario.child("setup", "notification", str(CLAIMS))["payments"]

    def notify(key: str, node: int) -> Callable[[], Answer]:
        transaction, amount = payments[key]
        event = {"eventId": f"scale-{key}", "transactionId": transaction, "status": "PAYED"}
        body = json.dumps({**event, "grossAmount": amount, "currency": "EUR"}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": xb.sign(body, conf.notification_secret()),
        }
        return lambda: post(nodes.url(node, "/api/v1/payments/notifications"), body, headers)

    for key in payments:  # each event reaches both nodes at the same moment
        answers = in_parallel([notify(key, 0), notify(key, 1)], threads=2)
        # one node applies it; the other finds it applied (200) or still in progress (409: the
        # provider sends it again later)
        assert sorted(a[0] for a in answers if a) in ([200, 200], [200, 409]), answers
        again = in_parallel([notify(key, 0), notify(key, 1)], threads=2)  # repeated: the first record
        assert [(a[0], a[1]["outcome"]) if a else None for a in again] == [(200, "applied")] * 2, again
    outcome = nodes.scenario.child("check-writes", "notification")
    assert {key: outcome[key] for key in payments} == {
        key: ["paid", amount, amount] for key, (_transaction, amount) in payments.items()
    }
    assert outcome["audit_ok"]
    verify = nodes.scenario.rathaus("payments", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_scans_through_both_nodes_are_ocred_once_and_stored_in_s3_only(nodes: Cluster):
    from rathaus.efile.scan_samples import render_letter

    setup = nodes.scenario.child("setup", "document", "0")
    headers = {"Authorization": f"Bearer {setup['token']}"}

    def upload(n: int) -> Answer:
        body, content_type = multipart(
            {"title": f"Scan {n}"},
            {"file": (f"scan-{n}.png", render_letter([f"Gewerbeanmeldung Hafenstrasse {n}"]), "image/png")},
        )
        url = nodes.url(n, f"/api/v1/efile/cases/{setup['case']}/documents")
        return post(url, body, {**headers, "Content-Type": content_type})

    answers = [upload(n) for n in range(SCANS)]
    assert all(a is not None and a[0] == 201 and a[1]["ocr_status"] == "pending" for a in answers), answers
    done = wait_until(lambda: _ocr_statuses(nodes) == ["done"] * SCANS, timeout=150, every=0.5)
    assert done, (_ocr_statuses(nodes), nodes.scenario.logs())
    # each scan recognised once: one run with one attempt, one PDF version beside the scan
    runs = nodes.scenario.query("SELECT status, attempts FROM kernel_taskrun WHERE key LIKE 'efile-ocr:%'")
    assert sorted(runs) == [("succeeded", 1)] * SCANS, runs
    versions = nodes.scenario.query(
        "SELECT document_id, COUNT(*) FROM efile_documentversion GROUP BY document_id"
    )
    assert sorted(count for _document, count in versions) == [2] * SCANS, versions
    # every stored file is an object in the bucket; the nodes wrote none to their disk
    stored = {sha for (sha,) in nodes.scenario.query("SELECT sha256 FROM kernel_blob")}
    assert len(stored) >= 2 * SCANS
    assert stored <= {Path(key).name for key in nodes.s3.object_names()}, (stored, nodes.s3.object_names())
    outcome = nodes.scenario.child("check-writes", "document")
    assert outcome["blobs"] == {"files_without_row": [], "rows_without_file": [], "damaged": []}, outcome
    local = Path(nodes.scenario.env["RATHAUS_CRASH_BLOBS"])
    assert not local.exists() or not any(path.is_file() for path in local.rglob("*"))


def _ocr_statuses(nodes: Cluster) -> list[str]:
    return sorted(status for (status,) in nodes.scenario.query("SELECT ocr_status FROM efile_document"))


def test_the_throttling_counter_of_wrong_tokens_is_shared_by_both_nodes(nodes: Cluster):
    """30 wrong tokens a minute per address (api.auth): sent alternately to both nodes, the 31st
    is refused, though each node saw only about half of them."""
    from rathaus.api.auth import BAD_TOKENS_PER_MINUTE

    if time.time() % 60 > 45:  # the counter's window is a clock minute: start within one
        time.sleep(61 - time.time() % 60)
    wrong = {"Authorization": "Bearer falsch"}

    def get(node: int) -> int:
        from urllib.error import HTTPError
        from urllib.request import Request, urlopen

        try:
            with urlopen(Request(nodes.url(node, "/api/v1/efile/cases"), headers=wrong), timeout=30):  # noqa: S310
                return 200
        except HTTPError as error:
            return error.code

    statuses = [get(n) for n in range(BAD_TOKENS_PER_MINUTE + 2)]
    assert statuses[:BAD_TOKENS_PER_MINUTE] == [401] * BAD_TOKENS_PER_MINUTE, statuses
    assert statuses[BAD_TOKENS_PER_MINUTE:] == [429, 429], statuses
    assert nodes.redis_keys("*api-bad-token*"), "the counter lives in Redis"


def test_the_daily_reminder_run_started_on_both_nodes_at_once_reminds_each_person_once(nodes: Cluster):
    """The daily runs are timers on every node (docs/operations.md): started at the same moment
    on two, they queue one task per person and day, which one of the two workers runs once."""
    from django.utils import timezone

    from rathaus.efile.models import Case
    from rathaus.efile.tests.factories import make_case, make_office, make_staff

    office = make_office()
    for name in ("anna", "ben"):
        staff = make_staff(office)
        staff.email = f"{name}@example.org"
        staff.save(update_fields=["email"])
    case = make_case(office)
    Case.objects.filter(pk=case.pk).update(resubmission_on=timezone.localdate())
    runs = [nodes.scenario.start_rathaus("efile_resubmission_reminders") for _ in range(2)]
    assert all(run.wait(timeout=120) == 0 for run in runs), nodes.scenario.logs()
    query = "SELECT status, attempts FROM kernel_taskrun WHERE key LIKE 'efile-resubmission:%'"
    assert wait_until(lambda: sorted(nodes.scenario.query(query)) == [("succeeded", 1)] * 2, timeout=60)
    sent = "SELECT COUNT(*) FROM kernel_auditentry WHERE action = 'efile.resubmission_reminder_sent'"
    assert nodes.scenario.query(sent) == [(2,)]

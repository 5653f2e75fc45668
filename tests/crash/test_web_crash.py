"""A web server killed with SIGKILL in the middle of writes leaves nothing half-written (issue
11, suite 3).

Four clients create claims through the API (``POST /api/v1/payments/claims``, each request with
its own ``Idempotency-Key``; the claim, its ledger postings, its audit entry and the stored
answer commit in one transaction). gunicorn, master and workers, is killed with SIGKILL while
they do; a new server starts and each client sends again, with the same key, every request it
has no answer for (what the API asks of clients). Then every acknowledged claim exists once
with the Kassenzeichen first answered, no request made a second claim, the books balance
(``rathaus payments verify``) and the audit chain verifies.
"""

from __future__ import annotations

import pytest

from .harness import Answer, acknowledged, free_port, kill_during_writes, post_json

pytestmark = pytest.mark.crash

CLIENTS = 4
PER_CLIENT = 8


def test_web_server_killed_during_writes_leaves_each_claim_once_and_nothing_half_written(scenario):
    # given
    setup = scenario.child("setup-web")
    keys = [f"key-{n:02d}" for n in range(CLIENTS * PER_CLIENT)]

    def send(port: int, key: str) -> Answer:
        body = {
            "office": setup["office"],
            "purpose": f"Crash {key}",
            "debtor_name": "Jana Meyer",
            "amount": "12.50",
        }
        headers = {"Authorization": f"Bearer {setup['token']}", "Idempotency-Key": key}
        return post_json(f"http://127.0.0.1:{port}/api/v1/payments/claims", body, headers)

    # when: killed while the clients write (after a seeded number of answers), then each
    # request without an answer sent again, with its key, to a new server
    answers = kill_during_writes(scenario, send, keys, seed=11, clients=CLIENTS)
    before_kill = {key: answer["kassenzeichen"] for key, answer in acknowledged(answers).items()}
    unanswered = [key for key in keys if answers.get(key) is None]
    server = scenario.start_server(port := free_port())
    retried = {key: send(port, key) for key in keys}
    scenario.stop(server)
    # then
    assert before_kill and unanswered, answers
    assert all(a is not None and a[0] == 201 for a in retried.values()), retried
    final = {key: a[1]["kassenzeichen"] for key, a in retried.items() if a is not None}
    assert {key: final[key] for key in before_kill} == before_kill
    outcome = scenario.child("check-web")
    assert outcome["claims"] == {key: [final[key]] for key in keys}
    assert outcome["audit_ok"]
    verify = scenario.rathaus("payments", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr

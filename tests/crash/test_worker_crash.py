"""Workers killed with SIGKILL lose nothing and run nothing twice (issue 11, suite 3).

Each task writes two audit entries in one transaction with a pause between them (the moment to
be killed in) and logs every start. After the kills a new worker finishes the queue; then:

* every key's pair of entries exists exactly once, none missing, none half-written;
* every start in a worker that was not killed wrote its pair (no second execution of finished
  work), and the only starts without a pair are those in killed workers;
* every run succeeded, no queue row is left waiting or "running", and each attempt a dead
  worker held is closed as ``WorkerLost``;
* the audit chain verifies.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from .harness import Crashes, wait_until
from .tasks import LEASE_SECONDS

pytestmark = pytest.mark.crash

# Bounded for `make test`; RATHAUS_CRASH_ROUNDS=100 for a long run (docs/operations.md).
KILL_ROUNDS = int(os.environ.get("RATHAUS_CRASH_ROUNDS", "3"))


def assert_nothing_lost_nothing_twice(scenario: Crashes, keys: list[str]) -> dict:
    outcome = scenario.child("check")
    logs = scenario.logs()
    effects = outcome["effects"]
    # Each key's pair exactly once, both halves by the same process.
    assert sorted(effects) == sorted(keys), logs
    for key in keys:
        first, second = effects[key].get("crash.first", []), effects[key].get("crash.second", [])
        assert len(first) == len(second) == 1 and first == second, (key, effects[key], logs)
    # Starts: those in surviving workers each wrote their key's pair; the others were killed.
    writers = {key: effects[key]["crash.first"][0] for key in keys}
    for key, pid in scenario.starts():
        assert pid in scenario.killed or writers[key] == pid, (key, pid, scenario.starts(), logs)
    survivors = [(key, pid) for key, pid in scenario.starts() if pid not in scenario.killed]
    assert len(survivors) == len(set(survivors)), survivors
    # The queue: every run succeeded, nothing waiting or held.
    assert {status for status, _attempts in outcome["runs"].values()} == {"succeeded"}, outcome["runs"]
    assert set(outcome["queue"]) <= {"SUCCESSFUL", "FAILED"}, outcome["queue"]
    assert outcome["audit_ok"], outcome
    return outcome


def test_worker_killed_in_the_middle_of_a_task_loses_nothing(scenario):
    """kill -9 while the third task sits inside its transaction; `worker --until-empty` takes
    the run back once its lease is over and finishes the queue."""
    # given
    keys = [f"crash:{n}" for n in range(5)]
    scenario.child("enqueue", "write_pair", str(len(keys)), "0.8")
    worker = scenario.start_worker()
    # when: the third start is logged, the task is in its 0.8 s pause between the two entries
    assert wait_until(lambda: len(scenario.starts()) >= 3, timeout=60), scenario.logs()
    scenario.kill(worker)
    killed_at = time.monotonic()
    drain = scenario.rathaus("worker", "--until-empty", "--timeout", "60")
    # then
    assert drain.returncode == 0, drain.stdout + drain.stderr
    outcome = assert_nothing_lost_nothing_twice(scenario, keys)
    assert "wieder eingereiht" in drain.stdout
    assert time.monotonic() - killed_at >= LEASE_SECONDS - 0.5  # waited for the lease, no sooner
    writers = {key: outcome["effects"][key]["crash.first"][0] for key in keys}
    interrupted = [key for key, pid in scenario.starts() if writers[key] != pid]
    assert interrupted == ["crash:2"], scenario.starts()
    assert outcome["runs"]["crash:2"] == ["succeeded", 2]  # the dead worker's attempt counts
    assert outcome["worker_lost"] == 1


def test_workers_killed_at_random_moments_again_and_again_lose_nothing(scenario):
    """Workers killed at seeded random moments (while starting, between and inside tasks); a
    worker left running (its watch thread, not --until-empty) finishes the rest."""
    keys = [f"crash:{n}" for n in range(max(8, 3 * KILL_ROUNDS))]
    scenario.child("enqueue", "write_pair", str(len(keys)), "0.3")
    moments = random.Random(11)
    for _round in range(KILL_ROUNDS):
        worker = scenario.start_worker()
        time.sleep(moments.uniform(1.0, 3.0))
        scenario.kill(worker)
    worker = scenario.start_worker()
    done = wait_until(scenario.all_succeeded, timeout=60, every=0.2)
    scenario.stop(worker)
    assert done, scenario.logs()
    outcome = assert_nothing_lost_nothing_twice(scenario, keys)
    assert outcome["worker_lost"] <= KILL_ROUNDS


def test_a_task_longer_than_its_lease_is_not_taken_over_by_another_worker(scenario):
    """The heartbeat keeps renewing the 2-second lease of a 5-second task while a second worker
    watches for stale runs: the task runs once."""
    scenario.child("enqueue", "outlast_the_lease", "1", "5")
    first = scenario.start_worker()
    assert wait_until(lambda: len(scenario.starts()) == 1, timeout=60), scenario.logs()
    second = scenario.start_worker()
    assert wait_until(scenario.all_succeeded, timeout=60, every=0.2), scenario.logs()
    scenario.stop(first)
    scenario.stop(second)
    outcome = scenario.child("check")
    assert len(scenario.starts()) == 1, (scenario.starts(), scenario.logs())
    assert outcome["runs"]["crash:0"] == ["succeeded", 1]
    assert outcome["worker_lost"] == 0

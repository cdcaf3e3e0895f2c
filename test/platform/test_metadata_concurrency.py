"""Two processes writing to one metadata store at once (the API process and a worker), sqlite and Postgres.

Acceptance: 2 processes × 200 updates on the same and on different jobs; no lost update (every
update bumps ``version`` exactly once), no "database is locked", and each contested transition is
won by exactly one process while the other is refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from privsyn_platform.auth import SYSTEM_PRINCIPAL, Principal
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import MetadataStore

WRITER = Path(__file__).parent / "helpers" / "concurrent_writer.py"
UPDATES = 200
ALICE = Principal(subject="alice")


def _create(store: MetadataStore, count: int) -> list[str]:
    return [store.create_job(ALICE, method="privsyn", params={}, backend="local").id for _ in range(count)]


def test_two_processes_lose_no_update(store: MetadataStore, database_url: str) -> None:
    shared, own_a, own_b = _create(store, 3)
    store.transition_job(shared, SYSTEM_PRINCIPAL, JobState.RUNNING)
    race = _create(store, UPDATES)
    workers = [
        subprocess.Popen([sys.executable, str(WRITER), database_url, name, shared, own, *race],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, own in (("a", own_a), ("b", own_b))
    ]
    for worker in workers:  # both are connected; start them together
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
        assert "locked" not in stderr
    results = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]

    won_a, won_b = (set(result["won"]) for result in results)
    assert not won_a & won_b, "a transition was won twice"
    assert won_a | won_b == set(race)
    assert sum(result["refused"] for result in results) == UPDATES
    assert {job.state for job in store.list_jobs(ALICE, states=None, limit=1000) if job.id in race} == {
        JobState.RUNNING}
    assert all(store.get_job(job_id, ALICE).version == 1 for job_id in race)
    assert store.get_job(shared, ALICE).version == 1 + 2 * UPDATES
    assert store.get_job(own_a, ALICE).version == store.get_job(own_b, ALICE).version == UPDATES
    ledger = store.list_ledger(shared, ALICE)
    assert sorted((e.stage, e.measured) for e in ledger) == sorted(
        (name, f"q{k}") for name in "ab" for k in range(UPDATES))

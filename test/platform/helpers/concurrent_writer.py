"""A second (and third) process hammering the metadata store, for test_metadata_concurrency.py.

Usage: python concurrent_writer.py DATABASE_URL WORKER_NAME SHARED_JOB OWN_JOB RACE_JOB...
Prints "ready", waits for a line on stdin (the start signal), then for each race job k: one progress
update on the shared job, one on its own job, and an attempt to move race job k from queued to
running (exactly one of the competing processes may win), plus one ledger entry on the shared job
(a read-then-write transaction). Prints one JSON line with the race jobs it
won and how many transitions were refused; any other error makes it exit non-zero with a traceback.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from privsyn_platform.auth import SYSTEM_PRINCIPAL
from privsyn_platform.errors import ConflictError
from privsyn_platform.metadata_engine import create_metadata_engine
from privsyn_platform.metadata_records import JobProgress, JobState
from privsyn_platform.metadata_store import MetadataStore


@dataclass(frozen=True, slots=True)
class _Entry:
    stage: str
    measured: str
    rho: float = 0.001
    mechanism: str = "gaussian"
    sigma: float | None = 1.0
    epsilon: float | None = None
    count: int = 1


def main(argv: list[str]) -> int:
    url, name, shared, own, *race = argv
    store = MetadataStore(create_metadata_engine(url))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    won, refused = [], 0
    for k, job_id in enumerate(race):
        progress = JobProgress(f"{name}-{k}", k / len(race))
        store.update_progress(shared, SYSTEM_PRINCIPAL, progress)
        store.update_progress(own, SYSTEM_PRINCIPAL, progress)
        store.append_ledger(shared, SYSTEM_PRINCIPAL, [_Entry(name, f"q{k}")])  # reads the job, then inserts
        try:
            store.transition_job(job_id, SYSTEM_PRINCIPAL, JobState.RUNNING)
            won.append(job_id)
        except ConflictError:
            refused += 1
    store.dispose()
    sys.stdout.write(json.dumps({"won": won, "refused": refused}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

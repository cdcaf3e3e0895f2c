"""Contract tests of the metadata store, run on sqlite and on a real PostgreSQL (``postgres`` marker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from privsyn_platform.auth import SYSTEM_PRINCIPAL, Principal
from privsyn_platform.errors import ConflictError, NotFoundError
from privsyn_platform.metadata_records import (
    ALLOWED_TRANSITIONS,
    JobFailure,
    JobProgress,
    JobState,
    check_transition,
)
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import StoredObject

ALICE = Principal(subject="alice", email="alice@example.org")
BOB = Principal(subject="bob")
ADMIN = Principal(subject="root", is_admin=True)
S = JobState


@dataclass(frozen=True, slots=True)
class Entry:
    """Shaped like method.api.privacy.LedgerEntry (the store takes it structurally)."""

    stage: str
    measured: str
    rho: float
    mechanism: str
    sigma: float | None = None
    epsilon: float | None = None
    count: int = 1


def _job(store: MetadataStore, principal: Principal = ALICE, **params: object) -> str:
    job = store.create_job(principal, method="privsyn", params={"epsilon": 1.0, **params}, backend="inline")
    return job.id


def _walk(store: MetadataStore, job_id: str, *states: JobState) -> None:
    for state in states:
        store.transition_job(job_id, SYSTEM_PRINCIPAL, state)


# -- state machine ----------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in JobState for b in JobState]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_check_transition_matches_the_table(current: JobState, target: JobState) -> None:
    if target in ALLOWED_TRANSITIONS[current]:
        check_transition("j", current, target)
    else:
        with pytest.raises(ConflictError, match=f"job 'j' .*{current}.*{target}"):
            check_transition("j", current, target)


def test_terminal_states_are_exactly_the_final_three() -> None:
    assert {state for state in JobState if state.is_terminal} == {S.SUCCEEDED, S.FAILED, S.CANCELLED}


def test_job_lifecycle_stamps_times_and_versions(store: MetadataStore) -> None:
    job = store.create_job(ALICE, method="aim", params={"epsilon": 2.0, "nested": {"a": [1, 2]}},
                           backend="slurm")
    assert (job.state, job.owner, job.version) == (S.QUEUED, "alice", 0)
    assert job.started_at is None and job.finished_at is None
    assert job.params == {"epsilon": 2.0, "nested": {"a": [1, 2]}}
    running = store.transition_job(job.id, ALICE, S.RUNNING)
    assert running.state is S.RUNNING and running.started_at is not None and running.version == 1
    detail = "round 3 of an estimated 9"
    progressed = store.update_progress(job.id, SYSTEM_PRINCIPAL, JobProgress("measure", 0.5, detail))
    assert progressed.progress == JobProgress("measure", 0.5, detail)
    assert store.get_job(job.id, ALICE).progress.message == detail
    long = store.update_progress(job.id, SYSTEM_PRINCIPAL, JobProgress("measure", 0.5, "x" * 500))
    assert long.progress.message == "x" * 200  # cut to the column's size
    done = store.transition_job(job.id, SYSTEM_PRINCIPAL, S.SUCCEEDED)
    assert done.finished_at is not None and done.finished_at >= done.started_at >= done.created_at
    assert done.progress.fraction == 1.0 and done.version == 4
    assert store.get_job(job.id, ALICE) == done
    assert done.created_at.tzinfo is not None


@pytest.mark.parametrize(("path", "target"), [
    ((), S.SUCCEEDED), ((S.RUNNING,), S.QUEUED), ((S.RUNNING,), S.RUNNING),
    ((S.RUNNING, S.SUCCEEDED), S.RUNNING), ((S.CANCELLED,), S.RUNNING), ((S.CANCELLED,), S.SUCCEEDED),
    ((S.RUNNING, S.CANCELLED), S.SUCCEEDED), ((S.RUNNING, S.FAILED), S.CANCELLED),
])
def test_illegal_transitions_are_refused_and_change_nothing(
    store: MetadataStore, path: tuple[JobState, ...], target: JobState,
) -> None:
    job_id = _job(store)
    _walk(store, job_id, *path)
    before = store.get_job(job_id, ALICE)
    with pytest.raises(ConflictError, match=f"{before.state}.*{target}"):
        store.transition_job(job_id, SYSTEM_PRINCIPAL, target)
    assert store.get_job(job_id, ALICE) == before


def test_late_worker_cannot_resurrect_a_cancelled_job(store: MetadataStore) -> None:
    job_id = _job(store)
    _walk(store, job_id, S.RUNNING)
    store.transition_job(job_id, ALICE, S.CANCELLED)
    with pytest.raises(ConflictError, match="final state"):
        store.update_progress(job_id, SYSTEM_PRINCIPAL, JobProgress("sample", 0.9))
    with pytest.raises(ConflictError, match="cancelled, a final state"):
        store.transition_job(job_id, SYSTEM_PRINCIPAL, S.SUCCEEDED)
    assert store.get_job(job_id, ALICE).state is S.CANCELLED


def test_failure_is_recorded(store: MetadataStore) -> None:
    job_id = _job(store)
    failure = JobFailure("oom", "out of memory")
    failed = store.transition_job(job_id, SYSTEM_PRINCIPAL, S.FAILED, error=failure)
    assert failed.error == failure and failed.finished_at is not None


def test_progress_is_validated() -> None:
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="progress fraction"):
            JobProgress("x", bad)


def test_submission_diagnostics_round_trip(store: MetadataStore) -> None:
    job_id = _job(store)
    diagnostics = {"argv": ["sbatch", "--parsable", "job.sh"], "script": "#!/bin/bash\necho 'x'", "rc": 0}
    job = store.record_submission(job_id, SYSTEM_PRINCIPAL, backend_handle="4711", diagnostics=diagnostics)
    assert (job.backend_handle, job.submission) == ("4711", diagnostics)


def test_list_jobs_newest_first_and_filtered(store: MetadataStore) -> None:
    first, second, third = _job(store), _job(store), _job(store)
    _walk(store, second, S.RUNNING)
    assert [job.id for job in store.list_jobs(ALICE)] == [third, second, first]
    assert [job.id for job in store.list_jobs(ALICE, states=[S.RUNNING])] == [second]
    assert len(store.list_jobs(ALICE, limit=2)) == 2


# -- owner isolation --------------------------------------------------------------------------------

def test_other_owner_sees_nothing_and_gets_not_found(store: MetadataStore) -> None:
    job_id = _job(store, ALICE)
    store.add_artifact(job_id, SYSTEM_PRINCIPAL, kind="synthetic_csv",
                       stored=StoredObject("jobs/a/s.csv", 3, "ab"))
    store.append_ledger(job_id, SYSTEM_PRINCIPAL, [Entry("measure", "1-way", 0.1, "gaussian", sigma=2.0)])
    bundle = store.create_preview_bundle(ALICE, storage_keys={"table": "previews/x/t.parquet"}, params={},
                                         ttl=timedelta(hours=1))
    bob_job = _job(store, BOB)
    assert [job.id for job in store.list_jobs(BOB)] == [bob_job]
    calls = {
        "get_job": lambda: store.get_job(job_id, BOB),
        "transition": lambda: store.transition_job(job_id, BOB, S.CANCELLED),
        "progress": lambda: store.update_progress(job_id, BOB, JobProgress("x", 0.1)),
        "submission": lambda: store.record_submission(job_id, BOB, backend_handle="1", diagnostics={}),
        "artifacts": lambda: store.list_artifacts(job_id, BOB),
        "artifact": lambda: store.get_artifact(job_id, "synthetic_csv", BOB),
        "add_artifact": lambda: store.add_artifact(job_id, BOB, kind="x", stored=StoredObject("k", 1, "00")),
        "ledger": lambda: store.list_ledger(job_id, BOB),
        "append_ledger": lambda: store.append_ledger(job_id, BOB, [Entry("x", "y", 0.1, "gaussian")]),
        "bundle": lambda: store.get_preview_bundle(bundle.id, BOB),
    }
    for name, call in calls.items():
        with pytest.raises(NotFoundError):
            call()
        assert name  # the loop names the failing call in the traceback
    store.delete_preview_bundle(bundle.id, BOB)  # silently a no-op for another owner
    assert store.get_preview_bundle(bundle.id, ALICE) == bundle
    assert store.get_job(job_id, ALICE).state is S.QUEUED


def test_not_found_looks_the_same_for_missing_and_foreign(store: MetadataStore) -> None:
    job_id = _job(store, ALICE)
    with pytest.raises(NotFoundError) as foreign:
        store.get_job(job_id, BOB)
    with pytest.raises(NotFoundError) as missing:
        store.get_job("0" * 32, BOB)
    assert str(foreign.value).replace(job_id, "ID") == str(missing.value).replace("0" * 32, "ID")


def test_admin_sees_and_acts_on_every_owner(store: MetadataStore) -> None:
    alice_job, bob_job = _job(store, ALICE), _job(store, BOB)
    assert {job.id for job in store.list_jobs(ADMIN)} == {alice_job, bob_job}
    assert store.get_job(bob_job, ADMIN).owner == "bob"
    store.transition_job(bob_job, ADMIN, S.CANCELLED)
    assert store.get_job(bob_job, BOB).state is S.CANCELLED


# -- artifacts, ledger, preview bundles -------------------------------------------------------------

def test_artifacts_belong_to_the_job_owner_and_are_replaced_on_rerun(store: MetadataStore) -> None:
    job_id = _job(store, ALICE)
    first = store.add_artifact(job_id, SYSTEM_PRINCIPAL, kind="synthetic_csv",
                               stored=StoredObject(f"jobs/{job_id}/synthetic.csv", 10, "a" * 64))
    store.add_artifact(job_id, ALICE, kind="report_json",
                       stored=StoredObject(f"jobs/{job_id}/r.json", 5, "b" * 64))
    again = store.add_artifact(job_id, SYSTEM_PRINCIPAL, kind="synthetic_csv",
                               stored=StoredObject(f"jobs/{job_id}/synthetic.csv", 12, "c" * 64))
    assert first.owner == again.owner == "alice" and again.size_bytes == 12 and again.sha256 == "c" * 64
    assert [(a.kind, a.size_bytes) for a in store.list_artifacts(job_id, ALICE)] == [
        ("report_json", 5), ("synthetic_csv", 12)]
    assert store.get_artifact(job_id, "synthetic_csv", ALICE).storage_key.endswith("synthetic.csv")
    with pytest.raises(NotFoundError, match="kind 'evaluation'"):
        store.get_artifact(job_id, "evaluation", ALICE)


def test_ledger_persists_in_order_with_the_job_owner(store: MetadataStore) -> None:
    job_id = _job(store, ALICE)
    entries = [Entry("preprocess", "privtree:age", 0.01, "composite", count=7),
               Entry("select", "InDif", 0.05, "exponential", epsilon=0.632),
               Entry("measure", "2-way marginals", 0.2, "gaussian", sigma=3.5, count=12)]
    store.append_ledger(job_id, SYSTEM_PRINCIPAL, entries[:2])
    store.append_ledger(job_id, SYSTEM_PRINCIPAL, entries[2:])
    stored = store.list_ledger(job_id, ALICE)
    assert [(e.stage, e.measured, e.rho, e.mechanism, e.sigma, e.epsilon, e.count) for e in stored] == [
        (e.stage, e.measured, e.rho, e.mechanism, e.sigma, e.epsilon, e.count) for e in entries]
    assert {e.owner for e in stored} == {"alice"} and sum(e.rho for e in stored) == pytest.approx(0.26)


def test_ledger_accepts_method_ledger_entries(store: MetadataStore) -> None:
    from method.api.privacy import LedgerEntry  # the real producer; the platform never imports method

    job_id = _job(store)
    entry = LedgerEntry("measure", "1-way", 0.3, "gaussian", sigma=1.3)
    store.append_ledger(job_id, SYSTEM_PRINCIPAL, [entry])
    assert store.list_ledger(job_id, ALICE)[0].sigma == 1.3


def test_preview_bundles_expire(store: MetadataStore, clock) -> None:  # noqa: ANN001 - FakeClock
    bundle = store.create_preview_bundle(ALICE, storage_keys={"table": "previews/p/t.parquet",
                                                              "metadata": "previews/p/m.json"},
                                         params={"method": "privsyn"}, ttl=timedelta(minutes=30))
    assert store.get_preview_bundle(bundle.id, ALICE).storage_keys["metadata"] == "previews/p/m.json"
    other = store.create_preview_bundle(BOB, storage_keys={}, params={}, ttl=timedelta(hours=2))
    clock.advance(minutes=31)
    assert bundle.is_expired(clock())
    with pytest.raises(NotFoundError):
        store.get_preview_bundle(bundle.id, ALICE)
    assert [b.id for b in store.purge_expired_preview_bundles()] == [bundle.id]
    assert store.get_preview_bundle(other.id, BOB).owner == "bob"


def test_preview_bundle_keys_are_validated(store: MetadataStore) -> None:
    with pytest.raises(ValueError, match="'..' segments"):
        store.create_preview_bundle(ALICE, storage_keys={"table": "../etc/passwd"}, params={},
                                    ttl=timedelta(days=1))


def test_check_reports_a_ready_store(store: MetadataStore) -> None:
    store.check()

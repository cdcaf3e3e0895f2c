"""The dataset odometer is one indexed query by ``preview_id`` (it scanned up to 100,000 of the owner's jobs on
every GET /jobs/{id}, GET /jobs and confirm): the column is backfilled by migration 0002, counts every owner's
jobs on the preview, and keeps deleted jobs' tombstones."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from privsyn_platform.auth import Principal
from privsyn_platform.metadata_engine import create_metadata_engine, upgrade_schema
from privsyn_platform.metadata_records import JobState
from privsyn_platform.metadata_store import MetadataStore

ALICE, ROOT = Principal("alice"), Principal("root", is_admin=True)


def test_migration_0002_backfills_preview_id_from_params(database_url: str) -> None:
    engine = create_metadata_engine(database_url)
    upgrade_schema(engine, "0001_initial")
    jobs = sa.table("jobs", *(sa.column(name) for name in (
        "id", "owner", "method", "state", "progress_stage", "progress_fraction", "backend", "version")),
        sa.column("params", sa.JSON()), sa.column("submission", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)))
    row = {"owner": "alice", "method": "privsyn", "state": "succeeded", "progress_stage": "",
           "progress_fraction": 1.0, "created_at": datetime.now(UTC), "submission": {}, "backend": "inline",
           "version": 0}
    with engine.begin() as connection:
        connection.execute(sa.insert(jobs), [{**row, "id": "old", "params": {"preview_id": "p1", "rho": 0.1}},
                                             {**row, "id": "bare", "params": {}}])
    store = MetadataStore(engine)
    store.upgrade()
    assert [job.id for job in store.dataset_jobs(["p1"])] == ["old"]
    engine.dispose()


def test_dataset_jobs_counts_every_owners_jobs_and_deleted_ones(database_url: str) -> None:
    engine = create_metadata_engine(database_url)
    store = MetadataStore(engine)
    store.upgrade()
    mine = store.create_job(ALICE, method="privsyn", params={"preview_id": "p1", "rho": 0.1}, backend="inline")
    admins = store.create_job(ROOT, method="privsyn", params={"preview_id": "p1", "rho": 0.2}, backend="inline")
    store.create_job(ALICE, method="privsyn", params={"preview_id": "p2", "rho": 0.3}, backend="inline")
    store.transition_job(mine.id, ALICE, JobState.CANCELLED)
    store.delete_job(mine.id, ALICE)
    assert {job.id for job in store.dataset_jobs(["p1"])} == {mine.id, admins.id}
    [tombstone] = [job for job in store.dataset_jobs(["p1"]) if job.id == mine.id]
    assert tombstone.params == {"preview_id": "p1", "rho": 0.1}
    assert [job.id for job in store.list_jobs(ALICE)] != [mine.id]  # hidden from every read
    engine.dispose()

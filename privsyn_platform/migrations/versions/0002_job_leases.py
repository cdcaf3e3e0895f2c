"""Job leases, the dataset a job ran on, and deleted jobs.

* ``lease_expires_at``: until when the job's holder (its worker, or the API that queued it) has vouched
  for it; an active job past its lease is failed ``worker_lost`` by the API's upkeep.
* ``preview_id``: the dataset (preview) a job confirmed, indexed, so the dataset's odometer is one query
  instead of a scan of the owner's jobs (backfilled from ``params``).
* ``deleted_at``: a job whose data the owner deleted; the row stays as a tombstone (only what the
  dataset's odometer needs), hidden from every read.

Revision ID: 0002_job_leases
Revises: 0001_initial
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_job_leases"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("preview_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_jobs_preview_id", "jobs", ["preview_id"])
    op.create_index("ix_jobs_state_lease_expires_at", "jobs", ["state", "lease_expires_at"])
    jobs = sa.table("jobs", sa.column("id", sa.String(64)), sa.column("params", sa.JSON()),
                    sa.column("preview_id", sa.String(64)))
    connection = op.get_bind()
    for job_id, params in connection.execute(sa.select(jobs.c.id, jobs.c.params)).all():
        preview_id = params.get("preview_id") if isinstance(params, dict) else None
        if isinstance(preview_id, str):
            connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(preview_id=preview_id[:64]))


def downgrade() -> None:
    op.drop_index("ix_jobs_state_lease_expires_at", table_name="jobs")
    op.drop_index("ix_jobs_preview_id", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("preview_id")
        batch.drop_column("lease_expires_at")

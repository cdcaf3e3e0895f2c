"""Initial schema: jobs, artifacts, preview bundles, budget ledger.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_STATES = "'queued', 'running', 'succeeded', 'failed', 'cancelled'"


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress_stage", sa.String(64), nullable=False),
        sa.Column("progress_fraction", sa.Float(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("started_at", _utc(), nullable=True),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("submission", sa.JSON(), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("backend_handle", sa.String(255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_jobs_state"),
        sa.CheckConstraint("progress_fraction >= 0 AND progress_fraction <= 1",
                           name="ck_jobs_progress_fraction"),
    )
    op.create_index("ix_jobs_owner_created_at", "jobs", ["owner", "created_at"])

    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(512), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_artifacts"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_artifacts_job_id_jobs", ondelete="CASCADE"),
        sa.UniqueConstraint("job_id", "kind", name="uq_artifacts_job_id_kind"),
    )
    op.create_index("ix_artifacts_owner", "artifacts", ["owner"])

    op.create_table(
        "preview_bundles",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("storage_keys", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_preview_bundles"),
    )
    op.create_index("ix_preview_bundles_owner", "preview_bundles", ["owner"])
    op.create_index("ix_preview_bundles_expires_at", "preview_bundles", ["expires_at"])

    op.create_table(
        "budget_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("measured", sa.Text(), nullable=False),
        sa.Column("rho", sa.Float(), nullable=False),
        sa.Column("mechanism", sa.String(32), nullable=False),
        sa.Column("sigma", sa.Float(), nullable=True),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_budget_ledger"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_budget_ledger_job_id_jobs",
                                ondelete="CASCADE"),
        sa.CheckConstraint("rho >= 0", name="ck_budget_ledger_rho"),
    )
    op.create_index("ix_budget_ledger_job_id", "budget_ledger", ["job_id"])
    op.create_index("ix_budget_ledger_owner", "budget_ledger", ["owner"])


def downgrade() -> None:
    op.drop_table("budget_ledger")
    op.drop_table("preview_bundles")
    op.drop_table("artifacts")
    op.drop_table("jobs")

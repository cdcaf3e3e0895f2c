"""A job's progress carries a sentence: "round 7 of an estimated 42 (ETA 12 s)", "iteration 300 of up to 1000".

Revision ID: 0003_progress_message
Revises: 0002_job_leases
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_progress_message"
down_revision = "0002_job_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("progress_message", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("progress_message")

"""The metadata schema as SQLAlchemy 2 typed ORM rows: jobs, artifacts, preview bundles, budget ledger.

Owns the tables (``Base.metadata``, the target of the Alembic migrations in
``privsyn_platform/migrations``) and the row → record conversions. Every table carries ``owner``.
The schema is created and upgraded only by those migrations (``MetadataStore.upgrade()``); a test
checks that the migrations and these classes describe the same schema. Timestamps are timezone-aware
UTC on the way in and out, on sqlite (which stores no zone) as on Postgres.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from privsyn_platform.metadata_records import (
    ArtifactRecord,
    JobFailure,
    JobProgress,
    JobRecord,
    JobState,
    LedgerEntryRecord,
    PreviewBundleRecord,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC; naive values are refused on the way in and read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


_STATES = ", ".join(f"'{state.value}'" for state in JobState)


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state"),
        CheckConstraint("progress_fraction >= 0 AND progress_fraction <= 1", name="progress_fraction"),
        Index(None, "owner", "created_at"),
        Index(None, "preview_id"),
        Index(None, "state", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16))
    progress_stage: Mapped[str] = mapped_column(String(64))
    progress_fraction: Mapped[float] = mapped_column(Float)
    progress_message: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    submission: Mapped[dict[str, Any]]
    backend: Mapped[str] = mapped_column(String(32))
    backend_handle: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    lease_expires_at: Mapped[datetime | None]
    preview_id: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None]

    def to_record(self) -> JobRecord:
        error = JobFailure(self.error_code, self.error_message or "") if self.error_code else None
        return JobRecord(
            id=self.id, owner=self.owner, method=self.method, params=dict(self.params),
            state=JobState(self.state), progress=JobProgress(self.progress_stage, self.progress_fraction,
                                                           self.progress_message or ""),
            created_at=self.created_at, started_at=self.started_at, finished_at=self.finished_at,
            error=error, submission=dict(self.submission), backend=self.backend,
            backend_handle=self.backend_handle, version=self.version, lease_expires_at=self.lease_expires_at,
        )


class ArtifactRow(Base):
    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("job_id", "kind"), Index(None, "owner"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), ForeignKey("jobs.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(512))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    def to_record(self) -> ArtifactRecord:
        return ArtifactRecord(
            id=self.id, job_id=self.job_id, owner=self.owner, kind=self.kind, storage_key=self.storage_key,
            size_bytes=self.size_bytes, sha256=self.sha256, created_at=self.created_at,
        )


class PreviewBundleRow(Base):
    __tablename__ = "preview_bundles"
    __table_args__ = (Index(None, "owner"), Index(None, "expires_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    storage_keys: Mapped[dict[str, Any]]
    params: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    def to_record(self) -> PreviewBundleRecord:
        return PreviewBundleRecord(
            id=self.id, owner=self.owner, storage_keys={str(k): str(v) for k, v in self.storage_keys.items()},
            params=dict(self.params), created_at=self.created_at, expires_at=self.expires_at,
        )


class LedgerEntryRow(Base):
    __tablename__ = "budget_ledger"
    __table_args__ = (
        CheckConstraint("rho >= 0", name="rho"),
        Index(None, "job_id"),
        Index(None, "owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), ForeignKey("jobs.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(64))
    measured: Mapped[str] = mapped_column(Text)
    rho: Mapped[float] = mapped_column(Float)
    mechanism: Mapped[str] = mapped_column(String(32))
    sigma: Mapped[float | None] = mapped_column(Float)
    epsilon: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

    def to_record(self) -> LedgerEntryRecord:
        return LedgerEntryRecord(
            id=self.id, job_id=self.job_id, owner=self.owner, stage=self.stage, measured=self.measured,
            rho=self.rho, mechanism=self.mechanism, sigma=self.sigma, epsilon=self.epsilon, count=self.count,
            created_at=self.created_at,
        )

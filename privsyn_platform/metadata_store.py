"""The metadata store: one CRUD surface over jobs, artifacts, preview bundles and the budget ledger.

Owns :class:`MetadataStore` and the factory :func:`metadata_store_from_settings`. Rules it enforces:

* **Owner scoping.** Every query takes the calling :class:`~privsyn_platform.auth.Principal` and is
  filtered by ``owner = principal.subject`` unless the principal is an admin. Another owner's row is
  a :class:`~privsyn_platform.errors.NotFoundError`, exactly like a missing one.
* **The job state machine** (``metadata_records.ALLOWED_TRANSITIONS``) is enforced by the database:
  a transition is one ``UPDATE … WHERE state IN (<allowed sources>)``, so two processes racing for
  the same job cannot both win and a late worker cannot resurrect a cancelled job (it gets a
  :class:`~privsyn_platform.errors.ConflictError`). Every change bumps ``version``.
* **Schema** comes only from the packaged Alembic migrations (:meth:`MetadataStore.upgrade`).

Backends (``PRIVSYN_METADATA_BACKEND``): ``sqlite`` (a file under the state root; see
``metadata_engine`` for why it is safe with several processes) and ``postgres`` (psycopg 3).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, delete, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from privsyn_platform.auth import Principal
from privsyn_platform.errors import ConfigurationError, ConflictError, NotFoundError, UnavailableError
from privsyn_platform.metadata_engine import create_metadata_engine, current_revision, head_revision, writer
from privsyn_platform.metadata_engine import upgrade_schema as _upgrade_schema
from privsyn_platform.metadata_models import ArtifactRow, JobRow, LedgerEntryRow, PreviewBundleRow
from privsyn_platform.metadata_records import (
    PROGRESS_MESSAGE_CHARS,
    ArtifactRecord,
    JobFailure,
    JobProgress,
    JobRecord,
    JobState,
    JsonObject,
    LedgerEntryLike,
    LedgerEntryRecord,
    PreviewBundleRecord,
    check_transition,
    sources_of,
)
from privsyn_platform.metadata_upkeep import ACTIVE_STATES, JobUpkeepQueries
from privsyn_platform.object_storage_base import StoredObject, validate_key
from privsyn_platform.settings import Settings

Clock = Callable[[], datetime]
_ACTIVE = ACTIVE_STATES


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A fresh server-generated id (32 hex characters), safe in object keys and paths."""
    return uuid.uuid4().hex


class MetadataStore(JobUpkeepQueries):
    """Jobs, artifacts, preview bundles and the ledger, owner-scoped; see the module docstring (and
    :mod:`~privsyn_platform.metadata_upkeep` for leases, reaping and deletion)."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._clock = clock
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer(engine), expire_on_commit=False)

    def now(self) -> datetime:
        """The store's clock (timezone-aware UTC): what leases and timeouts are measured against."""
        return self._clock()

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest packaged migration (idempotent)."""
        _upgrade_schema(self.engine)

    def check(self) -> None:
        """Readiness: the database answers and its schema is at the newest revision (one query).

        Raises:
            ConfigurationError: The schema is missing or at an older or unknown revision.
        """
        found, expected = current_revision(self.engine), head_revision()
        if found != expected:
            raise ConfigurationError(
                f"metadata schema is at revision {found!r}, expected {expected!r}; "
                "run MetadataStore.upgrade()")

    def dispose(self) -> None:
        """Close pooled connections (end of process, end of a test)."""
        self.engine.dispose()

    def create_job(
        self, principal: Principal, *, method: str, params: JsonObject, backend: str,
        job_id: str | None = None, lease: timedelta | None = None,
    ) -> JobRecord:
        """Register a new job in state ``queued``, owned by the caller (``params["preview_id"]`` names its dataset).

        Args:
            principal: The owner.
            method: Synthesizer name (``privsyn``, ``aim``, ``mst``).
            params: The confirmed parameters (JSON).
            backend: The job backend it will run on (``inline``, ``slurm``, ...).
            job_id: A server-generated id; a fresh one by default.
            lease: How long the caller vouches for the queued job (renewed with ``renew_leases``); none
                for a job a remote scheduler holds.

        Returns:
            The stored job.
        """
        now = self._clock()
        preview_id = params.get("preview_id")
        row = JobRow(
            lease_expires_at=now + lease if lease is not None else None,
            preview_id=preview_id if isinstance(preview_id, str) else None, deleted_at=None,
            id=job_id or new_id(), owner=principal.subject, method=method, params=dict(params),
            state=JobState.QUEUED.value, progress_stage="", progress_fraction=0.0, progress_message="", created_at=now,
            started_at=None, finished_at=None, error_code=None, error_message=None, submission={},
            backend=backend, backend_handle=None, version=0,
        )
        with self._write() as session:
            session.add(row)
            session.flush()
            return row.to_record()

    def get_job(self, job_id: str, principal: Principal) -> JobRecord:
        """One job. Raises NotFoundError when it is missing or belongs to another owner."""
        with self._read() as session:
            return self._job_row(session, job_id, principal).to_record()

    def list_jobs(
        self, principal: Principal, *, limit: int = 100, states: Iterable[JobState] | None = None,
        before: str | None = None,
    ) -> list[JobRecord]:
        """The caller's jobs (every owner's for an admin), newest first.

        Args:
            principal: The caller.
            limit: At most this many jobs.
            states: Only jobs in these states; all by default.
            before: Only jobs older than this job of the caller's (the cursor of the next page).

        Returns:
            The jobs.

        Raises:
            NotFoundError: ``before`` is not one of the caller's jobs.
        """
        query = select(JobRow).where(self._owned(JobRow.owner, principal), JobRow.deleted_at.is_(None))
        if states is not None:
            query = query.where(JobRow.state.in_([JobState(state).value for state in states]))
        query = query.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit)
        with self._read() as session:
            if before is not None:
                cursor = self._job_row(session, before, principal)
                query = query.where(or_(JobRow.created_at < cursor.created_at,
                                        and_(JobRow.created_at == cursor.created_at, JobRow.id < cursor.id)))
            return [row.to_record() for row in session.scalars(query)]

    def transition_job(
        self, job_id: str, principal: Principal, target: JobState, *, error: JobFailure | None = None,
        lease: timedelta | None = None,
    ) -> JobRecord:
        """Move a job to ``target`` if the state machine allows it from the current state.

        ``running`` stamps ``started_at``; a terminal state stamps ``finished_at``; ``succeeded`` sets
        the progress fraction to 1; ``error`` is recorded with ``failed`` (or ``cancelled``).

        Args:
            job_id: The job.
            principal: The owner, an admin or the worker (``SYSTEM_PRINCIPAL``).
            target: The new state.
            error: Why it failed.
            lease: With ``running``: the worker's first lease (it renews it while it runs).

        Returns:
            The job after the change.

        Raises:
            NotFoundError: No such job for this caller.
            ConflictError: The transition is not allowed (e.g. the job is already cancelled).
        """
        target = JobState(target)
        now = self._clock()
        values: dict[str, Any] = {"state": target.value, "version": JobRow.version + 1}
        if target is JobState.RUNNING:
            values["started_at"] = now
        if target.is_terminal:
            values["finished_at"] = now
        if target is JobState.SUCCEEDED:
            values["progress_fraction"] = 1.0
        if error is not None:
            values |= {"error_code": error.code, "error_message": error.message}
        if lease is not None:
            values["lease_expires_at"] = now + lease
        sources = [state.value for state in sources_of(target)]
        with self._write() as session:
            row = self._conditional_update(session, job_id, principal, JobRow.state.in_(sources), values)
            if row is None:
                current = JobState(self._job_row(session, job_id, principal).state)
                check_transition(job_id, current, target)
                raise ConflictError(f"job {job_id!r} changed concurrently; retry")  # pragma: no cover
            return row.to_record()

    def update_progress(self, job_id: str, principal: Principal, progress: JobProgress) -> JobRecord:
        """Record the current stage and fraction of a queued or running job.

        Raises:
            NotFoundError: No such job for this caller.
            ConflictError: The job is in a final state (a late worker should stop).
        """
        values = {"progress_stage": progress.stage, "progress_fraction": float(progress.fraction),
                  "progress_message": progress.message[:PROGRESS_MESSAGE_CHARS], "version": JobRow.version + 1}
        with self._write() as session:
            row = self._conditional_update(session, job_id, principal, JobRow.state.in_(_ACTIVE), values)
            if row is None:
                state = self._job_row(session, job_id, principal).state
                raise ConflictError(f"job {job_id!r} is {state}, a final state; its progress cannot change")
            return row.to_record()

    def record_submission(
        self, job_id: str, principal: Principal, *, backend_handle: str | None, diagnostics: JsonObject,
    ) -> JobRecord:
        """Store how the job was handed to its backend (handle such as a Slurm id, command, request).

        The first handle stands: once a job has one, a later call changes nothing (so a queued job's
        placeholder never overwrites the handle its worker got meanwhile).

        Raises:
            NotFoundError: No such job for this caller.
        """
        values = {"backend_handle": backend_handle, "submission": dict(diagnostics),
                  "version": JobRow.version + 1}
        with self._write() as session:
            row = self._conditional_update(session, job_id, principal, JobRow.backend_handle.is_(None), values)
            return (row or self._job_row(session, job_id, principal)).to_record()

    def add_artifact(
        self, job_id: str, principal: Principal, *, kind: str, stored: StoredObject,
    ) -> ArtifactRecord:
        """Record (or replace, for a re-run) the job's artifact of this kind; the job's owner owns it.

        Raises:
            NotFoundError: No such job for this caller.
        """
        validate_key(stored.key)
        with self._write() as session:
            owner = self._job_row(session, job_id, principal).owner
            values = {"job_id": job_id, "owner": owner, "kind": kind, "storage_key": stored.key,
                      "size_bytes": stored.size, "sha256": stored.sha256, "created_at": self._clock()}
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(ArtifactRow).values(**values)
            replaced = ("storage_key", "size_bytes", "sha256", "created_at")
            upsert = statement.on_conflict_do_update(
                index_elements=["job_id", "kind"], set_={name: statement.excluded[name] for name in replaced},
            ).returning(ArtifactRow)
            row: ArtifactRow = session.scalars(upsert).one()
            return row.to_record()

    def list_artifacts(self, job_id: str, principal: Principal) -> list[ArtifactRecord]:
        """The job's artifacts by kind. Raises NotFoundError for another owner's or a missing job."""
        with self._read() as session:
            self._job_row(session, job_id, principal)
            query = select(ArtifactRow).where(ArtifactRow.job_id == job_id).order_by(ArtifactRow.kind)
            return [row.to_record() for row in session.scalars(query)]

    def get_artifact(self, job_id: str, kind: str, principal: Principal) -> ArtifactRecord:
        """The job's artifact of one kind. Raises NotFoundError if missing or not the caller's."""
        query = select(ArtifactRow).where(
            ArtifactRow.job_id == job_id, ArtifactRow.kind == kind, self._owned(ArtifactRow.owner, principal))
        with self._read() as session:
            row = session.scalars(query).one_or_none()
            if row is None:
                raise NotFoundError(f"job {job_id!r} has no artifact of kind {kind!r}")
            return row.to_record()

    def create_preview_bundle(
        self, principal: Principal, *, storage_keys: Mapping[str, str], params: JsonObject, ttl: timedelta,
        bundle_id: str | None = None,
    ) -> PreviewBundleRecord:
        """Persist a preview (the objects it consists of, by role, and its params) for ``ttl``."""
        for key in storage_keys.values():
            validate_key(key)
        now = self._clock()
        row = PreviewBundleRow(id=bundle_id or new_id(), owner=principal.subject,
                               storage_keys=dict(storage_keys), params=dict(params), created_at=now,
                               expires_at=now + ttl)
        with self._write() as session:
            session.add(row)
            session.flush()
            return row.to_record()

    def get_preview_bundle(self, bundle_id: str, principal: Principal) -> PreviewBundleRecord:
        """An unexpired preview bundle of the caller. Raises NotFoundError otherwise."""
        query = select(PreviewBundleRow).where(
            PreviewBundleRow.id == bundle_id, self._owned(PreviewBundleRow.owner, principal),
            PreviewBundleRow.expires_at > self._clock())
        with self._read() as session:
            row = session.scalars(query).one_or_none()
            if row is None:
                raise self._not_found("preview bundle", bundle_id)
            return row.to_record()

    def delete_preview_bundle(self, bundle_id: str, principal: Principal) -> None:
        """Forget a preview bundle (its objects are the caller's to delete). Missing is not an error."""
        with self._write() as session:
            session.execute(delete(PreviewBundleRow).where(
                PreviewBundleRow.id == bundle_id, self._owned(PreviewBundleRow.owner, principal)))

    def purge_expired_preview_bundles(self) -> list[PreviewBundleRecord]:
        """Delete every expired bundle (any owner) and return them, so their objects can be deleted."""
        with self._write() as session:
            statement = (delete(PreviewBundleRow).where(PreviewBundleRow.expires_at <= self._clock())
                         .returning(PreviewBundleRow))
            return [row.to_record() for row in session.scalars(statement)]

    def append_ledger(
        self, job_id: str, principal: Principal, entries: Sequence[LedgerEntryLike],
    ) -> list[LedgerEntryRecord]:
        """Append privacy-budget spends to a job's ledger (they belong to the job's owner).

        Args:
            job_id: The job that spent the budget.
            principal: The owner, an admin or the worker.
            entries: ``method.api.privacy.LedgerEntry`` objects or anything of that shape.

        Returns:
            The stored entries, in order.

        Raises:
            NotFoundError: No such job for this caller.
        """
        with self._write() as session:
            owner = self._job_row(session, job_id, principal).owner
            now = self._clock()
            rows = [LedgerEntryRow(job_id=job_id, owner=owner, stage=e.stage, measured=e.measured,
                                   rho=float(e.rho), mechanism=e.mechanism, sigma=e.sigma, epsilon=e.epsilon,
                                   count=int(e.count), created_at=now) for e in entries]
            session.add_all(rows)
            session.flush()
            return [row.to_record() for row in rows]

    def list_ledger(self, job_id: str, principal: Principal) -> list[LedgerEntryRecord]:
        """A job's ledger in the order it was written. Raises NotFoundError if not the caller's."""
        with self._read() as session:
            self._job_row(session, job_id, principal)
            query = select(LedgerEntryRow).where(LedgerEntryRow.job_id == job_id).order_by(LedgerEntryRow.id)
            return [row.to_record() for row in session.scalars(query)]

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except OperationalError as e:  # read-only or locked file, unreachable server: retryable
            raise UnavailableError(f"the metadata store cannot be written right now ({e.orig})") from e

    @staticmethod
    def _owned(owner_column: InstrumentedAttribute[str], principal: Principal) -> ColumnElement[bool]:
        return true() if principal.is_admin else owner_column == principal.subject

    def _job_row(self, session: Session, job_id: str, principal: Principal) -> JobRow:
        row = session.scalars(select(JobRow).where(JobRow.id == job_id, self._owned(JobRow.owner, principal),
                                                   JobRow.deleted_at.is_(None)))
        found = row.one_or_none()
        if found is None:
            raise self._not_found("job", job_id)
        return found

    def _conditional_update(
        self, session: Session, job_id: str, principal: Principal, condition: ColumnElement[bool] | None,
        values: Mapping[str, Any],
    ) -> JobRow | None:
        statement = update(JobRow).where(JobRow.id == job_id, self._owned(JobRow.owner, principal),
                                         JobRow.deleted_at.is_(None))
        if condition is not None:
            statement = statement.where(condition)
        statement = statement.values(**values).returning(JobRow).execution_options(synchronize_session=False)
        return session.scalars(statement).one_or_none()

    @staticmethod
    def _not_found(kind: str, identifier: str) -> NotFoundError:
        return NotFoundError(f"{kind} {identifier!r} not found")


def metadata_store_from_settings(
    settings: Settings, *, upgrade: bool = True, clock: Clock = utc_now,
) -> MetadataStore:
    """Build the metadata store the settings select and bring its schema up to date.

    Args:
        settings: Supplies ``metadata_backend`` and ``effective_database_url``.
        upgrade: Apply the packaged migrations (the default; idempotent and safe from two processes).
        clock: The time source (tests pass a fake one).

    Returns:
        The store.

    Raises:
        ConfigurationError: The backend name is unknown or does not match the URL.
    """
    url = settings.effective_database_url
    expected = METADATA_BACKENDS.get(settings.metadata_backend)
    if expected is None:
        raise ConfigurationError(f"unknown metadata backend {settings.metadata_backend!r} "
                                 f"(PRIVSYN_METADATA_BACKEND); valid: {', '.join(sorted(METADATA_BACKENDS))}")
    if not url.startswith(expected):
        raise ConfigurationError(f"PRIVSYN_DATABASE_URL must start with {expected!r} for "
                                 f"PRIVSYN_METADATA_BACKEND={settings.metadata_backend}")
    try:
        store = MetadataStore(create_metadata_engine(url), clock=clock)
        if upgrade:
            store.upgrade()
    except (OperationalError, OSError) as e:
        problem = e.orig if isinstance(e, OperationalError) else e.strerror
        raise ConfigurationError(f"refusing to start: the metadata store cannot be opened for writing "
                                 f"({problem}); make PRIVSYN_STATE_ROOT a writable directory or check "
                                 "PRIVSYN_DATABASE_URL") from None
    return store


#: ``PRIVSYN_METADATA_BACKEND`` value → the URL scheme it needs (one store class serves both).
METADATA_BACKENDS: dict[str, str] = {"sqlite": "sqlite:", "postgres": "postgresql+psycopg:"}

"""Database engines for the metadata store, and schema migrations (Alembic, shipped in the package).

Owns :func:`create_metadata_engine` (sqlite or Postgres), :func:`writer` (the engine variant for
read-modify-write transactions) and :func:`upgrade_schema` / :func:`current_revision`.

sqlite must be safe with the API process and a worker process writing at once. Each connection uses
WAL (readers never block the writer), a 30 s busy timeout and foreign keys; and write transactions
start with ``BEGIN IMMEDIATE``. The last point matters: a deferred transaction that reads and then
writes can fail at once with "database is locked" when another process committed in between (the busy
timeout does not apply to that upgrade), whereas ``BEGIN IMMEDIATE`` takes the write lock up front and
waits for it. Read-only transactions stay deferred. Postgres needs none of this (row locks, MVCC); its
migrations take an advisory lock so two processes starting together do not both create the schema.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text

SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "privsyn_sqlite_immediate"
_MIGRATION_LOCK_KEY = 0x70727376  # "prsv": any constant shared by every process of the service
MIGRATIONS = "privsyn_platform:migrations"


def create_metadata_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for the metadata store.

    Args:
        url: A ``sqlite:///path`` or ``postgresql+psycopg://`` URL (see ``Settings.effective_database_url``).
        echo: Log SQL (debugging).

    Returns:
        The engine; for sqlite the file's directory is created and the connection hooks installed.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the sqlite write lock at BEGIN (no-op elsewhere)."""
    return engine.execution_options(**{_IMMEDIATE: True})


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # the "begin" hook emits BEGIN itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch a (new) database file to WAL. Two processes opening a fresh file at once can get "locked"
    here without the busy handler being consulted, so retry for up to the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


def _begin_sqlite_transaction(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply the packaged migrations up to ``revision`` (idempotent; safe from two processes at once).

    Args:
        engine: The metadata store's engine.
        revision: Target revision, ``"head"`` by default.
    """
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        command.upgrade(_alembic_config(connection), revision)


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Revert the schema to ``revision`` (``"base"`` drops everything); for development and tests."""
    with writer(engine).begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this code."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("no migrations found in privsyn_platform/migrations")
    return head

"""The schema comes from the packaged Alembic migrations, on sqlite and on Postgres."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from privsyn_platform.errors import ConfigurationError
from privsyn_platform.metadata_engine import (
    create_metadata_engine,
    current_revision,
    downgrade_schema,
    head_revision,
)
from privsyn_platform.metadata_models import Base
from privsyn_platform.metadata_store import MetadataStore, metadata_store_from_settings
from privsyn_platform.settings import Settings

TABLES = {"jobs", "artifacts", "preview_bundles", "budget_ledger", "alembic_version"}
PACKAGE = Path(__file__).resolve().parents[2] / "privsyn_platform"


def test_upgrade_from_empty_creates_the_schema_and_is_idempotent(database_url: str) -> None:
    engine = create_metadata_engine(database_url)
    store = MetadataStore(engine)
    assert current_revision(engine) is None
    with pytest.raises(ConfigurationError, match="run MetadataStore.upgrade"):
        store.check()
    store.upgrade()
    store.upgrade()
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES
    store.check()
    engine.dispose()


def test_migrations_describe_the_same_schema_as_the_models(database_url: str) -> None:
    engine = create_metadata_engine(database_url)
    MetadataStore(engine).upgrade()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                Base.metadata)
    engine.dispose()
    assert diff == [], "add a migration under privsyn_platform/migrations/versions for these changes"


def test_downgrade_to_base_and_back(database_url: str) -> None:
    engine = create_metadata_engine(database_url)
    store = MetadataStore(engine)
    store.upgrade()
    downgrade_schema(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    store.upgrade()
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_stores_upgrading_a_fresh_database_at_once_all_succeed(database_url: str) -> None:
    """Like an API process and a worker starting together (separate engines, separate connections)."""
    stores = [MetadataStore(create_metadata_engine(database_url)) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(MetadataStore.upgrade, stores))
    for store in stores:
        store.check()
        store.dispose()


def test_factory_defaults_to_a_wal_sqlite_file_under_the_state_root(
    tmp_path: Path, make_settings: Callable[..., Settings],
) -> None:
    store = metadata_store_from_settings(make_settings(state_root=tmp_path / "state"))
    assert (tmp_path / "state" / "metadata.sqlite3").is_file()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.check()
    store.dispose()


@pytest.mark.postgres
def test_factory_connects_to_postgres_from_a_plain_postgresql_url(
    postgres_url: str, make_settings: Callable[..., Settings],
) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    settings = make_settings(metadata_backend="postgres", database_url=plain)
    store = metadata_store_from_settings(settings)
    assert store.engine.dialect.name == "postgresql" and store.engine.dialect.driver == "psycopg"
    store.check()
    store.dispose()


def test_no_create_all_or_raw_alter_outside_the_migrations() -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and any(word in path.read_text() for word in ("create_all(", "ALTER TABLE", "drop_all("))
    ]
    assert offenders == []

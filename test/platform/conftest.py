"""Fixtures for the platform tests: clean settings, real PostgreSQL and S3 servers, stores, storages.

``services`` runs ``scripts/services.sh start`` once per test session with a fresh state directory and
free ports (so parallel sessions in other worktrees do not collide), and ``stop`` at the end. If the
servers cannot start, every test that needs them fails with the script's output; nothing is skipped.
Tests on those servers carry the ``postgres`` / ``s3`` markers (``pytest -m postgres`` selects them).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from privsyn_platform.local_storage import LocalObjectStorage
from privsyn_platform.metadata_engine import create_metadata_engine
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage, storage_from_settings
from privsyn_platform.settings import S3Settings, Settings
from test.conftest import Services

ROOT = Path(__file__).resolve().parents[2]
SERVICES_SCRIPT = ROOT / "scripts" / "services.sh"
_ENV_PREFIXES = ("PRIVSYN_", "ADDITIONAL_CORS_ORIGINS", "CORS_ALLOW_ORIGINS")


class FakeClock:
    """A controllable UTC clock for the store (expiry, timestamps)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)  # strictly increasing, like real time
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Build Settings from explicit values and the (cleaned) environment, never from a ``.env`` file."""
    return _make_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend: a sqlite file in tmp_path, or a fresh Postgres database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'metadata.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(database_url: str, clock: FakeClock) -> Iterator[MetadataStore]:
    """A migrated metadata store on each backend."""
    metadata_store = MetadataStore(create_metadata_engine(database_url), clock=clock)
    metadata_store.upgrade()
    yield metadata_store
    metadata_store.dispose()


def s3_settings(services: Services, prefix: str) -> Settings:
    """Settings for S3 storage on the session's moto server (static test credentials)."""
    return _make_settings(storage_backend="s3", s3=S3Settings(
        bucket=services.s3_bucket, endpoint_url=services.s3_endpoint_url, prefix=prefix,
        access_key_id="test", secret_access_key="test"))


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    """Object storage of each backend: a tmp directory, or a fresh prefix in the moto bucket."""
    if request.param == "local":
        return LocalObjectStorage(tmp_path / "objects")
    services = request.getfixturevalue("services")
    return storage_from_settings(s3_settings(services, prefix=f"test-{uuid.uuid4().hex[:12]}"))

"""Fixtures for the platform tests: clean settings, real PostgreSQL and S3 servers, stores, storages.

``services`` runs ``scripts/services.sh start`` once per test session with a fresh state directory and
free ports (so parallel sessions in other worktrees do not collide), and ``stop`` at the end. If the
servers cannot start, every test that needs them fails with the script's output; nothing is skipped.
Tests on those servers carry the ``postgres`` / ``s3`` markers (``pytest -m postgres`` selects them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from privsyn_platform.local_storage import LocalObjectStorage
from privsyn_platform.metadata_engine import create_metadata_engine
from privsyn_platform.metadata_store import MetadataStore
from privsyn_platform.object_storage import ObjectStorage, storage_from_settings
from privsyn_platform.settings import S3Settings, Settings

ROOT = Path(__file__).resolve().parents[2]
SERVICES_SCRIPT = ROOT / "scripts" / "services.sh"
_ENV_PREFIXES = ("PRIVSYN_", "ADDITIONAL_CORS_ORIGINS", "CORS_ALLOW_ORIGINS")


@dataclass(frozen=True)
class Services:
    """Where the session's servers listen."""

    database_url: str
    s3_endpoint_url: str
    s3_bucket: str


class FakeClock:
    """A controllable UTC clock for the store (expiry, timestamps)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)  # strictly increasing, like real time
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PRIVSYN_*/CORS variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)


def _make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Build Settings from explicit values and the (cleaned) environment, never from a ``.env`` file."""
    return _make_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_services(base: str) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PRIVSYN_SERVICES_DIR": base, "PRIVSYN_PG_PORT": str(_free_port()),
           "PRIVSYN_S3_PORT": str(_free_port()), "PRIVSYN_PG_STOP_MODE": "immediate",
           "PRIVSYN_PYTHON": sys.executable}
    result = subprocess.run([str(SERVICES_SCRIPT), "start"], env=env, capture_output=True, text=True,
                            timeout=180, check=False)
    return env, result


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """A private PostgreSQL 15 and a moto S3 server for this session, started by scripts/services.sh."""
    base = tempfile.mkdtemp(prefix="privsyn-services-", dir="/tmp")
    env, result = _start_services(base)
    if result.returncode != 0 and "is taken" in result.stderr:  # a free port was grabbed meanwhile
        subprocess.run([str(SERVICES_SCRIPT), "stop"], env=env, capture_output=True, check=False)
        env, result = _start_services(base)
    try:
        if result.returncode != 0:
            pytest.fail(f"scripts/services.sh start failed (exit {result.returncode}):\n"
                        f"{result.stdout}\n{result.stderr}", pytrace=False)
        values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        yield Services(database_url=values["PRIVSYN_DATABASE_URL"],
                       s3_endpoint_url=values["PRIVSYN_S3__ENDPOINT_URL"],
                       s3_bucket=values["PRIVSYN_S3__BUCKET"])
    finally:
        subprocess.run([str(SERVICES_SCRIPT), "stop"], env=env, capture_output=True, timeout=60, check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(services: Services) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    server = make_url(services.database_url)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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

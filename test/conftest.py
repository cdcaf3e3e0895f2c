"""Shared fixtures: a clean environment, the bundled Adult sample, and the real PostgreSQL + S3 servers.

``services`` runs ``scripts/services.sh start`` once per test session with a fresh state directory and
free ports (so parallel sessions do not collide), and ``stop`` at the end. If the servers cannot start,
every test that needs them fails with the script's output; nothing is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy import make_url

from bench.live_server import free_port
from method.api import Domain

pytest_plugins = ["test.api.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SERVICES_SCRIPT = ROOT / "scripts" / "services.sh"
_ENV_PREFIXES = ("PRIVSYN_", "ADDITIONAL_CORS_ORIGINS", "CORS_ALLOW_ORIGINS")


@dataclass(frozen=True)
class Services:
    """Where the session's servers listen."""

    database_url: str
    s3_endpoint_url: str
    s3_bucket: str


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PRIVSYN_*/CORS variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)



def _start_services(base: str) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PRIVSYN_SERVICES_DIR": base, "PRIVSYN_PG_PORT": str(free_port()),
           "PRIVSYN_S3_PORT": str(free_port()), "PRIVSYN_PG_STOP_MODE": "immediate",
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




@pytest.fixture(scope="session")
def adult_encoded() -> tuple[np.ndarray, Domain]:
    """The integer-coded Adult (48,842 × 14) and its public domain."""
    sizes = json.loads((DATA / "adult-encoded-domain.json").read_text())
    domain = Domain.from_dict(sizes)
    table = pd.read_csv(DATA / "adult-encoded.csv")
    return table[list(domain.names)].to_numpy(dtype=np.int64), domain


@pytest.fixture(scope="session")
def adult_raw() -> pd.DataFrame:
    """The raw 15-column Adult sample as shipped (``?`` read as missing)."""
    return pd.read_csv(DATA / "adult.csv.zip", na_values=["?"], skipinitialspace=True)


@pytest.fixture
def known_frame() -> pd.DataFrame:
    """Text with accents, delimiters, quotes and a newline; ints, ints with missing, floats, floats with
    missing, text with missing; header names with spaces, parentheses and slashes."""
    return pd.DataFrame({
        "name (full)": ["Zoë Müller", "O'Brien, Pat", 'say "hi"', "two\nlines", "Ærø; ok", "plain|pipe"],
        "age": np.array([25, 38, 28, 44, 18, 90], dtype="int64"),
        "score/10": [1.5, 2.25, -3.0, 4.125, 0.5, 10.0],
        "visits": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
        "ratio": [0.1, np.nan, 0.3, 0.4, 0.5, np.nan],
        "city": pd.array(["Köln", None, "Montréal", "Köln", "São Paulo", None], dtype="str"),
    }).astype({"name (full)": "str"})

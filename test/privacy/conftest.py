"""Neighbouring tables for the privacy regression tests: D, and D plus one planted record.

The planted record carries every kind of fact that used to reach the release deterministically: a unique
category, an extreme value, a decimal in a whole-number column, a missing cell in a complete column, a
date only month-first can parse, a 21st value in a 20-value integer column, and ``?`` null tokens that
outnumber D's single ``NA``. It goes first, where ingestion sniffs null tokens.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import load_settings
from web_app.main import create_app

ROWS = 2000
PLANTED_CITY = "Zanzibar-7Q"
PLANTED_AGE = 150
PLANTED = {"city": PLANTED_CITY, "age": str(PLANTED_AGE), "score": "42.5", "day": "05/25/2021", "flag": "?",
           "code": "99", "note": "?"}


def base_rows(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = [f"{d:02d}/{m:02d}/2021" for d, m in zip(rng.integers(1, 13, ROWS), rng.integers(1, 13, ROWS),
                                                    strict=True)]
    frame = pd.DataFrame({
        "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv", "Nara"], ROWS),
        "age": rng.integers(18, 81, ROWS).astype(str),
        "score": rng.integers(0, 100, ROWS).astype(str),
        "day": days,
        "flag": rng.choice(["yes", "no"], ROWS),
        "code": rng.integers(1, 21, ROWS).astype(str),
        "note": rng.choice(["a", "b", "c"], ROWS),
    })
    frame.loc[3, "note"] = "NA"
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@dataclass(frozen=True)
class Pair:
    """The neighbouring tables as CSV bytes."""

    without: bytes
    with_record: bytes


@pytest.fixture(scope="session")
def pair() -> Pair:
    frame = base_rows()
    planted = pd.concat([pd.DataFrame([PLANTED]), frame], ignore_index=True)
    return Pair(csv_bytes(frame), csv_bytes(planted))


@dataclass(frozen=True)
class Release:
    """What one run released: the CSV text, the table read back, and the privacy report."""

    text: str
    table: pd.DataFrame
    report: dict[str, Any]

    def decisions(self, *names: str) -> dict[tuple[str, str], Any]:
        return {(d["column"], d["decision"]): d["value"] for d in self.report["decisions"]
                if not names or d["decision"] in names}


@pytest.fixture
def privacy_client(tmp_path: Path) -> Any:
    settings = load_settings(state_root=tmp_path / "state", allow_fixed_seed=True)
    with TestClient(create_app(settings)) as client:
        yield client


def api_release(client: TestClient, data: bytes, method: str, seed: int, *, epsilon: float = 1.0,
                edit: Any = None, **fields: str) -> Release:
    """The API's default path: upload, confirm the draft unchanged (or as ``edit`` changes it), download."""
    preview = client.post("/synthesize", files={"data_file": ("table.csv", data, "text/csv")},
                          data={"method": method, "epsilon": str(epsilon)})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    domain, info = body["domain_data"], body["info_data"]
    if edit is not None:
        edit(domain, info)
    form = {"unique_id": body["unique_id"], "method": method, "epsilon": str(epsilon), "delta": "1e-9",
            "seed": str(seed), "n_sample": "1000", "time_budget": "20",
            "confirmed_domain_data": json.dumps(domain), "confirmed_info_data": json.dumps(info), **fields}
    job = client.post("/confirm_synthesis", data=form)
    assert job.status_code == 200, job.text
    state = client.get(job.json()["status_url"]).json()
    assert state["status"] == "succeeded", state
    text = client.get(state["download_url"]).text
    table = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    return Release(text, table, state["privacy_report"])

"""Bin edges a curator confirms are the bins the job synthesizes on (through the API, inline runner)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import Settings, load_settings
from test.api.fixtures import confirm_form

AGE_EDGES = [17, 25, 35, 50, 65, 90]


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """These runs fix the seed, which the deployment must allow (PRIVSYN_ALLOW_FIXED_SEED)."""
    return load_settings(state_root=tmp_path / "state", allow_fixed_seed=True)


def test_a_job_synthesizes_on_the_confirmed_edges(client: TestClient, adult_preview: dict) -> None:
    domain = adult_preview["domain_data"]
    domain["age"]["binning"] = {"method": "uniform", "edges": AGE_EDGES}
    form = confirm_form(adult_preview, confirmed_domain_data=json.dumps(domain), epsilon="10", delta="1e-9",
                        n_sample="3000", seed="0", domain_mode="as_confirmed")
    job = client.post("/confirm_synthesis", data=form).json()
    assert job["status"] == "succeeded", job
    report = next(column for column in job["privacy_report"]["columns"] if column["name"] == "age")
    assert report["binning"] == "explicit"
    synthetic = pd.read_csv(io.BytesIO(client.get(job["download_url"]).content))
    assert synthetic["age"].between(17, 90).all() and synthetic["age"].dtype.kind == "i"
    real_ages = pd.read_csv(io.BytesIO(client.get("/sample_dataset/adult").content), compression="zip")["age"]
    synthetic_share = np.bincount(np.searchsorted(AGE_EDGES[1:-1], synthetic["age"], side="right"), minlength=5)
    real_share = np.bincount(np.searchsorted(AGE_EDGES[1:-1], real_ages, side="right"), minlength=5)
    assert 0.5 * np.abs(synthetic_share / len(synthetic) - real_share / len(real_ages)).sum() < 0.05

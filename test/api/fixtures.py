"""API fixtures (registered for the whole suite by test/conftest.py): an app on a temporary state root
(inline runner), clients, and the legacy form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from privsyn_platform.settings import Settings, load_settings
from web_app.main import create_app

# Exactly what the predecessor's browser UI posts to /synthesize (12 string fields).
LEGACY_SYNTHESIZE_FORM = {
    "method": "privsyn", "dataset_name": "adult", "epsilon": "1.0", "delta": "1e-5", "num_preprocess": "uniform_kbins",
    "rare_threshold": "0.002", "n_sample": "500", "consist_iterations": "501", "append": "True", "sep_syn": "False",
    "initialize_method": "singleton", "update_iterations": "10",
}


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return load_settings(state_root=tmp_path / "state")


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


def confirm_form(preview: dict[str, Any], **overrides: str) -> dict[str, str]:
    """The confirm form the legacy UI posts: the reviewed payload unchanged plus the run fields."""
    form = {**LEGACY_SYNTHESIZE_FORM, "unique_id": preview["unique_id"],
            "confirmed_domain_data": json.dumps(preview["domain_data"]),
            "confirmed_info_data": json.dumps(preview["info_data"])}
    return {**form, **overrides}


@pytest.fixture
def adult_preview(client: TestClient) -> dict[str, Any]:
    response = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM)
    assert response.status_code == 200, response.text
    return response.json()

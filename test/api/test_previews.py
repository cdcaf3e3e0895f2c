"""``GET /previews/{preview_id}``: the browser app reopens a run's schema review from its ``params.preview_id``.

The reply is the one ``POST /synthesize`` gave; the persisted bundle decides whether the preview still exists
(owner-scoped, 404 once expired), so it also answers after a restart, when nothing is in memory.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient

from privsyn_platform.settings import load_settings
from test.api.fixtures import LEGACY_SYNTHESIZE_FORM, confirm_form
from test.api.test_ownership import SECRET, _headers
from web_app.main import create_app


def test_the_owner_reads_back_the_synthesize_reply(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/previews/{adult_preview['unique_id']}")
    assert response.status_code == 200, response.text
    assert response.json() == adult_preview


def test_a_confirmed_runs_preview_id_leads_back_to_its_preview(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    job = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50")).json()
    listed = client.get("/jobs").json()["data"][0]
    assert listed["job_id"] == job["job_id"] and listed["params"]["preview_id"] == adult_preview["unique_id"]
    assert client.get(f"/previews/{listed['params']['preview_id']}").json() == adult_preview


def test_an_unknown_id_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/previews/0123456789abcdef0123456789abcdef")
    assert response.status_code == 404 and response.json()["detail"]["error"] == "not_found"


def test_the_persisted_bundle_serves_it_after_a_restart(api_settings, client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(api_settings)) as restarted:  # a new process: nothing in memory
        response = restarted.get(f"/previews/{adult_preview['unique_id']}")
        assert response.status_code == 200, response.text
        assert response.json() == adult_preview


def test_another_owner_gets_404_and_an_admin_sees_it(tmp_path: Path) -> None:
    settings = load_settings(state_root=tmp_path / "state", auth_backend="trusted-header",
                             auth_shared_secret=SECRET)
    with TestClient(create_app(settings)) as shared:
        preview = shared.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM, headers=_headers("alice")).json()
        url = f"/previews/{preview['unique_id']}"
        other = shared.get(url, headers=_headers("bob"))
        assert other.status_code == 404 and other.json()["detail"]["error"] == "not_found"
        assert shared.get(url, headers=_headers("alice")).json() == preview
        assert shared.get(url, headers=_headers("root", admin=True)).json() == preview
    with TestClient(create_app(settings)) as restarted:  # also when the bundle is read from storage
        assert restarted.get(url, headers=_headers("bob")).status_code == 404
        assert restarted.get(url, headers=_headers("root", admin=True)).json() == preview
        assert restarted.get(url, headers=_headers("alice")).json() == preview


def test_an_expired_preview_is_not_found_even_while_cached(tmp_path: Path) -> None:
    settings = load_settings(state_root=tmp_path / "state", preview_ttl_seconds=1)
    with TestClient(create_app(settings)) as client:
        preview = client.post("/synthesize", data=LEGACY_SYNTHESIZE_FORM).json()
        assert client.get(f"/previews/{preview['unique_id']}").status_code == 200
        time.sleep(1.2)  # the bundle expires; the in-memory copy (session TTL: 1 h) is still there
        response = client.get(f"/previews/{preview['unique_id']}")
        assert response.status_code == 404 and response.json()["detail"]["error"] == "not_found"


def test_a_run_from_an_upload_is_named_after_its_file_with_rows_columns_and_hash(client) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    content = b"zone,area\n" + b"".join(b"%s,%d\n" % (b"ABC"[i % 3:i % 3 + 1], 50 + i % 40) for i in range(3000))
    preview = client.post("/synthesize", data={"method": "mst", "epsilon": "4", "delta": "1e-9"},
                          files={"data_file": ("parcels_2024.csv", content, "text/csv")}).json()
    form = {"unique_id": preview["unique_id"], "method": "mst", "epsilon": "4", "delta": "1e-9", "n_sample": "50",
            "confirmed_domain_data": json.dumps(preview["domain_data"]),
            "confirmed_info_data": json.dumps(preview["info_data"])}
    job = client.post("/confirm_synthesis", data=form)
    assert job.status_code == 200, job.text
    listed = client.get("/jobs").json()["data"][0]["params"]
    assert listed["dataset_name"] == "parcels_2024"
    assert listed["source"] == {"file_name": "parcels_2024.csv", "rows": 3000, "columns": 2,
                                "sha256": hashlib.sha256(content).hexdigest()}


def test_the_bundled_sample_is_named_and_a_clients_own_name_wins(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50"))
    params = client.get("/jobs").json()["data"][0]["params"]
    assert params["dataset_name"] == "adult" and params["source"]["file_name"] == "adult (bundled sample)"
    assert params["source"]["rows"] == 48_842 and params["source"]["columns"] == 15


def test_a_run_keeps_the_schema_it_was_confirmed_with_for_a_re_run(client, adult_preview) -> None:  # type: ignore[no-untyped-def]
    domain = adult_preview["domain_data"]
    domain["age"]["bounds"] = {"min": 17, "max": 90}
    info = {**adult_preview["info_data"], "declared_public": ["age"]}
    job = client.post("/confirm_synthesis", data=confirm_form(adult_preview, n_sample="50",
                      confirmed_domain_data=json.dumps(domain), confirmed_info_data=json.dumps(info))).json()
    schema = client.get(f"/jobs/{job['job_id']}/schema")
    assert schema.status_code == 200, schema.text
    body = schema.json()
    assert body["preview_id"] == adult_preview["unique_id"]
    assert body["domain_data"]["age"]["bounds"] == {"min": 17, "max": 90}
    assert body["info_data"]["declared_public"] == ["age"]
    assert client.get("/jobs/0123456789abcdef0123456789abcdef/schema").status_code == 404

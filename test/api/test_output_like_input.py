"""The synthetic CSV looks like the input: its delimiter, decimal mark, encoding and per-column precision, and a
file name after the input — once the user declares the file's format (the review's checkbox); without the
declaration the same confirm writes standard CSV (docs/privacy.md: a fact of the file is used only as declared).
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

ROWS = 4000


def _european_csv() -> bytes:
    rng = np.random.default_rng(7)
    carats = np.round(rng.uniform(0.2, 3.0, ROWS), 2)
    price = (carats * 4000 + rng.normal(0, 300, ROWS)).round().astype(int)
    cut = rng.choice(["Très bon", "Idéal", "Bon"], ROWS)
    frame = pd.DataFrame({"carats": carats, "price": price, "cut": cut})
    return frame.to_csv(index=False, sep=";", decimal=",").encode("cp1252")


def _release(client: TestClient, declare_format: bool) -> tuple[Any, dict[str, Any]]:
    preview = client.post("/synthesize", data={"method": "mst", "epsilon": "4", "delta": "1e-9"},
                          files={"data_file": ("diamants.csv", _european_csv(), "text/csv")})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    info = body["info_data"]
    assert info["output_format"] == {"delimiter": ";", "decimal": ",", "encoding": "cp1252"}
    assert body["domain_data"]["carats"]["decimals"] == 2 and "decimals" not in body["domain_data"]["price"]
    info["declared_format"] = declare_format
    job = client.post("/confirm_synthesis", data={
        "unique_id": body["unique_id"], "method": "mst", "epsilon": "4", "delta": "1e-9", "n_sample": "300",
        "confirmed_domain_data": json.dumps(body["domain_data"]), "confirmed_info_data": json.dumps(info)})
    assert job.status_code == 200, job.text
    download = client.get(f"/download_synthesized_data/{job.json()['job_id']}")
    assert download.status_code == 200
    return download, client.get(f"/jobs/{job.json()['job_id']}").json()


def test_a_declared_format_comes_back_semicolon_separated_with_decimal_commas_in_cp1252(client: TestClient) -> None:
    download, job = _release(client, declare_format=True)
    assert download.headers["content-disposition"] == 'attachment; filename="diamants_synthetic.csv"'
    assert download.headers["content-type"] == "text/csv; charset=cp1252"
    text = download.content.decode("cp1252")
    header, first = text.splitlines()[:2]
    assert header == "carats;price;cut" and first.count(";") == 2
    table = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"carats": str})
    assert table["carats"].str.fullmatch(r"\d+(,\d{1,2})?").all()  # the input's two decimals, decimal comma
    assert set(table["cut"]) <= {"Très bon", "Idéal", "Bon", "other"}
    sources = {(d["column"], d["decision"]): d["source"] for d in job["privacy_report"]["decisions"]}
    assert sources[("", "output_format")] == "declared" and sources[("carats", "decimals")] == "dp"
    evaluation = client.post("/evaluate", data={"session_id": job["job_id"]})  # the owner's view reads it back
    assert evaluation.status_code == 200, evaluation.text


def test_without_the_declaration_the_output_is_standard_csv_still_at_the_dp_precision(client: TestClient) -> None:
    download, job = _release(client, declare_format=False)
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    table = pd.read_csv(io.StringIO(download.content.decode("utf-8")), dtype={"carats": str})
    assert list(table.columns) == ["carats", "price", "cut"]
    assert table["carats"].str.fullmatch(r"\d+(\.\d{1,2})?").all()
    sources = {(d["column"], d["decision"]): d["source"] for d in job["privacy_report"]["decisions"]}
    assert sources[("", "output_format")] == "default"

"""bench.paper_adult reproduces the AIM paper's encoding of Adult (ALGORITHMS.md §5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.paper_adult import RAW_ADULT, paper_encoding


def test_the_encoding_has_the_papers_domain() -> None:
    raw = pd.read_csv(RAW_ADULT)
    table, domain = paper_encoding(raw)
    assert list(table.columns) == list(raw.columns) and len(table) == len(raw) == 48_842
    assert min(domain.values()) == 2 and max(domain.values()) == 42
    assert f"{np.prod([float(s) for s in domain.values()]):.3g}" == "4.09e+16"
    for name, size in domain.items():
        assert table[name].between(0, size - 1).all()
    assert domain["age"] == 32 and domain["education"] == 16  # binned numeric; categories kept


def test_equal_width_bins_split_the_range() -> None:
    raw = pd.DataFrame({"x": np.arange(64), "c": ["a", "b"] * 32})
    table, domain = paper_encoding(raw, bins=4)
    assert domain == {"x": 4, "c": 2}
    assert np.bincount(table["x"]).tolist() == [16, 16, 16, 16]


def test_the_command_writes_what_bench_synth_reads(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "bench.paper_adult", "--out", str(tmp_path)], check=True,
                   capture_output=True)
    domain = json.loads((tmp_path / "adult-domain.json").read_text())
    assert list(pd.read_csv(tmp_path / "adult.csv", nrows=1).columns) == list(domain)

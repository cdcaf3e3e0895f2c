"""bench.compare --render-only: the table comes from the latest run of each method, ε and seed."""

from __future__ import annotations

import json
from pathlib import Path

from bench.compare import main


def _run(method: str, epsilon: float, seed: int, tvd3: float) -> dict:
    return {"method": method, "epsilon": epsilon, "seed": seed, "time_budget_s": 540.0, "wall_s": 1.0,
            "fit_s": 0.5, "peak_rss_mb": 100.0, "tvd_1way": 0.01, "tvd_2way": 0.02, "tvd_3way": tvd3,
            "rho_total": 1.0, "rho_spent": 1.0}


def test_a_later_run_replaces_an_earlier_one_and_other_methods_stay(tmp_path: Path) -> None:
    runs = [_run("privsyn", 1.0, seed, 0.09) for seed in range(3)] + [_run("mst", 1.0, seed, 0.11) for seed in range(3)]
    runs += [_run("privsyn", 1.0, seed, 0.08) for seed in range(3)]  # privsyn re-run alone
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(run) + "\n" for run in runs))
    assert main(["--render-only", "--out", str(tmp_path / "b.md")]) == 0
    rows = [line for line in (tmp_path / "b.md").read_text().splitlines() if line.startswith("| privsyn")
            or line.startswith("| mst")]
    assert len(rows) == 2
    assert "| 0.0800 | 1.000000 | 3, 540 s budget |" in rows[0] and rows[0].startswith("| privsyn | 1 |")
    assert "| 0.1100 |" in rows[1] and rows[1].startswith("| mst | 1 |")


def test_rows_are_ordered_by_epsilon_then_method(tmp_path: Path) -> None:
    runs = [_run("mst", 10.0, 0, 0.1), _run("aim", 1.0, 0, 0.08), _run("privsyn", 10.0, 0, 0.07),
            _run("mst", 1.0, 0, 0.11), _run("privsyn", 1.0, 0, 0.09)]
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(run) + "\n" for run in runs))
    main(["--render-only", "--out", str(tmp_path / "b.md")])
    rows = [line.split(" | ")[:2] for line in (tmp_path / "b.md").read_text().splitlines() if line.startswith("| ")]
    assert rows[1:] == [["| privsyn", "1"], ["| aim", "1"], ["| mst", "1"], ["| privsyn", "10"], ["| mst", "10"]]

"""bench.floors: the TVD floors and the split of one AIM run's error, on a small correlated table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from bench.floors import grouped_tvd, main
from test.pgm.test_mechanisms import SIZES, correlated_table


def test_grouped_tvd_is_zero_for_the_same_table_and_groups_by_wide_columns() -> None:
    data = correlated_table(500)
    summary = grouped_tvd(data, data, SIZES, wide=frozenset({1, 3}))
    assert summary == {"0_wide": 0.0, "1_wide": 0.0, "2_wide": 0.0, "all": 0.0}


def test_floors_and_aim_breakdown_print_one_json_line(tmp_path, capsys) -> None:
    names = [f"c{i}" for i in range(len(SIZES))]
    pd.DataFrame(correlated_table(3000), columns=names).to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "domain.json").write_text(json.dumps(dict(zip(names, SIZES, strict=True))))
    argv = ["--data", str(tmp_path / "data.csv"), "--domain", str(tmp_path / "domain.json"), "--wide", "3"]
    assert main([*argv, "--aim-epsilon", "10"]) == 0
    result = json.loads(capsys.readouterr().out)
    # Two independent halves differ more than the table and a resample of itself.
    assert 0 < result["bootstrap"]["all"] < result["halves"]["all"] < 1
    aim = result["aim"]
    assert aim["epsilon"] == 10 and aim["cliques"] >= len(SIZES)
    for part in ("synthetic", "model", "noise_free"):
        assert set(aim[part]) == {"0_wide", "1_wide", "2_wide", "all"}
        assert 0 <= aim[part]["all"] < result["halves"]["all"]
    assert np.isclose(aim["model"]["all"], aim["synthetic"]["all"], atol=0.02)

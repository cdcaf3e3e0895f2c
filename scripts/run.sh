#!/usr/bin/env bash
# Set up .venv, then synthesize the bundled raw Adult sample with PrivSyn at ε = 1 and report its quality.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
mkdir -p out
.venv/bin/python -m bench.synth --method "${METHOD:-privsyn}" --data data/adult.csv.zip \
  --epsilon "${EPSILON:-1}" --delta "${DELTA:-1e-9}" --out out/adult_synthetic.csv
.venv/bin/python - <<'PY'
import pandas as pd
from bench.tvd import tvd_report
real = pd.read_csv("data/adult.csv.zip", dtype=str, keep_default_na=False, skipinitialspace=True)
synth = pd.read_csv("out/adult_synthetic.csv", dtype=str, keep_default_na=False)
print("quality (TVD, 0 = identical):", tvd_report(real, synth, max_way=2, bins=32))
print("synthetic table: out/adult_synthetic.csv")
PY

"""Ingest and infer a large CSV and print one JSON line of figures (wall time and peak RSS).

    python -m bench.ingest [--rows 3000000] [--keep DIR]

Generates a ~200 MB, 3-million-row CSV (ids, integers, decimals, text categories, ISO dates, missing
cells) in a temporary directory, then runs :func:`web_app.ingestion.reader.ingest_path` and
:func:`web_app.data_inference.infer_metadata` on it in a fresh child process, so the figure is the peak RSS
of reading and inferring alone (target: ≤ 3 GB). Prints ``rows``, ``columns``, ``file_mb``, ``ingest_s``,
``infer_s``, ``wall_s`` and ``peak_rss_mb``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

CITIES = np.array([f"City {i:02d}" for i in range(60)], dtype=object)
SEGMENTS = np.array(["retail", "wholesale", "online", "partner", "other"], dtype=object)


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """Write the benchmark CSV in 500k-row chunks (bounded memory while generating)."""
    rng = np.random.default_rng(seed)
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    with pacsv.CSVWriter(path, _schema(), write_options=options) as writer:
        for start in range(0, rows, 500_000):
            n = min(500_000, rows - start)
            writer.write_table(_chunk(rng, start, n))


def _schema() -> pa.Schema:
    return pa.schema([("order_id", pa.int64()), ("age", pa.int64()), ("amount", pa.float64()),
                      ("quantity", pa.int64()), ("segment", pa.string()), ("city", pa.string()),
                      ("order_date", pa.string()), ("rating", pa.float64()), ("note", pa.string()),
                      ("product", pa.string())])


def _chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    dates = (np.datetime64("2015-01-01") + rng.integers(0, 3650, n)).astype(str)
    rating = np.round(rng.uniform(1, 5, n), 1)
    note = np.where(rng.random(n) < 0.1, None, rng.choice(np.array(["ok", "late", "damaged", "returned"]), n))
    columns = [
        pa.array(np.arange(start, start + n)), pa.array(rng.integers(18, 90, n)),
        pa.array(np.round(rng.lognormal(4, 1, n), 2)), pa.array(rng.integers(1, 40, n)),
        pa.array(rng.choice(SEGMENTS, n).tolist()), pa.array(rng.choice(CITIES, n).tolist()),
        pa.array(dates.tolist()), pa.array(np.where(rng.random(n) < 0.05, np.nan, rating), from_pandas=True),
        pa.array(note.tolist()), pa.array(np.char.add("SKU-", rng.integers(0, 5000, n).astype(str)).tolist()),
    ]
    return pa.Table.from_arrays(columns, schema=_schema())


def measure(path: Path) -> dict[str, float]:
    """Ingest + infer ``path`` in this process; figures for the JSON line."""
    from web_app.data_inference import infer_metadata
    from web_app.ingestion.reader import ingest_path

    started = time.perf_counter()
    table = ingest_path(path)
    ingested = time.perf_counter()
    inferred = infer_metadata(table.frame)
    finished = time.perf_counter()
    return {
        "rows": len(table.frame),
        "columns": len(table.frame.columns),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "ingest_s": round(ingested - started, 2),
        "infer_s": round(finished - ingested, 2),
        "wall_s": round(finished - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "kinds": {c.name: c.kind for c in inferred.columns},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--keep", type=Path, help="write the CSV here instead of a temporary directory")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure:
        sys.stdout.write(json.dumps(measure(args.measure)) + "\n")
        return 0
    with tempfile.TemporaryDirectory(prefix="privsyn-bench-") as tmp:
        path = (args.keep or Path(tmp)) / "bench.csv"
        generate(path, args.rows)
        child = subprocess.run([sys.executable, "-m", "bench.ingest", "--measure", str(path)],
                               capture_output=True, text=True, check=False)
        if child.returncode:
            sys.stderr.write(child.stderr)
            return child.returncode
        sys.stdout.write(child.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

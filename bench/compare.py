"""Side-by-side benchmark of PrivSyn, AIM and MST: TVD (1/2/3-way), wall time and peak RSS per ε.

    python -m bench.compare                       # privsyn, aim, mst at ε ∈ {0.1, 1, 10}, seeds 0 1 2
    python -m bench.compare --methods aim mst --epsilons 1 --seeds 0
    python -m bench.compare --methods aim --epsilons 10 --time-budget 540   # AIM's graceful finish
    python -m bench.compare --render-only         # the table again, from the latest run of each method, ε, seed

Every run is a separate process (so peak RSS is the run's own): ``python -m bench.synth`` synthesizes and
prints one JSON line (wall_s, fit_s, sample_s, peak_rss_mb, rho_total, rho_spent, rows), then
``python -m bench.tvd`` scores the output. The medians over seeds go to a markdown table
(``docs/benchmarks.md`` by default); the raw runs are appended to a JSON-lines file next to it. To refresh
one method, run it alone (the table then holds only its rows) and ``--render-only`` afterwards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

COLUMNS = ("wall_s", "fit_s", "peak_rss_mb", "tvd_1way", "tvd_2way", "tvd_3way")
METHOD_ORDER = ("privsyn", "aim", "mst")  # table rows: by ε, then in this order


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON line in output:\n{text[-2000:]}")


def run_one(method: str, epsilon: float, seed: int, args: argparse.Namespace, workdir: Path) -> dict:
    common = ["--epsilon", str(epsilon), "--delta", str(args.delta), "--seed", str(seed)]
    if args.time_budget is not None:
        common += ["--time-budget", str(args.time_budget)]
    out = workdir / f"{method}-{epsilon}-{seed}.csv"
    cmd = [sys.executable, "-m", "bench.synth", "--method", method, "--data", args.data,
           "--domain", args.domain, *common, "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=True)
    result = _last_json(done.stdout)
    scored = subprocess.run(
        [sys.executable, "-m", "bench.tvd", "--real", args.data, "--synth", str(out)],
        capture_output=True, text=True, timeout=args.timeout, check=True,
    )  # fmt: skip
    result.update(_last_json(scored.stdout))  # tvd_1way, tvd_2way, tvd_3way
    return result


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
    return statistics.median(values) if values else None


def render(results: dict[tuple[str, float], list[dict]], args: argparse.Namespace) -> str:
    lines = [
        "# Benchmarks: PrivSyn, AIM and MST side by side",
        "",
        f"Data `{args.data}` (domain `{args.domain}`), δ = {args.delta}, median over seeds "
        f"{', '.join(map(str, args.seeds))}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by "
        f"`python -m bench.compare`. TVD = ½·L1 between normalised marginals, "
        "averaged over every 1-, 2- and 3-attribute set; lower is better.",
        "",
        "| method | ε | wall s | fit s | peak RSS MB | 1-way TVD | 2-way TVD | 3-way TVD | ρ spent / ρ "
        "| runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    def row_order(key: tuple[str, float]) -> tuple[float, int, str]:
        method, epsilon = key
        return epsilon, METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER), method

    for (method, epsilon), runs in sorted(results.items(), key=lambda item: row_order(item[0])):
        ok = [r for r in runs if "error" not in r]
        cells = [_fmt(_median(ok, c), c) for c in COLUMNS]
        spent = _median(ok, "rho_spent")
        total = _median(ok, "rho_total")
        ratio = f"{spent / total:.6f}" if spent is not None and total else "–"
        failed = len(runs) - len(ok)
        count = f"{len(ok)}" + (f" ({failed} failed)" if failed else "")
        budget = runs[0].get("time_budget_s")
        if budget:
            count += f", {budget:g} s budget"
        lines.append(f"| {method} | {epsilon:g} | {' | '.join(cells)} | {ratio} | {count} |")
    return "\n".join(lines) + "\n"


def _fmt(value: float | None, column: str) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if column.startswith("tvd") else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["privsyn", "aim", "mst"])
    parser.add_argument("--epsilons", nargs="+", type=float, default=[0.1, 1.0, 10.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--delta", type=float, default=1e-9)
    parser.add_argument("--data", default="data/adult-encoded.csv")
    parser.add_argument("--domain", default="data/adult-encoded-domain.json")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--time-budget", type=float, default=None,
                        help="wall-clock budget in seconds passed to each run (AIM then finishes gracefully)")
    parser.add_argument("--render-only", action="store_true",
                        help="re-render the table from the .jsonl: the latest run of each method, ε and seed")
    args = parser.parse_args(argv)
    results: dict[tuple[str, float], list[dict]] = {}
    raw_path = Path(args.out).with_suffix(".jsonl")
    if args.render_only:
        latest: dict[tuple[str, float, int], dict] = {}
        for line in raw_path.read_text().splitlines():
            run = json.loads(line)
            latest[(run["method"], float(run["epsilon"]), run["seed"])] = run  # a later run replaces an earlier
        for (method, epsilon, _), run in latest.items():
            results.setdefault((method, epsilon), []).append(run)
        Path(args.out).write_text(render(results, args))
        return 0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, raw_path.open("a") as raw:
        for epsilon in args.epsilons:
            for method in args.methods:
                for seed in args.seeds:
                    try:
                        result = run_one(method, epsilon, seed, args, Path(tmp))
                    except (subprocess.SubprocessError, ValueError) as error:
                        result = {"error": str(error)[-500:]}
                    result.update(method=method, epsilon=epsilon, seed=seed, time_budget_s=args.time_budget)
                    raw.write(json.dumps(result) + "\n")
                    raw.flush()
                    print(json.dumps(result), file=sys.stderr)  # noqa: T201
                    results.setdefault((method, epsilon), []).append(result)
    Path(args.out).write_text(render(results, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

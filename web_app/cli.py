"""The ``privsyn`` command line: infer a schema, synthesize a table, evaluate a synthetic table.

    privsyn infer data.csv -o schema.json
    privsyn synthesize data.csv [--schema schema.json] --method privsyn --epsilon 1 --delta 1e-9 -o synth.csv
    privsyn synthesize data.csv … -o synth.csv --report report.html [--target income]
    privsyn evaluate real.csv synth.csv [--schema schema.json] [--target income] [-o report.html]

It runs the same code as the web service (ingestion, inference, the schema payload, the registry's
synthesizers, the evaluation) without the web stack. Bad input prints one ``error [code]: …`` line (and a
hint) on stderr and exits with status 2; a failure of ours prints ``error [internal_error]: …`` with a
reference, writes the traceback to a log file named by it and exits with status 1 (``--debug`` prints the
traceback instead). Progress goes to stderr through tqdm (only on a terminal unless ``--progress`` is given).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from method.api import Progress
from method.api.errors import MethodError
from web_app.data_inference import infer_metadata
from web_app.ingestion.errors import DataError, IngestionLimits, SchemaError, check_synthesis_size
from web_app.ingestion.reader import IngestedTable, ingest_path
from web_app.review.apply import prepare_table
from web_app.review.confirm import DOMAIN_MODES, confirm_run, load_json, metadata_from_confirmed
from web_app.review.output import write_csv
from web_app.review.payload import Payload, draft_payload, schema_document
from web_app.synthesis_service import (
    DOMAIN_BUDGET,
    SEEDED_RUN_NOTE,
    SynthesisRequest,
    check_delta,
    synthesize,
    validate_request,
)

EXIT_BAD_INPUT = 2
EXIT_IO = 1
EXIT_INTERNAL = 1
PRIVACY_HELP = """privacy parameters:
  --epsilon E   the privacy-loss bound ε of (ε, δ)-differential privacy: any one person's presence or
                absence changes the probability of any output by at most a factor e^ε. Smaller is more
                private and noisier; 0.1–10 is the usual range, 1 a common choice.
  --delta D     the probability δ with which that bound may fail; choose it well below 1/rows
                (e.g. 1e-9 for tables of up to millions of rows). Must be in (0, 1) and below
                1/rows (a run with δ ≥ 1/rows is refused).
The whole budget is converted to zCDP ρ and split over every step that reads the data, the discovery
of the schema included: without --schema, or for the columns a schema file does not declare public
("declared_public" in its info_data), kinds, categories, bounds and formats are derived with DP from
--domain-budget of ρ. With --domain-mode as_confirmed the schema file is your public declaration and is
released as written. The summary line says which applies.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privsyn", description="Differentially private synthetic tables.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=PRIVACY_HELP)
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    commands = parser.add_subparsers(dest="command", required=True)
    infer = commands.add_parser("infer", help="infer a schema file (review and edit it, then pass --schema)")
    infer.add_argument("data", type=Path, help="the table: .csv, .tsv, .zip or .gz")
    infer.add_argument("-o", "--output", type=Path, required=True, help="schema JSON to write")
    infer.add_argument("--name", default=None, help="dataset name stored in the schema")
    synth = commands.add_parser("synthesize", help="fit a DP synthesizer and write a synthetic CSV",
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=PRIVACY_HELP)
    synth.add_argument("data", type=Path, help="the private table: .csv, .tsv, .zip or .gz")
    synth.add_argument("--schema", type=Path, help="confirmed schema JSON (from `privsyn infer`, edited)")
    synth.add_argument("--method", required=True, help="privsyn, aim or mst (those registered are listed on error)")
    synth.add_argument("--epsilon", type=float, required=True, help="privacy-loss bound ε > 0 (see below)")
    synth.add_argument("--delta", type=float, required=True, help="failure probability δ in (0, 1) (see below)")
    synth.add_argument("-o", "--output", type=Path, required=True, help="synthetic CSV to write")
    synth.add_argument("--report", type=Path, help="also write the evaluation report (.html or .json; non-DP, owner "
                                                     "only)")
    synth.add_argument("--target", default=None, help="with --report: a column to predict for the utility check "
                                                      "(TSTR vs TRTR)")
    synth.add_argument("--seed", type=int, default=None, help="fix the randomness (default: fresh OS entropy)")
    synth.add_argument("--rows", type=int, default=None, help="rows to sample (default: DP estimate of the input's)")
    synth.add_argument("--knob", action="append", default=[], metavar="NAME=JSON", help="a method knob, repeatable")
    synth.add_argument("--domain-mode", choices=DOMAIN_MODES, default=None,
                       help="dp: discover every undeclared fact of the schema with DP (default); as_confirmed: "
                            "the schema file is your public declaration")
    synth.add_argument("--domain-budget", type=float, default=DOMAIN_BUDGET, metavar="SHARE",
                       help=f"share of ρ for DP domain discovery (default {DOMAIN_BUDGET:g})")
    synth.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                       help="wall-clock budget: AIM stops selecting and finishes, PrivSyn's GUM stops after its "
                            "round; ε is still spent exactly")
    _progress_flags(synth)
    evaluate = commands.add_parser("evaluate", help="compare a synthetic table with the real one (non-DP)")
    evaluate.add_argument("real", type=Path)
    evaluate.add_argument("synthetic", type=Path)
    evaluate.add_argument("--schema", type=Path, help="schema JSON describing the real table")
    evaluate.add_argument("-o", "--output", type=Path, help="report to write: .json or .html (default: JSON on stdout)")
    evaluate.add_argument("--target", default=None, help="a column to predict for the utility check (TSTR vs TRTR)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the evaluation's draws (default 0)")
    return parser


def _progress_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    group.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 2 bad input, 1 I/O or internal failure)."""
    args = _parser().parse_args(argv)
    try:
        return {"infer": _infer, "synthesize": _synthesize, "evaluate": _evaluate}[args.command](args)
    except DataError as error:
        _fail(f"{error.message}" + (f"\nhint: {error.hint}" if error.hint else ""), error.code)
    except MethodError as error:
        _fail(str(error), type(error).__name__)
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), "io_error")
        return EXIT_IO
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written", "interrupted")
        return 130
    except Exception as error:  # a failure of ours, not of the input: one line, the details in a log
        _internal_failure(error, args.command, debug=args.debug)
        return EXIT_INTERNAL
    return EXIT_BAD_INPUT


def _internal_failure(error: Exception, command: str, *, debug: bool) -> None:
    """Report an unexpected exception: a reference id, the traceback in a log file (or on stderr with --debug)."""
    reference = uuid.uuid4().hex[:12]
    details = "".join(traceback.format_exception(error))
    if debug:
        sys.stderr.write(details)
        where = "traceback above"
    else:
        log = Path(tempfile.gettempdir()) / f"privsyn-error-{reference}.log"
        log.write_text(f"privsyn {command}: internal error {reference}\n{details}", encoding="utf-8")
        where = f"details in {log}; --debug prints them"
    _fail(f"{command} failed unexpectedly ({type(error).__name__}); reference {reference} ({where}). "
          "This is a bug of ours, not of your data: please report it with the reference.", "internal_error")


def _fail(message: str, code: str) -> None:
    sys.stderr.write(f"error [{code}]: {message}\n")


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")


def _ingest(path: Path) -> IngestedTable:
    table = ingest_path(path)
    for warning in table.warnings:
        _note(f"warning: {warning}")
    return table


def _payload_for(table: IngestedTable, schema_path: Path | None, name: str) -> tuple[Payload, Payload]:
    if schema_path is None:
        return draft_payload(infer_metadata(table.frame), table.frame, name=name, null_token=table.null_token,
                             output_format=table.output_format)
    document = load_json(schema_path.read_text(encoding="utf-8"), f"schema file {schema_path}")
    if "domain_data" not in document or "info_data" not in document:
        raise SchemaError("malformed_payload", f"schema file {schema_path} needs 'domain_data' and 'info_data'")
    return document["domain_data"], document["info_data"]


def _infer(args: argparse.Namespace) -> int:
    table = _ingest(args.data)
    inferred = infer_metadata(table.frame)
    domain, info = draft_payload(inferred, table.frame, name=args.name or args.data.stem, warnings=table.warnings,
                                 null_token=table.null_token, output_format=table.output_format)
    info["ingestion"] = {"dialect": table.dialect_description, "encoding": table.encoding}
    args.output.write_text(json.dumps(schema_document(domain, info), indent=2, ensure_ascii=False), encoding="utf-8")
    suggested = ", ".join(inferred.excluded) or "none"
    _note(f"wrote {args.output}: {len(domain)} columns ({table.dialect_description}, {table.encoding}); "
          f"suggested for exclusion: {suggested} (list them in info_data.excluded_columns to leave them out)")
    return 0


def _knobs(pairs: list[str]) -> dict[str, Any]:
    knobs = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SchemaError("invalid_knob", f"--knob {pair!r} must look like NAME=JSON")
        try:
            knobs[name] = json.loads(value)
        except ValueError as error:
            message = f"--knob {pair!r}: the value must be JSON (e.g. 10, 0.5, \"S6\")"
            raise SchemaError("invalid_knob", message) from error
    return knobs


class _ProgressBar:
    """Adapts ``RunConfig.on_progress`` to a tqdm bar on stderr (created on the first report)."""

    def __init__(self, enabled: bool | None) -> None:
        self.disable = None if enabled is None else not enabled
        self.bar: Any = None

    def __call__(self, progress: Progress) -> None:
        if self.bar is None:
            from tqdm import tqdm  # imported lazily: only the CLI draws progress

            self.bar = tqdm(total=1000, file=sys.stderr, disable=self.disable, unit="‰", leave=False)
        self.bar.set_description(progress.stage)
        self.bar.update(max(0, int(progress.fraction * 1000) - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def warn_if_seeded(seed: int | None) -> None:
    """A fixed seed is for reproducible research only: say so on stderr."""
    if seed is not None:
        _note(f"warning: --seed {seed}: {SEEDED_RUN_NOTE} (omit --seed for a private release)")


def _synthesize(args: argparse.Namespace) -> int:
    warn_if_seeded(args.seed)
    request = SynthesisRequest(args.method, args.epsilon, args.delta, _knobs(args.knob), rows=args.rows,
                               seed=args.seed, time_budget_s=args.time_budget, domain_mode=args.domain_mode,
                               domain_budget=args.domain_budget)
    validate_request(request, allow_fixed_seed=True)
    table = _ingest(args.data)
    check_delta(args.delta, len(table.frame))
    domain, info = _payload_for(table, args.schema, args.data.stem)
    rng = np.random.default_rng(args.seed)
    schema, story = confirm_run(domain, info, table.frame, request, limits=IngestionLimits())
    check_synthesis_size(len(schema.columns), IngestionLimits())
    private = prepare_table(table.frame, schema, rng)
    bar = _ProgressBar(args.progress)
    try:
        result = synthesize(private, schema.metadata, request, story=story, on_progress=bar)
    finally:
        bar.close()
    _write_atomically(write_csv(result.frame, schema.csv_format()), args.output)
    privacy = result.privacy
    _note(f"wrote {args.output}: {len(result.frame):,} rows; ρ spent {privacy.rho_spent:.6g} of {privacy.rho:.6g}")
    _note(privacy.summary)
    if args.report:
        from web_app.evaluation.evaluate import evaluate, run_card

        card = run_card(args.data.name, private, result.frame, schema.metadata, method=args.method,
                        epsilon=args.epsilon, delta=args.delta, seed=args.seed, run_at=datetime.now(UTC))
        report = evaluate(private, result.frame, schema.metadata, card, privacy=privacy.to_json(), target=args.target)
        _write_report(report, args.report)
    elif args.target:
        _note("warning: --target has no effect without --report")
    return 0


def _write_atomically(data: bytes, path: Path) -> None:
    temporary = path.with_name(path.name + ".partial")
    temporary.write_bytes(data)
    temporary.replace(path)


def _write_report(report: Any, path: Path | None) -> None:
    from web_app.evaluation.report import render_html

    if path is None:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    elif path.suffix.lower() in (".html", ".htm"):
        path.write_text(render_html(report), encoding="utf-8")
        _note(f"wrote {path} (non-DP evaluation, owner only)")
    else:
        path.write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
        _note(f"wrote {path} (non-DP evaluation, owner only)")


def _evaluate(args: argparse.Namespace) -> int:
    real = _ingest(args.real)
    synthetic = _ingest(args.synthetic)
    domain, info = _payload_for(real, args.schema, args.real.stem)
    schema = metadata_from_confirmed(domain, info, real.frame, mode="as_confirmed", owner_only=True)
    from web_app.evaluation.evaluate import evaluate, run_card

    rng = np.random.default_rng(args.seed)
    real_table = prepare_table(real.frame, schema, rng)
    synth_table = prepare_table(synthetic.frame, schema, rng, resample=False, strict=False)
    card = run_card(args.real.name, real_table, synth_table, schema.metadata)
    _write_report(evaluate(real_table, synth_table, schema.metadata, card, target=args.target, seed=args.seed),
                  args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

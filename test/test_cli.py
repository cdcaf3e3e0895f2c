"""The ``privsyn`` CLI: infer → schema file → synthesize (raw Adult) → evaluate, and clean error exits."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import method.synthesis  # noqa: F401
from method.api import registry
from web_app.cli import main, warn_if_seeded
from web_app.ingestion.reader import ingest_path

ADULT = Path(__file__).resolve().parents[1] / "data" / "adult.csv.zip"


@pytest.fixture(scope="module")
def adult_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli")
    assert main(["infer", str(ADULT), "-o", str(out / "schema.json")]) == 0
    assert main(["synthesize", str(ADULT), "--schema", str(out / "schema.json"), "--method", "privsyn",
                 "--epsilon", "1", "--delta", "1e-9", "-o", str(out / "synth.csv"), "--report",
                 str(out / "report.html"), "--target", "income", "--seed", "0", "--no-progress"]) == 0
    return out


def test_infer_writes_the_schema_payload(adult_run: Path) -> None:
    document = json.loads((adult_run / "schema.json").read_text())
    assert set(document) == {"domain_data", "info_data"}
    assert document["info_data"]["train_size"] == 48_842 and len(document["domain_data"]) == 15
    assert document["domain_data"]["workclass"]["type"] == "categorical"


def test_synthesize_adult_gives_a_valid_csv_and_report(adult_run: Path) -> None:
    real = ingest_path(ADULT).frame
    synth = ingest_path(adult_run / "synth.csv").frame
    assert list(synth.columns) == list(real.columns) and len(synth) > 40_000
    for name in ("age", "fnlwgt", "hours-per-week"):  # DP bounds: whole numbers, within 2× the real range
        assert str(synth[name].dtype) == "int64" and synth[name].nunique() > 10
        assert synth[name].min() >= 0 and synth[name].max() <= 2 * real[name].max()
    assert set(synth["income"].dropna()) <= {*real["income"].dropna(), "other"}  # the public "other" bucket
    assert synth["workclass"].isna().any()  # missing values survive as missing
    html = (adult_run / "report.html").read_text()
    assert "non-DP evaluation, owner only" in html and "baseline" in html
    assert 'id="run-card"' in html and "adult.csv.zip" in html and "seed 0" in html and "Ledger by stage" in html
    assert "Utility: predicting income" in html


def test_evaluate_writes_json(adult_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(ADULT), str(adult_run / "synth.csv"), "--schema", str(adult_run / "schema.json"),
                 "--target", "income"]) == 0
    report = json.loads(capsys.readouterr().out)
    fidelity = report["fidelity"]
    assert all(0 <= m["mean"] <= m["worst"] <= 1 for m in fidelity["marginals"])
    shapes = [c["shape"] for c in fidelity["columns"]]
    assert shapes == sorted(shapes)  # worst shape first
    assert fidelity["marginals"][1]["mean"] < fidelity["baseline"][1]["mean"]
    assert report["card"]["method"] is None and report["privacy"] is None  # files only: the run is unknown
    utility = report["utility"]
    assert utility["target"] == "income" and utility["tstr"] > utility["majority_accuracy"]


@pytest.mark.slow
@pytest.mark.parametrize("method_name", [m for m in ("aim", "mst") if m in registry.list()])
def test_other_methods_on_adult(method_name: str, adult_run: Path) -> None:
    out = adult_run / f"{method_name}.csv"
    assert main(["synthesize", str(ADULT), "--schema", str(adult_run / "schema.json"), "--method", method_name,
                 "--epsilon", "1", "--delta", "1e-9", "-o", str(out), "--report", str(out.with_suffix(".html")),
                 "--seed", "0", "--no-progress"]) == 0
    assert list(pd.read_csv(out, nrows=5).columns) == list(ingest_path(ADULT).frame.columns)


def _bad(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(("args", "code"), [
    (lambda t: ["infer", _bad(t, "empty.csv", b""), "-o", str(t / "s.json")], "empty_file"),
    (lambda t: ["infer", _bad(t, "h.csv", b"a,b\n"), "-o", str(t / "s.json")], "header_only"),
    (lambda t: ["infer", _bad(t, "x.csv", b"\x00\x01\x02" * 100), "-o", str(t / "s.json")], "binary_file"),
    (lambda t: ["infer", str(t / "nope.csv"), "-o", str(t / "s.json")], "file_not_found"),
    (lambda t: ["synthesize", _bad(t, "a.csv", b"a\n1\n2\n"), "--method", "privsyn", "--epsilon", "0",
                "--delta", "1e-9", "-o", str(t / "o.csv")], "InvalidPrivacySpecError"),
    (lambda t: ["synthesize", _bad(t, "a.csv", b"a\n1\n2\n"), "--method", "nope", "--epsilon", "1",
                "--delta", "1e-9", "-o", str(t / "o.csv")], "UnknownMethodError"),
    (lambda t: ["synthesize", _bad(t, "a.csv", b"a\n1\n2\n"), "--schema", _bad(t, "s.json", b"{oops"),
                "--method", "privsyn", "--epsilon", "1", "--delta", "1e-9", "-o", str(t / "o.csv")], "malformed_json"),
])
def test_bad_input_exits_with_a_message(args, code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert f"error [{code}]" in err and "Traceback" not in err


def test_console_script_and_help(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("privsyn")
    help_text = subprocess.run([script, "synthesize", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--epsilon" in help_text and "(ε, δ)-differential privacy" in help_text
    header = ",".join(f"c{i}" for i in range(10_001))
    wide = _bad(tmp_path, "wide.csv", (header + "\n" + "1," * 10_000 + "1\n").encode())
    done = subprocess.run([script, "infer", wide, "-o", str(tmp_path / "s.json")], capture_output=True, text=True)
    assert done.returncode == 2 and "too_many_columns" in done.stderr and "Traceback" not in done.stderr


def test_constant_all_missing_and_dates_survive_synthesis(tmp_path: Path) -> None:
    n = 400
    frame = pd.DataFrame({
        "when": pd.date_range("2022-01-01", periods=n, freq="D").strftime("%d/%m/%Y"),
        "constant": ["same"] * n,
        "nothing": [""] * n,
        "amount": [round(i * 1.37 % 97, 2) for i in range(n)],
        "group": [("g1", "g2", "g3")[i % 3] for i in range(n)],
    })
    data = tmp_path / "odd.csv"
    frame.to_csv(data, index=False, sep=";", decimal=",")
    out = tmp_path / "synth.csv"
    schema = tmp_path / "schema.json"  # a 400-row table: declare the inferred schema instead of DP discovery
    assert main(["infer", str(data), "-o", str(schema)]) == 0
    document = json.loads(schema.read_text())
    assert document["info_data"]["inference_report"]["nothing"]["kind"] == "excluded"  # a suggestion only
    document["info_data"]["excluded_columns"] = ["nothing"]  # the user takes the suggestion
    schema.write_text(json.dumps(document))
    assert main(["synthesize", str(data), "--schema", str(schema), "--domain-mode", "as_confirmed",
                 "--method", "privsyn", "--epsilon", "2", "--delta", "1e-6", "-o", str(out), "--seed", "1",
                 "--no-progress"]) == 0
    synth = ingest_path(out).frame
    assert list(synth.columns) == ["when", "constant", "amount", "group"]  # the user's exclusion stands
    assert set(synth["constant"]) == {"same"}
    dates = pd.to_datetime(synth["when"], format="%d/%m/%Y")
    assert dates.min() >= pd.Timestamp("2022-01-01") and dates.max() <= pd.Timestamp("2023-02-05")


def test_data_modules_do_not_import_the_web_stack() -> None:
    code = ("import sys, web_app.cli, web_app.data_comparison, web_app.evaluation.report, web_app.review.apply; "
            "print('fastapi' in sys.modules or 'starlette' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_synthesize_honours_a_time_budget(tmp_path: Path) -> None:
    started = time.monotonic()
    assert main(["synthesize", str(ADULT), "--method", "aim", "--epsilon", "10", "--delta", "1e-9", "--seed", "0",
                 "--rows", "200", "--time-budget", "3", "--no-progress", "-o", str(tmp_path / "s.csv")]) == 0
    assert time.monotonic() - started < 60 and len(pd.read_csv(tmp_path / "s.csv")) == 200
    assert main(["synthesize", str(ADULT), "--method", "aim", "--epsilon", "1", "--delta", "1e-9",
                 "--time-budget", "0", "-o", str(tmp_path / "t.csv")]) != 0


def test_a_seeded_run_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    warn_if_seeded(5)
    assert capsys.readouterr().err == (
        "warning: --seed 5: seeded run: reproducible; "
        "not private against anyone who knows the seed "
        "(omit --seed for a private release)\n")
    warn_if_seeded(None)
    assert capsys.readouterr().err == ""


def test_evaluate_without_a_schema_reads_open_facts_off_the_owners_data(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"user": [f"u{i}" for i in range(300)], "group": ["a", "b", "c"] * 100})
    real, synth = tmp_path / "real.csv", tmp_path / "synth.csv"
    frame.to_csv(real, index=False)
    frame.sample(frac=1, random_state=0).to_csv(synth, index=False)
    assert main(["evaluate", str(real), str(synth), "--seed", "0"]) == 0  # no DP budget needed: owner-only
    report = json.loads(capsys.readouterr().out)
    assert {c["name"] for c in report["fidelity"]["columns"]} == {"user", "group"}
    assert ("identifier_like", "user") in {(w["code"], w["subject"]) for w in report["verdict"]["warnings"]}


def _failing_synthesis(*_: object, **__: object) -> None:
    raise IndexError("string index out of range")


@pytest.mark.parametrize("debug", [False, True])
def test_an_internal_failure_is_one_line_with_a_reference_and_exit_1(
        debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The failure is injected after ingestion and confirmation (the CLI's error path is under test, not a method).
    monkeypatch.setattr("web_app.cli.synthesize", _failing_synthesis)
    data = _bad(tmp_path, "a.csv", b"a,b\n" + b"".join(b"%d,%d\n" % (i % 3, i % 5) for i in range(5000)))
    argv = ["synthesize", data, "--method", "mst", "--epsilon", "4", "--delta", "1e-9", "-o", str(tmp_path / "o.csv"),
            "--no-progress"]
    assert main((["--debug"] if debug else []) + argv) == 1
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("error ["))
    assert line.startswith("error [internal_error]: synthesize failed unexpectedly (IndexError); reference ")
    assert not (tmp_path / "o.csv").exists()
    if debug:
        assert "Traceback" in err and "string index out of range" in err
    else:
        assert "Traceback" not in err and err.count("\n") == 1
        log = Path(line.split("details in ")[1].split(";")[0])
        assert "string index out of range" in log.read_text() and "Traceback" in log.read_text()
        log.unlink()

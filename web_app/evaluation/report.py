"""The self-contained HTML report (no scripts, no network assets) of an :class:`EvaluationReport`.

Sections, in order: the owner-only/not-DP banner, the run card, the privacy section (the run's privacy
report: summary, mode, ledger by stage, every column's provenance), the verdict (score, baseline, warnings
worst first), fidelity (marginals against the baseline, correlations, every column's checks, marginal plots
of the worst columns, the pair heatmap), utility (TSTR vs TRTR), the disclosure checks, and how every figure
is defined. Every text from the data (column names, category labels) is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from web_app.evaluation.charts import bar_chart, heatmap
from web_app.evaluation.evaluate import EvaluationReport
from web_app.evaluation.verdict import HIGH, MEDIUM

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;color:#1b1f24;max-width:1100px;
padding:0 1rem;line-height:1.45}
h1{color:#174a84;margin-bottom:.2rem}h2{border-bottom:1px solid #d5d9de;padding-bottom:.2rem;margin-top:2rem}
.label{background:#fff4e0;color:#6b4100;border:1px solid #e0c36a;padding:.6em 1em;font-weight:600;border-radius:6px}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #d5d9de;padding:.25em .6em;text-align:right}
th{background:#f6f7f9}td.name,th.name{text-align:left}.card td{text-align:left}
.plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{color:#555d66;font-size:.85rem}
.score{display:flex;gap:2rem;align-items:baseline}.big{font-size:2.6rem;font-weight:700;color:#174a84}
.base{font-size:1.4rem;color:#555d66}.warnings li{margin:.3em 0}
.sev{display:inline-block;min-width:4.5em;font-size:.8rem;font-weight:700;padding:.05em .4em;
border-radius:4px;margin-right:.4em}
.sev3{background:#b3261e;color:#fff}.sev2{background:#fff4e0;color:#6b4100;border:1px solid #e0c36a}
.sev1{background:#e9edf2;color:#1b1f24}.ok{background:#e8f4ea;color:#1d5b2a;padding:.4em .8em;border-radius:6px}
.muted{color:#555d66;font-size:.9rem}
"""
_SEVERITY = {HIGH: "high", MEDIUM: "medium"}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or value != value else f"{100 * value:.{digits}f} %"


def _rows(head: list[str], rows: list[list[str]], cls: str = "", label: str = "") -> str:
    """A table; the first cell of each row is a name (left-aligned). Cells are already escaped."""
    header = "".join(f'<th{" class=name" if i == 0 else ""} scope="col">{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td{" class=name" if i == 0 else ""}>{c}</td>' for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f'<table class="{cls}" aria-label="{label}"><tr>{header}</tr>{body}</table>'


def _card(report: EvaluationReport) -> str:
    c = report.card
    items = [("Data set", escape(c.dataset)), ("Real table", f"{c.rows:,} rows × {c.columns} columns"),
             ("Synthetic table", f"{c.rows_synth:,} rows"), ("Method", escape(c.method or "unknown")),
             ("ε", _fmt(c.epsilon, 4) if c.epsilon is not None else "unknown"),
             ("δ", f"{c.delta:.3g}" if c.delta is not None else "unknown"),
             ("ρ (zCDP)", f"{c.rho:.6g}" if c.rho is not None else "unknown"),
             ("Randomness", escape(c.randomness)), ("Run", escape(c.run_at or "unknown")),
             ("Evaluated", escape(c.evaluated_at)), ("PrivSyn service version", escape(c.version))]
    return ('<section id="run-card"><h2>Run card</h2><table class="card" aria-label="Run card">'
            + "".join(f'<tr><th class=name scope="row">{k}</th><td>{v}</td></tr>' for k, v in items)
            + "</table></section>")


def _privacy(privacy: dict[str, Any] | None) -> str:
    if not privacy:
        return ('<section id="privacy"><h2>Privacy</h2><p>The run that made this synthetic table is unknown '
                '(evaluated from files): no privacy guarantee can be stated here.</p></section>')
    stages = sorted((privacy.get("spent_by_stage") or {}).items(), key=lambda kv: -float(kv[1]))
    rho = float(privacy.get("rho") or 0) or 1.0
    ledger = _rows(["stage", "ρ spent", "share of ρ"], [[escape(str(k)), f"{float(v):.6g}", _pct(float(v) / rho)]
                                                       for k, v in stages], label="Ledger by stage")
    columns = _rows(["column", "kind", "domain provenance", "binning"],
                    [[escape(str(c.get("name"))), escape(str(c.get("kind"))), escape(str(c.get("provenance"))),
                      escape(str(c.get("binning") or "–"))] for c in privacy.get("columns", [])],
                    label="Column provenance")
    return (f'<section id="privacy"><h2>Privacy</h2><p><b>{escape(str(privacy.get("summary", "")))}</b></p>'
            f'<p>Method {escape(str(privacy.get("method")))}; ε = {_fmt(privacy.get("epsilon"), 4)}, '
            f'δ = {float(privacy.get("delta") or 0):.3g}, ρ = {float(privacy.get("rho") or 0):.6g} '
            f'(spent {float(privacy.get("rho_spent") or 0):.6g}); domain mode '
            f'<b>{escape(str(privacy.get("domain_mode")))}</b>; randomness: {escape(str(privacy.get("randomness")))}.'
            f'</p><h3>Ledger by stage</h3>{ledger}<h3>Where each column\'s domain came from</h3>'
            '<p class="muted">public: declared by you; dp: derived with DP and charged to the ledger; data: read off '
            f'the data without DP (not covered by the guarantee).</p>{columns}</section>')


def _verdict(report: EvaluationReport) -> str:
    v = report.verdict
    warnings = "".join(
        f'<li><span class="sev sev{w.severity}">{_SEVERITY.get(w.severity, "low")}</span>{escape(w.message)}</li>'
        for w in v.warnings) or '<li class="ok">No warnings.</li>'
    pairs = (f"pair trends {_fmt(v.pair_trends, 1)} % (baseline {_fmt(v.baseline_pair_trends, 1)} %)"
             if v.pair_trends is not None else "no pairs")
    return (f'<section id="verdict"><h2>Verdict</h2><div class="score"><div><div class="big">{v.overall:.1f} %</div>'
            f'overall quality</div><div><div class="base">{v.baseline_overall:.1f} %</div>independent-columns '
            f'baseline</div></div><p>Column shapes {v.column_shapes:.1f} % (baseline {v.baseline_column_shapes:.1f} %),'
            f' {pairs}. 100 % means the same distributions; a useful synthesizer beats the baseline.</p>'
            f'<h3>Warnings, worst first</h3><ul class="warnings">{warnings}</ul></section>')


def _fidelity(report: EvaluationReport) -> str:
    f = report.fidelity
    marginals = _rows(["marginals", "sets", "mean TVD", "worst TVD", "baseline mean", "baseline worst"], [
        [f"{m.way}-way{' (sampled)' if m.sampled else ''}", str(m.count), _fmt(m.mean), _fmt(m.worst), _fmt(b.mean),
         _fmt(b.worst)] for m, b in zip(f.marginals, f.baseline, strict=True)], label="Marginal TVD")
    columns = _rows(
        ["column", "kind", "cells", "shape", "TVD", "KS", "Wasserstein / range", "mean pair TVD", "missing real",
         "missing synth", "real cells covered", "out of domain"],
        [[escape(c.name), f"{c.kind} ({c.encoding})", str(c.cells), _pct(c.shape, 0), _fmt(c.tvd), _fmt(c.ks),
          _fmt(c.wasserstein), _fmt(c.pair_tvd), _pct(c.missing_real), _pct(c.missing_synth), _pct(c.coverage, 0),
          f"{c.out_of_domain:,} ({_pct(c.out_of_domain_share)})"] for c in f.columns], label="Columns")
    plots = "".join(bar_chart(p) for p in f.plots)
    correlations = [f"mean |Δ Pearson r| over numeric pairs: <b>{_fmt(f.pearson_diff)}</b>"
                    if f.pearson_diff is not None else "",
                    f"mean |Δ Cramér's V| over evaluated pairs: <b>{_fmt(f.cramers_v_diff)}</b>"
                    if f.cramers_v_diff is not None else ""]
    return (f'<section id="fidelity"><h2>Fidelity</h2><p>{f.rows_real:,} real rows, {f.rows_synth:,} synthetic rows. '
            'All figures use the evaluation encoding computed from the <em>real</em> values (not the synthesizer\'s '
            f'bins). TVD = ½ Σ|p − q| over a marginal\'s cells, in [0, 1]; 0 means identical.</p>{marginals}'
            f'<p>{"<br>".join(c for c in correlations if c)}</p><h3>Columns, worst shape first</h3>{columns}'
            f'<h3>Real vs synthetic, the worst columns</h3><div class="plots">{plots}</div>'
            f'<h3>Pairs</h3>{heatmap(f)}</section>')


def _utility(report: EvaluationReport) -> str:
    u = report.utility
    if u is None:
        return ('<section id="utility"><h2>Utility</h2><p>No target column was chosen. Choose one (API '
                '<code>target</code>, CLI <code>--target</code>, or the UI) to compare a model trained on the '
                'synthetic data with one trained on the real data.</p></section>')
    if u.task == "classification":
        head = ["trained on", "accuracy", "macro F1"]
        rows = [["real (TRTR)", _fmt(u.real_model.accuracy), _fmt(u.real_model.f1)],
                ["synthetic (TSTR)", _fmt(u.synth_model.accuracy), _fmt(u.synth_model.f1)],
                ["always the majority class", _fmt(u.majority_accuracy), "–"]]
    else:
        head, rows = ["trained on", "R²"], [["real (TRTR)", _fmt(u.real_model.r2)],
                                            ["synthetic (TSTR)", _fmt(u.synth_model.r2)]]
    return (f'<section id="utility"><h2>Utility: predicting {escape(u.target)!s}</h2><p>{escape(u.model)}, '
            f'{u.train_real_rows:,} real / {u.train_synth_rows:,} synthetic training rows, tested on {u.test_rows:,} '
            f'held-out real rows.</p>{_rows(head, rows, label="Utility")}<p class="muted">{escape(u.note)}</p>'
            '</section>')


def _disclosure(report: EvaluationReport) -> str:
    d = report.disclosure
    rows = [["synthetic rows that copy a real row exactly", f"{_pct(d.exact_copy_rate, 2)} ({d.exact_copies:,})",
             f"{_pct(d.holdout_copy_rate, 2)} of held-out real rows copy a reference row "
             f"({_pct(d.reference_copy_rate, 2)} of synthetic rows)"],
            ["unique real rows reproduced", _pct(d.unique_real_reproduced, 2),
             f"of {d.unique_real_rows:,} unique rows"],
            ["median distance to the closest real record (share of columns)", _fmt(d.dcr_synth_median),
             f"{_fmt(d.dcr_holdout_median)} for held-out real rows"],
            ["distance 0 (identical evaluation cells)", _pct(d.dcr_synth_zero), f"{_pct(d.dcr_holdout_zero)} held out"],
            ["P(synthetic row closer than a held-out row)", _pct(d.closer_than_holdout),
             "50 % if no closer than fresh real rows"]]
    return (f'<section id="disclosure"><h2>Disclosure checks (empirical, not a DP claim)</h2>'
            f'<p class="label">{escape(d.note)}</p>'
            f'{_rows(["check", "synthetic", "for scale"], rows, label="Disclosure")}'
            f'<p class="muted">Distances over {d.queries:,} synthetic and {d.queries:,} held-out rows against '
            f'{d.reference_rows:,} reference rows.</p></section>')


_DEFINITIONS = """<section id="definitions"><h2>How the figures are computed</h2><ul>
<li>Evaluation cells per column, from the real values: categories (and integer codes with at most 1,000 values)
keep their real values, those under 0.1 % of the rows (and beyond the 50 most frequent) pooled; other numbers
and dates: values holding 5 % of the rows on their own, the rest cut at its 20-quantiles; plus cells for values
the real column never has, below/above its range, and missing.</li>
<li>Column shape = 1 − KS statistic (binned numbers) or 1 − TVD on the cells; pair trend = 1 − |Δ Pearson r| / 2
(two numeric columns) or 1 − 2-way TVD; overall quality = mean of the average column shape and the average pair
trend (SDMetrics' Quality Report definitions). The baseline resamples each real column independently.</li>
<li>Out of domain: a synthetic value the real column never has, outside its range, with more decimals than any
real value, or not a number in a numeric column.</li>
<li>All random draws (sampled pairs/triples, baseline, splits) come from seed {seed}: the same tables give the same
figures.</li></ul></section>"""


def render_html(report: EvaluationReport, *, title: str | None = None) -> str:
    """The whole report as one self-contained HTML document."""
    heading = title or f"Evaluation of {report.card.dataset}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}</title><style>{_STYLE}</style></head>
<body><h1>{escape(heading)}</h1>
<p class="label" id="owner-only">{escape(report.label)}. Only the privacy section describes the differentially
private release; everything else compares it with the real data, for the data owner only.</p>
{_card(report)}{_privacy(report.privacy)}{_verdict(report)}{_fidelity(report)}{_utility(report)}
{_disclosure(report)}{_DEFINITIONS.format(seed=report.seed)}
</body></html>
"""

"""The self-contained HTML evaluation report: tables, inline SVG plots, no scripts and no network assets.

:func:`render_html` turns a :class:`~web_app.data_comparison.ComparisonReport` into one HTML page: the
non-DP/owner-only label, the k-way TVD against the independent-columns baseline, per-column results worst
first, real vs synthetic marginals of the worst columns (bar charts) and a heatmap of the pairwise 2-way
TVD. Every text from the data (column names, category labels) is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from web_app.data_comparison import ComparisonReport, MarginalPlot

HEATMAP_COLUMNS = 30
_BAR_CELLS = 40
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
.label{background:#fff3cd;border:1px solid #e0c36a;padding:.6em 1em;font-weight:600}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td.name{text-align:left}.plots{display:flex;flex-wrap:wrap;gap:1em}
"""


def _fmt(value: float | None, digits: int = 4) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _marginal_table(report: ComparisonReport) -> str:
    rows = []
    for real, base in zip(report.marginals, report.baseline, strict=True):
        note = " (sampled)" if real.sampled else ""
        rows.append(f"<tr><td>{real.way}-way{note}</td><td>{real.count}</td><td>{_fmt(real.mean)}</td>"
                    f"<td>{_fmt(real.worst)}</td><td>{_fmt(base.mean)}</td><td>{_fmt(base.worst)}</td></tr>")
    head = ("<tr><th>marginals</th><th>sets</th><th>mean TVD</th><th>worst TVD</th>"
            "<th>baseline mean</th><th>baseline worst</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _column_table(report: ComparisonReport) -> str:
    head = ("<tr><th>column</th><th>kind</th><th>score</th><th>1-way TVD</th><th>mean 2-way TVD</th>"
            "<th>missing real</th><th>missing synth</th><th>category coverage</th><th>out of domain</th></tr>")
    rows = [
        f"<tr><td class=name>{escape(c.name)}</td><td>{c.kind}</td><td>{_fmt(c.score)}</td><td>{_fmt(c.tvd)}</td>"
        f"<td>{_fmt(c.pair_tvd)}</td><td>{_fmt(c.missing_real, 3)}</td><td>{_fmt(c.missing_synth, 3)}</td>"
        f"<td>{_fmt(c.coverage, 3)}</td><td>{c.out_of_domain}</td></tr>"
        for c in report.columns
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def bar_chart(plot: MarginalPlot, width: int = 520, height: int = 220) -> str:
    """Grouped bars (real dark, synthetic light) of one marginal, the most frequent cells first if many."""
    cells = list(range(len(plot.labels)))
    if len(cells) > _BAR_CELLS:
        cells = sorted(cells, key=lambda i: -(plot.real[i] + plot.synth[i]))[:_BAR_CELLS]
        cells.sort()
    top = max([plot.real[i] for i in cells] + [plot.synth[i] for i in cells] + [1e-9])
    left, bottom, step = 30, height - 60, (width - 40) / max(len(cells), 1)
    parts = [f'<text x="{left}" y="14" font-size="13" font-weight="600">{escape(plot.column)}</text>']
    for k, i in enumerate(cells):
        x = left + k * step
        for offset, value, colour, who in ((0.1, plot.real[i], "#1f4e79", "real"),
                                           (0.5, plot.synth[i], "#8fbce6", "synthetic")):
            h = (bottom - 24) * value / top
            parts.append(f'<rect x="{x + offset * step:.1f}" y="{bottom - h:.1f}" width="{0.4 * step:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{escape(plot.labels[i])} {who}: '
                         f'{value:.4f}</title></rect>')
        label = escape(plot.labels[i][:14])
        parts.append(f'<text font-size="9" transform="translate({x + step / 2:.1f},{bottom + 6}) rotate(60)">'
                     f'{label}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#555"/>')
    legend = ('<rect x="330" y="4" width="10" height="10" fill="#1f4e79"/><text x="344" y="13" font-size="11">real'
              '</text><rect x="380" y="4" width="10" height="10" fill="#8fbce6"/>'
              '<text x="394" y="13" font-size="11">synthetic</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
            f'{legend}{"".join(parts)}</svg>')


def heatmap(report: ComparisonReport, size: int = 520) -> str:
    """The 2-way TVD of each evaluated pair among the (at most 30) worst columns; white = 0, red = the worst."""
    names = [c.name for c in report.columns[:HEATMAP_COLUMNS]]
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    if n < 2:
        return "<p>(fewer than two columns)</p>"
    margin, cell = 140, (size - 140) / n
    worst = max([p.tvd for p in report.pairs] + [1e-9])
    parts = []
    for pair in report.pairs:
        if pair.a in index and pair.b in index:
            shade = int(255 * (1 - pair.tvd / worst))
            for i, j in ((index[pair.a], index[pair.b]), (index[pair.b], index[pair.a])):
                parts.append(f'<rect x="{margin + j * cell:.1f}" y="{margin + i * cell:.1f}" width="{cell:.1f}" '
                             f'height="{cell:.1f}" fill="rgb(255,{shade},{shade})"><title>{escape(pair.a)} × '
                             f'{escape(pair.b)}: TVD {pair.tvd:.4f}</title></rect>')
    for name, i in index.items():
        short = escape(name[:20])
        parts.append(f'<text x="{margin - 4}" y="{margin + (i + 0.7) * cell:.1f}" font-size="10" '
                     f'text-anchor="end">{short}</text>')
        parts.append(f'<text font-size="10" transform="translate({margin + (i + 0.3) * cell:.1f},{margin - 4}) '
                     f'rotate(-60)">{short}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img">'
            f'{"".join(parts)}</svg>')


def render_html(report: ComparisonReport, *, title: str = "Synthetic data evaluation",
                privacy_summary: str = "") -> str:
    """The whole report as one self-contained HTML document, opening with the run's privacy summary
    (the one truthful line of its privacy report) when there is one."""
    plots = "".join(bar_chart(plot) for plot in report.plots)
    extra = []
    if report.pearson_diff is not None:
        extra.append(f"mean |Δ Pearson r| over numeric pairs: <b>{_fmt(report.pearson_diff)}</b>")
    if report.cramers_v_diff is not None:
        extra.append(f"mean |Δ Cramér's V| over evaluated pairs: <b>{_fmt(report.cramers_v_diff)}</b>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{_STYLE}</style></head>
<body><h1>{escape(title)}</h1>
{f'<p class="privacy"><b>Privacy:</b> {escape(privacy_summary)}</p>' if privacy_summary else ""}
<p class="label">{escape(report.label)}</p>
<p>{report.rows_real:,} real rows, {report.rows_synth:,} synthetic rows, {len(report.columns)} columns.
TVD = ½ Σ|p − q| over a marginal's cells, in [0, 1]; 0 means identical. The baseline draws every column
independently from the real 1-way marginals: a synthesizer should beat it on 2- and 3-way marginals.</p>
<h2>Marginal TVD</h2>{_marginal_table(report)}
<p>{"<br>".join(extra)}</p>
<h2>Columns, worst first</h2>{_column_table(report)}
<h2>Real vs synthetic marginals of the worst columns</h2><div class="plots">{plots}</div>
<h2>Pairwise 2-way TVD</h2>{heatmap(report)}
</body></html>
"""

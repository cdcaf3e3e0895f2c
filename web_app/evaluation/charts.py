"""Inline SVG charts of the HTML report, in the UI's palette: marginal bars with a percentage axis, and a
heatmap of pairwise 2-way TVD with its colour scale. Every text from the data is HTML-escaped."""

from __future__ import annotations

from html import escape

from web_app.data_comparison import ComparisonReport, MarginalPlot

REAL, SYNTH = "#1f5fa8", "#d9822b"  # the UI's Charts.tsx
HEATMAP_COLUMNS = 25
BAR_CELLS = 30
_TEXT = 'fill="#1b1f24" font-family="system-ui,sans-serif"'


def _heat(value: float, peak: float) -> str:
    """The UI's heatmap colour: hsl(12, 75 %, 96 % → 34 %) as the TVD goes from 0 to ``peak``."""
    return f"hsl(12,75%,{96 - min(1.0, value / peak) * 62:.0f}%)"


def bar_chart(plot: MarginalPlot, width: int = 520, height: int = 260) -> str:
    """Grouped bars (real blue, synthetic orange) of one marginal with a 0–peak % axis; the most frequent
    :data:`BAR_CELLS` cells when there are more."""
    cells = list(range(len(plot.labels)))
    if len(cells) > BAR_CELLS:
        cells = sorted(sorted(cells, key=lambda i: -(plot.real[i] + plot.synth[i]))[:BAR_CELLS])
    peak = max([plot.real[i] for i in cells] + [plot.synth[i] for i in cells] + [1e-9])
    left, top, bottom = 48, 28, height - 78
    step = (width - left - 8) / max(len(cells), 1)
    tvd = 0.5 * sum(abs(r - s) for r, s in zip(plot.real, plot.synth, strict=True))
    parts = [f'<text x="0" y="16" font-size="14" font-weight="600" {_TEXT}>{escape(plot.column)}'
             f'<tspan font-weight="400" font-size="12"> — TVD {tvd:.3f}</tspan></text>']
    for tick in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * tick
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5d9de"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {_TEXT}>'
                     f'{100 * peak * tick:.0f}%</text>')
    for k, i in enumerate(cells):
        x = left + k * step
        for offset, value, colour, who in ((0.1, plot.real[i], REAL, "real"), (0.5, plot.synth[i], SYNTH, "synthetic")):
            h = (bottom - top) * value / peak
            parts.append(f'<rect x="{x + offset * step:.1f}" y="{bottom - h:.1f}" width="{0.4 * step:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{escape(plot.labels[i])} {who}: '
                         f'{100 * value:.2f}%</title></rect>')
        label = plot.labels[i] if len(plot.labels[i]) <= 16 else plot.labels[i][:15] + "…"
        size = 11 if len(cells) <= 16 else 9
        parts.append(f'<text font-size="{size}" text-anchor="end" {_TEXT} transform="translate('
                     f'{x + step / 2 + 3:.1f},{bottom + 10}) rotate(-50)">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - 8}" y2="{bottom}" stroke="#555d66"/>')
    legend = (f'<rect x="{width - 170}" y="6" width="12" height="12" fill="{REAL}"/>'
              f'<text x="{width - 154}" y="16" font-size="12" {_TEXT}>real</text>'
              f'<rect x="{width - 110}" y="6" width="12" height="12" fill="{SYNTH}"/>'
              f'<text x="{width - 94}" y="16" font-size="12" {_TEXT}>synthetic</text>')
    note = "" if len(cells) == len(plot.labels) else f" ({len(cells)} most frequent of {len(plot.labels)} cells)"
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(plot.column)}: share of rows per cell, real vs synthetic">{legend}{"".join(parts)}'
            f'</svg><figcaption>Share of rows per evaluation cell{escape(note)}.</figcaption></figure>')


def heatmap(report: ComparisonReport) -> str:
    """The 2-way TVD of each evaluated pair among the (at most 25) worst columns, with a colour scale."""
    names = [c.name for c in report.columns[:HEATMAP_COLUMNS]]
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    if n < 2:
        return "<p>(fewer than two columns: no pairs)</p>"
    label, cell = 130, max(14, min(28, 420 // n))
    size = label + n * cell
    shown = [p for p in report.pairs if p.a in index and p.b in index]
    peak = max([p.tvd for p in shown] + [1e-9])
    parts = []
    for i in range(n):
        parts.append(f'<rect x="{label + i * cell}" y="{label + i * cell}" width="{cell - 1}" height="{cell - 1}" '
                     'fill="#eee"/>')
    for pair in shown:
        for i, j in ((index[pair.a], index[pair.b]), (index[pair.b], index[pair.a])):
            parts.append(f'<rect x="{label + j * cell}" y="{label + i * cell}" width="{cell - 1}" '
                         f'height="{cell - 1}" fill="{_heat(pair.tvd, peak)}"><title>{escape(pair.a)} × '
                         f'{escape(pair.b)}: TVD {pair.tvd:.4f}</title></rect>')
    for name, i in index.items():
        short = escape(name if len(name) <= 18 else name[:17] + "…")
        parts.append(f'<text x="{label - 4}" y="{label + (i + 0.7) * cell:.1f}" font-size="11" text-anchor="end" '
                     f'{_TEXT}>{short}</text>')
        x = label + (i + 0.7) * cell
        parts.append(f'<text font-size="11" {_TEXT} transform="translate({x:.1f},{label - 4}) rotate(-60)">'
                     f'{short}</text>')
    scale = "".join(f'<rect x="{size + 30}" y="{label + k * 12}" width="16" height="12" '
                    f'fill="{_heat(peak * (1 - k / 19), peak)}"/>' for k in range(20))
    scale += (f'<text x="{size + 50}" y="{label + 10}" font-size="11" {_TEXT}>{peak:.3f} (worst)</text>'
              f'<text x="{size + 50}" y="{label + 240}" font-size="11" {_TEXT}>0 (same)</text>'
              f'<text x="{size + 30}" y="{label - 8}" font-size="11" {_TEXT}>2-way TVD</text>')
    height = max(size, label + 250) + 4
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{size + 140}" height="{height}" '
            f'role="img" aria-label="pairwise 2-way TVD heatmap">{"".join(parts)}{scale}</svg><figcaption>'
            f'Pairwise 2-way TVD on the evaluation cells among the {n} worst columns (darker: the synthetic data '
            'misses more of that pair\'s relationship).</figcaption></figure>')

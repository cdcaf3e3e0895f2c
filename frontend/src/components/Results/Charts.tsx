/** Hand-written SVG charts: real vs synthetic marginal bars, and a heatmap of pairwise 2-way TVD. */
import { useId } from "react";

export interface MarginalPlot {
  column: string;
  labels: string[];
  real: number[];
  synth: number[];
}

const REAL = "#1f5fa8";
const SYNTH = "#d9822b";

/** Grouped bars per category/bin (at most `maxBars`, the most frequent in the real data when there are more). */
export function MarginalChart({ plot, maxBars = 40 }: { plot: MarginalPlot; maxBars?: number }) {
  const ids = useId();
  let indices = plot.labels.map((_, i) => i);
  if (indices.length > maxBars) {
    indices = [...indices].sort((a, b) => (plot.real[b] ?? 0) - (plot.real[a] ?? 0)).slice(0, maxBars).sort((a, b) => a - b);
  }
  const width = 420;
  const height = 200;
  const left = 36;
  const bottom = 64;
  const top = 8;
  const plotH = height - bottom - top;
  const peak = Math.max(1e-9, ...indices.map((i) => Math.max(plot.real[i] ?? 0, plot.synth[i] ?? 0)));
  const group = (width - left - 4) / Math.max(1, indices.length);
  const bar = Math.max(1, group * 0.4);
  const y = (v: number) => top + plotH - (v / peak) * plotH;
  const tvd = 0.5 * plot.labels.reduce((s, _, i) => s + Math.abs((plot.real[i] ?? 0) - (plot.synth[i] ?? 0)), 0);
  return (
    <figure className="chart">
      <svg data-testid="marginal-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${ids}-t`}>
        <title id={`${ids}-t`}>
          {`${plot.column}: share of rows per value, real (blue) vs synthetic (orange); total variation distance ${tvd.toFixed(3)}`}
        </title>
        <line x1={left} x2={width} y1={top + plotH} y2={top + plotH} stroke="#555" />
        <text x={left - 4} y={top + 8} fontSize="10" textAnchor="end" fill="#333">{(peak * 100).toFixed(0)}%</text>
        <text x={left - 4} y={top + plotH} fontSize="10" textAnchor="end" fill="#333">0</text>
        {indices.map((i, k) => {
          const x = left + k * group + group * 0.1;
          const label = plot.labels[i];
          return (
            <g key={i}>
              <rect x={x} y={y(plot.real[i] ?? 0)} width={bar} height={top + plotH - y(plot.real[i] ?? 0)} fill={REAL}>
                <title>{`${label}: real ${((plot.real[i] ?? 0) * 100).toFixed(1)}%`}</title>
              </rect>
              <rect x={x + bar} y={y(plot.synth[i] ?? 0)} width={bar} height={top + plotH - y(plot.synth[i] ?? 0)} fill={SYNTH}>
                <title>{`${label}: synthetic ${((plot.synth[i] ?? 0) * 100).toFixed(1)}%`}</title>
              </rect>
              <text x={x + bar} y={top + plotH + 8} fontSize={indices.length > 24 ? 7 : 10} fill="#333" textAnchor="end"
                transform={`rotate(-50 ${x + bar} ${top + plotH + 8})`}>
                {label.length > 12 ? `${label.slice(0, 11)}…` : label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong>{plot.column}</strong> — TVD {tvd.toFixed(3)}
        {indices.length < plot.labels.length && ` (${indices.length} most frequent of ${plot.labels.length} values)`}
        <span className="legend"><span className="swatch" style={{ background: REAL }} /> real <span className="swatch" style={{ background: SYNTH }} /> synthetic</span>
      </figcaption>
    </figure>
  );
}

export interface PairScore {
  a: string;
  b: string;
  tvd: number;
}

/** Pairwise 2-way TVD among `columns` (darker = the synthetic data misses more of that pair's relationship). */
export function PairHeatmap({ columns, pairs }: { columns: string[]; pairs: PairScore[] }) {
  const ids = useId();
  const lookup = new Map<string, number>();
  for (const p of pairs) {
    lookup.set(`${p.a}\u0000${p.b}`, p.tvd);
    lookup.set(`${p.b}\u0000${p.a}`, p.tvd);
  }
  const n = columns.length;
  const cell = Math.max(12, Math.min(28, Math.floor(420 / Math.max(1, n))));
  const label = 120;
  const size = label + n * cell + 40;
  const peak = Math.max(1e-9, ...pairs.filter((p) => columns.includes(p.a) && columns.includes(p.b)).map((p) => p.tvd));
  const color = (v: number) => {
    const t = Math.min(1, v / peak);
    const light = 96 - t * 62;
    return `hsl(12, 75%, ${light}%)`;
  };
  const short = (s: string) => (s.length > 16 ? `${s.slice(0, 15)}…` : s);
  return (
    <figure className="chart heatmap">
      <svg data-testid="pair-heatmap" viewBox={`0 0 ${size} ${size}`} width={Math.min(size, 560)} role="img" aria-labelledby={`${ids}-t`}>
        <title id={`${ids}-t`}>{`Pairwise 2-way TVD between real and synthetic data among ${n} columns; darker is worse (max ${peak.toFixed(3)})`}</title>
        {columns.map((c, i) => (
          <g key={c}>
            <text x={label - 4} y={label + i * cell + cell * 0.7} fontSize="9" textAnchor="end" fill="#222">{short(c)}</text>
            <text x={label + i * cell + cell * 0.7} y={label - 4} fontSize="9" fill="#222"
              transform={`rotate(-60 ${label + i * cell + cell * 0.7} ${label - 4})`}>{short(c)}</text>
          </g>
        ))}
        {columns.map((a, i) =>
          columns.map((b, j) => {
            if (i === j) return <rect key={`${a}-${b}`} x={label + j * cell} y={label + i * cell} width={cell} height={cell} fill="#eee" />;
            const v = lookup.get(`${a}\u0000${b}`);
            return (
              <rect key={`${a}-${b}`} x={label + j * cell} y={label + i * cell} width={cell - 1} height={cell - 1}
                fill={v === undefined ? "#fafafa" : color(v)}>
                <title>{v === undefined ? `${a} × ${b}: not evaluated` : `${a} × ${b}: TVD ${v.toFixed(3)}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <figcaption>Pairwise 2-way TVD (0 = the pair's joint distribution is reproduced exactly; darkest = {peak.toFixed(3)}).</figcaption>
    </figure>
  );
}

/**
 * Two runs side by side: their data set, method, privacy parameters, rows, state and duration, and — on request,
 * since it reads the real data (`POST /evaluate`, owner only, not DP) — their overall quality against the
 * independent-columns baseline.
 */
import { useState } from "react";
import { api, type JobSummary } from "../../api/client";
import { formatDuration, formatNumber, secondsBetween } from "../../lib/format";
import { methodLabel, STATE_LABELS } from "../../lib/stages";
import { ErrorAlert } from "../ui/ErrorAlert";

interface Quality {
  overall: number;
  baseline: number;
}

function dataOf(job: JobSummary): string {
  const source = job.params.source as { file_name?: string; rows?: number; columns?: number } | undefined;
  const name = typeof job.params.dataset_name === "string" ? job.params.dataset_name : "—";
  return source?.rows !== undefined ? `${name} (${source.rows.toLocaleString("en-US")} × ${source.columns})` : name;
}

const ROWS: [string, (job: JobSummary) => string][] = [
  ["Data", dataOf],
  ["Method", (j) => methodLabel(j.method)],
  ["ε", (j) => formatNumber(Number(j.params.epsilon))],
  ["δ", (j) => formatNumber(Number(j.params.delta))],
  ["Rows asked", (j) => (j.params.rows ? Number(j.params.rows).toLocaleString("en-US") : "as the input")],
  ["State", (j) => STATE_LABELS[j.status] ?? j.status],
  ["Duration", (j) => {
    const seconds = secondsBetween(j.started_at ?? j.created_at, j.finished_at);
    return seconds === null ? "—" : formatDuration(seconds);
  }],
  ["Dataset ε so far", (j) => (j.dataset_budget ? formatNumber(j.dataset_budget.epsilon) : "—")],
];

export function CompareRuns({ runs, onClose }: { runs: [JobSummary, JobSummary]; onClose: () => void }) {
  const [quality, setQuality] = useState<(Quality | null)[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const succeeded = runs.every((r) => r.status === "succeeded");

  async function evaluate() {
    setBusy(true);
    setError(null);
    try {
      const replies = await Promise.all(runs.map((r) => api.evaluate(r.job_id)));
      setQuality(replies.map((r) => ({ overall: r.results.verdict.overall, baseline: r.results.verdict.baseline_overall })));
    } catch (e) {
      setError(e instanceof Error ? e.message : "The runs could not be evaluated.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-label="Compare runs">
      <h3>Compare runs</h3>
      <div className="table-wrap">
        <table aria-label="Run comparison">
          <thead>
            <tr><th scope="col"><span className="visually-hidden">What</span></th>
              {runs.map((r) => <th scope="col" key={r.job_id}>Run <code>{r.job_id.slice(0, 8)}</code></th>)}</tr>
          </thead>
          <tbody>
            {ROWS.map(([label, value]) => (
              <tr key={label}><th scope="row">{label}</th>{runs.map((r) => <td key={r.job_id}>{value(r)}</td>)}</tr>
            ))}
            {quality && (
              <tr>
                <th scope="row">Overall quality (baseline)</th>
                {quality.map((q, i) => <td key={runs[i].job_id}>{q ? `${q.overall.toFixed(1)}% (${q.baseline.toFixed(1)}%)` : "—"}</td>)}
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {error && <ErrorAlert message={error} />}
      <div className="actions">
        {succeeded && !quality && (
          <button type="button" className="secondary" onClick={() => void evaluate()} disabled={busy}>
            Compare quality (reads the real data; owner only, not DP)
          </button>
        )}
        {busy && <span className="muted" role="status">Evaluating both runs…</span>}
        <button type="button" className="link" onClick={onClose}>Close</button>
      </div>
    </section>
  );
}

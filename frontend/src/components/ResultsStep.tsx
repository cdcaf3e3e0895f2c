/** Step 4: download, a preview of the synthetic rows, the privacy report and the (non-DP) evaluation. */
import { useEffect, useId, useState } from "react";
import { api, links, type JobPublic } from "../api/client";
import { parseCsv } from "../lib/csv";
import { formatDuration, formatNumber, secondsBetween } from "../lib/format";
import { methodLabel } from "../lib/stages";
import { MarginalChart, PairHeatmap, type MarginalPlot, type PairScore } from "./Charts";
import { ErrorAlert } from "./ErrorAlert";

interface Props {
  job: JobPublic;
  onRerun: () => void;
  onNew: () => void;
}

export function ResultsStep({ job, onRerun, onNew }: Props) {
  const ids = useId();
  const duration = secondsBetween(job.started_at ?? job.created_at, job.finished_at);
  const csv = job.artifacts.find((a) => a.kind === "synthetic_csv");
  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>4. Results</h2>
      <p>
        {methodLabel(job.method)}, ε = {formatNumber(Number(job.params.epsilon))}
        {duration !== null && `, finished in ${formatDuration(duration)}`}.
      </p>
      <div className="actions">
        <a className="button primary" href={links.download(job.job_id)} download>Download synthetic CSV</a>
        {csv && <span className="muted">{(csv.size_bytes / (1024 * 1024)).toFixed(1)} MB</span>}
        <button type="button" className="secondary" onClick={onRerun}>Re-run with changes</button>
        <button type="button" className="secondary" onClick={onNew}>New synthesis</button>
      </div>
      <Preview jobId={job.job_id} />
      <PrivacyReport job={job} />
      <Evaluation jobId={job.job_id} />
    </section>
  );
}

function Preview({ jobId }: { jobId: string }) {
  const [rows, setRows] = useState<string[][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.csvHead(jobId, 21).then(
      (text) => live && setRows(parseCsv(text).slice(0, 21)),
      (e) => live && setError(e instanceof Error ? e.message : "The preview could not be loaded."),
    );
    return () => {
      live = false;
    };
  }, [jobId]);
  const [header, ...body] = rows ?? [];
  return (
    <section className="panel">
      <h3>Preview</h3>
      {error && <ErrorAlert message={error} />}
      {!rows && !error && <p className="muted" role="status">Loading the first rows…</p>}
      {header && (
        <div className="table-wrap preview">
          <table aria-label="Synthetic preview">
            <thead>
              <tr>{header.map((h, i) => <th scope="col" key={i}>{h}</th>)}</tr>
            </thead>
            <tbody>
              {body.map((r, i) => (
                <tr key={i}>{header.map((_, j) => <td key={j}>{r[j] ?? ""}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {header && <p className="muted">The first {body.length} synthetic rows.</p>}
    </section>
  );
}

interface ReportColumn {
  name: string;
  kind?: string;
  provenance?: string;
  binning?: string | null;
}

interface PrivacyReportData {
  epsilon?: number;
  delta?: number;
  rho?: number;
  rho_spent?: number;
  spent_by_stage?: Record<string, number>;
  columns?: ReportColumn[];
  non_dp_columns?: string[];
  rows?: number;
}

const STAGE_WORDS: Record<string, string> = {
  "privsyn:one-way": "single-column counts",
  "privsyn:select": "choosing pairs (InDif)",
  "privsyn:measure": "measuring marginals",
  "aim:init": "single-column counts",
  "aim:select": "choosing marginals",
  "aim:measure": "measuring marginals",
  "mst:one-way": "single-column counts",
  "mst:select": "choosing the tree",
  "mst:measure": "measuring pairs",
  "preprocess:binning": "DP binning",
};

export function PrivacyReport({ job }: { job: JobPublic }) {
  const report = (job.privacy_report ?? null) as PrivacyReportData | null;
  if (!report) {
    return (
      <section className="panel">
        <h3>Privacy report</h3>
        <p className="muted">This run has no privacy report.</p>
      </section>
    );
  }
  const stages = Object.entries(report.spent_by_stage ?? {});
  const total = report.rho ?? stages.reduce((s, [, v]) => s + v, 0);
  const nonDp = report.non_dp_columns ?? [];
  return (
    <section className="panel">
      <h3>Privacy report</h3>
      <dl className="facts">
        <div><dt>ε (epsilon)</dt><dd>{formatNumber(report.epsilon)}</dd></div>
        <div><dt>δ (delta)</dt><dd>{formatNumber(report.delta)}</dd></div>
        <div><dt>ρ (zCDP budget)</dt><dd>{formatNumber(report.rho, 4)}</dd></div>
        <div><dt>ρ spent</dt><dd>{formatNumber(report.rho_spent, 4)}</dd></div>
      </dl>
      <p className="help">
        The run satisfies (ε, δ)-differential privacy through ρ-zero-concentrated DP. The budget was spent as follows.
      </p>
      <table aria-label="Budget by stage" className="budget">
        <thead><tr><th scope="col">Stage</th><th scope="col">ρ</th><th scope="col">Share</th></tr></thead>
        <tbody>
          {stages.map(([stage, rho]) => {
            const share = total > 0 ? rho / total : 0;
            return (
              <tr key={stage}>
                <td>{stage}{STAGE_WORDS[stage] && <span className="muted"> — {STAGE_WORDS[stage]}</span>}</td>
                <td>{formatNumber(rho, 4)}</td>
                <td>
                  <span className="bar" aria-hidden="true"><span style={{ width: `${Math.round(share * 100)}%` }} /></span>
                  {Math.round(share * 100)}%
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {nonDp.length > 0 ? (
        <div className="warning-box">
          <p>
            <strong>Not covered by differential privacy:</strong> the bounds or categories of these {nonDp.length} column(s) were
            read off the private data and accepted as they were. The guarantee covers the synthetic rows, not these domain choices.
          </p>
          <ul className="non-dp" aria-label="Columns with values from the data (not DP)">
            {nonDp.map((c) => <li key={c}>{c}</li>)}
          </ul>
        </div>
      ) : (
        <p className="notice">Every column's bounds and categories are public or were derived with DP.</p>
      )}
      {report.columns && report.columns.length > 0 && (
        <details>
          <summary>Provenance of each column ({report.columns.length})</summary>
          <table aria-label="Column provenance">
            <thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Provenance</th><th scope="col">Binning</th></tr></thead>
            <tbody>
              {report.columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.kind ?? "—"}</td>
                  <td>{c.provenance === "data" ? <span className="badge badge-data">from data (not DP)</span> : c.provenance ?? "—"}</td>
                  <td>{c.binning ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}

interface WayFigure {
  way: number;
  mean: number;
  worst?: number;
  count?: number;
  sampled?: boolean;
}

interface EvalColumn {
  name: string;
  kind?: string;
  tvd?: number;
  pair_tvd?: number | null;
  score?: number;
  missing_real?: number;
  missing_synth?: number;
  coverage?: number | null;
  out_of_domain?: number;
}

export interface EvaluationResults {
  rows_real?: number;
  rows_synth?: number;
  marginals?: WayFigure[];
  baseline?: WayFigure[];
  columns?: EvalColumn[];
  pairs?: PairScore[];
  plots?: MarginalPlot[];
  pearson_diff?: number | null;
  cramers_v_diff?: number | null;
  label?: string;
}

const HEATMAP_COLUMNS = 15;

export function Evaluation({ jobId }: { jobId: string }) {
  const [results, setResults] = useState<EvaluationResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.evaluate(jobId).then(
      (reply) => live && setResults(reply.results as EvaluationResults),
      (e) => live && setError(e instanceof Error ? e.message : "The evaluation could not be computed."),
    );
    return () => {
      live = false;
    };
  }, [jobId]);
  return (
    <section className="panel">
      <h3>Evaluation</h3>
      <p className="help">
        How close the synthetic data is to the real data. This comparison reads the real data: it is not differentially
        private and is for you only — do not publish these figures.
      </p>
      <p><a href={links.report(jobId)} target="_blank" rel="noopener" download={`evaluation_${jobId}.html`}>Download HTML report</a></p>
      {error && <ErrorAlert message={error} />}
      {!results && !error && <p className="muted" role="status">Comparing the synthetic data with the real data…</p>}
      {results && <EvaluationBody results={results} />}
    </section>
  );
}

export function EvaluationBody({ results }: { results: EvaluationResults }) {
  const baseline = new Map((results.baseline ?? []).map((b) => [b.way, b]));
  const worst = (results.columns ?? []).slice(0, HEATMAP_COLUMNS).map((c) => c.name);
  return (
    <>
      <table aria-label="Marginal TVD" className="summary">
        <caption className="help">Total variation distance (0 = identical, 1 = disjoint); lower is better. The baseline draws each column independently.</caption>
        <thead>
          <tr><th scope="col">Marginals</th><th scope="col">Synthetic, mean</th><th scope="col">Synthetic, worst</th><th scope="col">Independent baseline, mean</th></tr>
        </thead>
        <tbody>
          {(results.marginals ?? []).map((m) => (
            <tr key={m.way}>
              <td>{m.way}-way{m.sampled ? " (sampled)" : ""}</td>
              <td>{formatNumber(m.mean)}</td>
              <td>{formatNumber(m.worst)}</td>
              <td>{formatNumber(baseline.get(m.way)?.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {results.rows_real?.toLocaleString("en-US")} real rows, {results.rows_synth?.toLocaleString("en-US")} synthetic rows.
        {results.pearson_diff != null && ` Mean |Δ Pearson r| ${formatNumber(results.pearson_diff)}.`}
        {results.cramers_v_diff != null && ` Mean |Δ Cramér's V| ${formatNumber(results.cramers_v_diff)}.`}
      </p>
      <h4>The worst columns: real vs synthetic</h4>
      <div className="charts">
        {(results.plots ?? []).map((p) => <MarginalChart key={p.column} plot={p} />)}
      </div>
      {worst.length > 1 && (
        <>
          <h4>Pairs among the {worst.length} worst columns</h4>
          <PairHeatmap columns={worst} pairs={results.pairs ?? []} />
        </>
      )}
      {results.columns && results.columns.length > 0 && (
        <details>
          <summary>All columns, worst first ({results.columns.length})</summary>
          <table aria-label="Column scores">
            <thead>
              <tr><th scope="col">Column</th><th scope="col">1-way TVD</th><th scope="col">Mean pair TVD</th><th scope="col">Missing real / synthetic</th><th scope="col">Category coverage</th><th scope="col">Out of domain</th></tr>
            </thead>
            <tbody>
              {results.columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{formatNumber(c.tvd)}</td>
                  <td>{formatNumber(c.pair_tvd ?? null)}</td>
                  <td>{formatNumber((c.missing_real ?? 0) * 100, 2)}% / {formatNumber((c.missing_synth ?? 0) * 100, 2)}%</td>
                  <td>{c.coverage == null ? "—" : `${Math.round(c.coverage * 100)}%`}</td>
                  <td>{c.out_of_domain ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

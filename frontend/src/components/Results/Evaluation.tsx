/** The non-DP evaluation (`POST /evaluate`): k-way TVD vs the baseline, the worst columns' marginals, pairs. */
import { useEffect, useState } from "react";
import { api, links, type EvaluatePublic } from "../../api/client";
import { formatNumber } from "../../lib/format";
import { ErrorAlert } from "../ui/ErrorAlert";
import { MarginalChart, PairHeatmap } from "./Charts";

/** The comparison `POST /evaluate` answers (the service's `ComparisonPublic`). */
export type EvaluationResults = EvaluatePublic["results"];

const HEATMAP_COLUMNS = 15;

export function Evaluation({ jobId }: { jobId: string }) {
  const [results, setResults] = useState<EvaluationResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.evaluate(jobId).then(
      (reply) => live && setResults(reply.results),
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

/**
 * The non-DP evaluation (`POST /evaluate`), the same content as the HTML report: run card, verdict (score,
 * independent baseline, warnings worst first), fidelity on the real values, utility for a chosen target,
 * and the empirical disclosure checks. The privacy section is the job's privacy report, shown above it.
 */
import { useEffect, useId, useState } from "react";
import { api, links, type EvaluatePublic } from "../../api/client";
import { formatNumber } from "../../lib/format";
import { ErrorAlert } from "../ui/ErrorAlert";
import { MarginalChart, PairHeatmap } from "./Charts";

/** The report `POST /evaluate` answers (the service's `EvaluationReport`). */
export type EvaluationResults = EvaluatePublic["results"];

const HEATMAP_COLUMNS = 15;
const SEVERITY: Record<number, string> = { 3: "high", 2: "medium", 1: "low" };

const pct = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;

export function Evaluation({ jobId }: { jobId: string }) {
  const ids = useId();
  const [target, setTarget] = useState("");
  const [results, setResults] = useState<EvaluationResults | null>(null);
  const [targets, setTargets] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setResults(null);
    setError(null);
    api.evaluate(jobId, target).then(
      (reply) => {
        if (!live) return;
        setResults(reply.results);
        setTargets(reply.results.targets ?? []);
      },
      (e) => live && setError(e instanceof Error ? e.message : "The evaluation could not be computed."),
    );
    return () => {
      live = false;
    };
  }, [jobId, target]);
  return (
    <section className="panel" aria-labelledby={`${ids}-h`}>
      <h3 id={`${ids}-h`}>Evaluation</h3>
      <p className="warning-box">
        How close the synthetic data is to the real data. This evaluation reads the real data: it is not differentially
        private and is for you, the data owner, only — do not publish these figures. Only the privacy report above
        describes the private release.
      </p>
      <div className="actions">
        <label htmlFor={`${ids}-target`}>Target column for the utility check</label>
        <select id={`${ids}-target`} value={target} onChange={(e) => setTarget(e.target.value)} disabled={!targets.length}>
          <option value="">none</option>
          {targets.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <a href={links.report(jobId, target)} target="_blank" rel="noopener" download={`evaluation_${jobId}.html`}>Download HTML report</a>
      </div>
      {error && <ErrorAlert message={error} />}
      {!results && !error && <p className="muted" role="status">Comparing the synthetic data with the real data…</p>}
      {results && <EvaluationBody results={results} />}
    </section>
  );
}

export function EvaluationBody({ results }: { results: EvaluationResults }) {
  return (
    <>
      <RunCard card={results.card} />
      <Verdict verdict={results.verdict} />
      <Fidelity fidelity={results.fidelity} />
      <Utility utility={results.utility ?? null} />
      <Disclosure disclosure={results.disclosure} />
    </>
  );
}

function RunCard({ card }: { card: EvaluationResults["card"] }) {
  const rows: [string, string][] = [
    ["Data set", card.dataset],
    ["Real table", `${card.rows.toLocaleString("en-US")} rows × ${card.columns} columns`],
    ["Synthetic table", `${card.rows_synth.toLocaleString("en-US")} rows`],
    ["Method", card.method ?? "unknown"],
    ["ε / δ / ρ", `${formatNumber(card.epsilon ?? null)} / ${formatNumber(card.delta ?? null)} / ${formatNumber(card.rho ?? null)}`],
    ["Randomness", card.randomness],
    ["Run", card.run_at ?? "unknown"],
    ["Evaluated", card.evaluated_at],
    ["Service version", card.version],
  ];
  return (
    <div className="table-wrap"><table aria-label="Run card" className="summary">
      <caption className="help">Run card</caption>
      <tbody>{rows.map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>)}</tbody>
    </table></div>
  );
}

function Verdict({ verdict }: { verdict: EvaluationResults["verdict"] }) {
  return (
    <>
      <h4>Verdict</h4>
      <p className="verdict">
        <strong className="score">{verdict.overall.toFixed(1)}%</strong> overall quality
        <span className="muted"> — sampling each column independently scores {verdict.baseline_overall.toFixed(1)}%</span>
      </p>
      <p className="help">
        Column shapes {verdict.column_shapes.toFixed(1)}% (baseline {verdict.baseline_column_shapes.toFixed(1)}%)
        {verdict.pair_trends != null && `, pair trends ${verdict.pair_trends.toFixed(1)}% (baseline ${formatNumber(verdict.baseline_pair_trends ?? null, 3)}%)`}.
        100% means the same distributions; a useful synthesizer beats the baseline.
      </p>
      <ul aria-label="Warnings, worst first" className="warnings">
        {verdict.warnings.length === 0 && <li>No warnings.</li>}
        {verdict.warnings.map((w, i) => (
          <li key={`${w.code}-${w.subject}-${i}`} className={`severity-${SEVERITY[w.severity] ?? "low"}`}>
            <strong>{SEVERITY[w.severity] ?? "low"}:</strong> {w.message}
          </li>
        ))}
      </ul>
    </>
  );
}

function Fidelity({ fidelity }: { fidelity: EvaluationResults["fidelity"] }) {
  const baseline = new Map(fidelity.baseline.map((b) => [b.way, b]));
  const worst = fidelity.columns.slice(0, HEATMAP_COLUMNS).map((c) => c.name);
  return (
    <>
      <h4>Fidelity on the real values</h4>
      <div className="table-wrap"><table aria-label="Marginal TVD" className="summary">
        <caption className="help">Total variation distance on cells computed from the real values (0 = identical, 1 = disjoint); lower is better.</caption>
        <thead>
          <tr><th scope="col">Marginals</th><th scope="col">Synthetic, mean</th><th scope="col">Synthetic, worst</th><th scope="col">Independent baseline, mean</th></tr>
        </thead>
        <tbody>
          {fidelity.marginals.map((m) => (
            <tr key={m.way}>
              <td>{m.way}-way{m.sampled ? " (sampled)" : ""}</td>
              <td>{formatNumber(m.mean)}</td>
              <td>{formatNumber(m.worst)}</td>
              <td>{formatNumber(baseline.get(m.way)?.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
      <p className="muted">
        {fidelity.rows_real.toLocaleString("en-US")} real rows, {fidelity.rows_synth.toLocaleString("en-US")} synthetic rows.
        {fidelity.pearson_diff != null && ` Mean |Δ Pearson r| ${formatNumber(fidelity.pearson_diff)}.`}
        {fidelity.cramers_v_diff != null && ` Mean |Δ Cramér's V| ${formatNumber(fidelity.cramers_v_diff)}.`}
      </p>
      <h4>The worst columns: real vs synthetic</h4>
      <div className="charts">
        {fidelity.plots.map((p) => <MarginalChart key={p.column} plot={p} />)}
      </div>
      {worst.length > 1 && (
        <>
          <h4>Pairs among the {worst.length} worst columns</h4>
          <PairHeatmap columns={worst} pairs={fidelity.pairs} />
        </>
      )}
      {fidelity.columns.length > 0 && (
        <details>
          <summary>All columns, worst shape first ({fidelity.columns.length})</summary>
          <div className="table-wrap"><table aria-label="Column checks">
            <thead>
              <tr><th scope="col">Column</th><th scope="col">Shape</th><th scope="col">TVD</th><th scope="col">KS</th><th scope="col">Mean pair TVD</th><th scope="col">Missing real / synthetic</th><th scope="col">Real cells covered</th><th scope="col">Out of domain</th></tr>
            </thead>
            <tbody>
              {fidelity.columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{pct(c.shape, 0)}</td>
                  <td>{formatNumber(c.tvd)}</td>
                  <td>{formatNumber(c.ks ?? null)}</td>
                  <td>{formatNumber(c.pair_tvd ?? null)}</td>
                  <td>{pct(c.missing_real)} / {pct(c.missing_synth)}</td>
                  <td>{pct(c.coverage ?? null, 0)}</td>
                  <td>{c.out_of_domain.toLocaleString("en-US")} ({pct(c.out_of_domain_share)})</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </details>
      )}
    </>
  );
}

function Utility({ utility }: { utility: EvaluationResults["utility"] | null }) {
  if (!utility) {
    return (
      <>
        <h4>Utility</h4>
        <p className="help">Pick a target column above to compare a model trained on the synthetic data with one trained on the real data.</p>
      </>
    );
  }
  const classification = utility.task === "classification";
  return (
    <>
      <h4>Utility: predicting {utility.target}</h4>
      <div className="table-wrap"><table aria-label="Utility" className="summary">
        <caption className="help">{utility.model}; both models are tested on {utility.test_rows.toLocaleString("en-US")} held-out real rows.</caption>
        <thead>
          <tr><th scope="col">Trained on</th>{classification ? <><th scope="col">Accuracy</th><th scope="col">Macro F1</th></> : <th scope="col">R²</th>}</tr>
        </thead>
        <tbody>
          {([["real (TRTR)", utility.real_model], ["synthetic (TSTR)", utility.synth_model]] as const).map(([label, m]) => (
            <tr key={label}>
              <td>{label}</td>
              {classification ? <><td>{formatNumber(m.accuracy ?? null)}</td><td>{formatNumber(m.f1 ?? null)}</td></> : <td>{formatNumber(m.r2 ?? null)}</td>}
            </tr>
          ))}
          {classification && <tr><td>always the majority class</td><td>{formatNumber(utility.majority_accuracy ?? null)}</td><td>—</td></tr>}
        </tbody>
      </table></div>
      <p className="help">{utility.note}</p>
    </>
  );
}

function Disclosure({ disclosure: d }: { disclosure: EvaluationResults["disclosure"] }) {
  return (
    <>
      <h4>Disclosure checks (empirical, not a DP claim)</h4>
      <p className="help">{d.note}</p>
      <div className="table-wrap"><table aria-label="Disclosure checks" className="summary">
        <thead><tr><th scope="col">Check</th><th scope="col">Synthetic</th><th scope="col">For scale</th></tr></thead>
        <tbody>
          <tr><td>Rows copying a real row exactly</td><td>{pct(d.exact_copy_rate, 2)}</td><td>{pct(d.holdout_copy_rate, 2)} of held-out real rows copy a reference row</td></tr>
          <tr><td>Unique real rows reproduced</td><td>{pct(d.unique_real_reproduced, 2)}</td><td>of {d.unique_real_rows.toLocaleString("en-US")}</td></tr>
          <tr><td>Median distance to the closest real record</td><td>{formatNumber(d.dcr_synth_median)}</td><td>{formatNumber(d.dcr_holdout_median)} for held-out real rows</td></tr>
          <tr><td>P(synthetic row closer than a held-out row)</td><td>{pct(d.closer_than_holdout)}</td><td>50% if no closer than fresh real rows</td></tr>
        </tbody>
      </table></div>
    </>
  );
}

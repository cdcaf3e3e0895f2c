/** The privacy report of a run: ε, δ, ρ, the budget by stage, and which columns were not covered by DP. */
import type { JobPublic } from "../../api/client";
import { formatNumber } from "../../lib/format";

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
  const report = job.privacy_report;
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
      {report.randomness && <p className={report.seeded ? "warning-box" : "help"}>Randomness: {report.randomness}.</p>}
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

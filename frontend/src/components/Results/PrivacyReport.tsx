/**
 * The privacy report of a run: its one-line summary, the domain mode in plain words, the declared columns,
 * ε, δ, ρ, the budget by stage, every structural decision with its source (declared / DP / public default),
 * the dataset's odometer (all runs on the same preview), and columns not covered by DP if any.
 */
import type { JobPublic } from "../../api/client";
import { formatNumber } from "../../lib/format";

type Report = NonNullable<JobPublic["privacy_report"]>;
type Decision = Report["decisions"][number];
type DatasetBudget = NonNullable<Report["dataset"]>;

const SOURCE_WORDS: Record<Decision["source"], string> = {
  declared: "declared by you",
  dp: "derived with DP",
  default: "public default",
};

/** A decision's value, short enough for a table cell (long category lists are cut). */
export function shortValue(value: unknown, limit = 60): string {
  let text: string;
  if (value === null || value === undefined) text = "—";
  else if (value === "") text = "(empty)";
  else if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
    text = value.length > 5 ? `${shown}, … (${value.length} in all)` : `[${shown}]`;
  } else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** "this dataset: 3 runs, cumulative ε = 2.9 at δ = 1e-9". */
export function odometerText(budget: DatasetBudget): string {
  const runs = `${budget.jobs} run${budget.jobs === 1 ? "" : "s"}`;
  return `This dataset: ${runs}, cumulative ε = ${formatNumber(budget.epsilon)} at δ = ${formatNumber(budget.delta)}`;
}

function modeWords(report: Report): string {
  const declared = report.declared_columns ?? [];
  if (report.domain_mode === "as_confirmed") {
    return "As confirmed: the whole schema is your public declaration; the domain (kinds, categories, bounds, formats) is released as you declared it.";
  }
  if (declared.length === 0) {
    return "DP domain: nothing was declared public; every column's domain was discovered with DP.";
  }
  return `DP domain: ${declared.length} column(s) declared public, used as you wrote them; every other column's domain was discovered with DP.`;
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
  "domain:structure": "DP discovery: kinds, nullable, whole numbers",
  "domain:datetime_format": "DP discovery: date formats",
  "domain:categories": "DP discovery: category lists",
  "domain:bounds": "DP discovery: bounds",
  "domain:decimals": "DP discovery: decimals",
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
  const declared = report.declared_columns ?? [];
  const decisions = report.decisions ?? [];
  const budget = report.dataset ?? job.dataset_budget ?? null;
  return (
    <section className="panel" aria-label="Privacy report">
      <h3>Privacy report</h3>
      {report.summary && <p className="privacy-summary" data-testid="privacy-summary">{report.summary}</p>}
      <p data-testid="domain-mode"><strong>Domain:</strong> {modeWords(report)}</p>
      {declared.length > 0 && (
        <details open={declared.length <= 10}>
          <summary><strong>Declared public by you</strong> ({declared.length} column{declared.length === 1 ? "" : "s"})</summary>
          <ul className="declared" aria-label="Columns declared public">
            {declared.map((c) => <li key={c}>{c}</li>)}
          </ul>
        </details>
      )}
      {budget && <p className="notice" data-testid="dataset-budget">{odometerText(budget)} (this run included).</p>}
      <dl className="facts">
        <div><dt>ε (epsilon)</dt><dd>{formatNumber(report.epsilon)}</dd></div>
        <div><dt>δ (delta)</dt><dd>{formatNumber(report.delta)}</dd></div>
      </dl>
      <p className="help">
        (ε, δ)-differential privacy: adding or removing any one person's record changes the chance of any release by at
        most a factor e^ε, except with probability δ.
      </p>
      {report.randomness && <p className={report.seeded ? "warning-box" : "help"}>Randomness: {report.randomness}.</p>}
      <details className="accounting">
        <summary>How the budget was spent (accounting in ρ-zCDP)</summary>
      <dl className="facts">
        <div><dt>ρ (zCDP budget)</dt><dd>{formatNumber(report.rho, 4)}</dd></div>
        <div><dt>ρ spent</dt><dd>{formatNumber(report.rho_spent, 4)}</dd></div>
      </dl>
      <p className="help">
        The budget is accounted in ρ-zero-concentrated DP, which composes tightly, and converted to the (ε, δ) above.
      </p>
      <div className="table-wrap"><table aria-label="Budget by stage" className="budget">
        <thead><tr><th scope="col">Stage</th><th scope="col">ρ</th><th scope="col">Share</th></tr></thead>
        <tbody>
          {stages.map(([stage, rho]) => {
            const share = total > 0 ? rho / total : 0;
            return (
              <tr key={stage}>
                <td>{STAGE_WORDS[stage] ?? stage}{STAGE_WORDS[stage] && <span className="muted"> ({stage})</span>}</td>
                <td>{formatNumber(rho, 4)}</td>
                <td>
                  <span className="bar" aria-hidden="true"><span style={{ width: `${Math.round(share * 100)}%` }} /></span>
                  {Math.round(share * 100)}%
                </td>
              </tr>
            );
          })}
        </tbody>
      </table></div>
      </details>
      {nonDp.length > 0 && (
        <div className="warning-box">
          <p>
            <strong>Not covered by differential privacy:</strong> the bounds or categories of these {nonDp.length} column(s) were
            read off the private data without DP, so the release is not DP with respect to them.
          </p>
          <ul className="non-dp" aria-label="Columns with values from the data (not DP)">
            {nonDp.map((c) => <li key={c}>{c}</li>)}
          </ul>
        </div>
      )}
      {decisions.length > 0 && (
        <details>
          <summary>Decisions and their sources ({decisions.length})</summary>
          <div className="table-wrap"><table aria-label="Decisions" className="decisions">
            <thead>
              <tr><th scope="col">Column</th><th scope="col">Decision</th><th scope="col">Value</th><th scope="col">Source</th><th scope="col">ρ</th></tr>
            </thead>
            <tbody>
              {decisions.map((d, i) => (
                <tr key={`${d.column}-${d.decision}-${i}`}>
                  <td>{d.column || <span className="muted">(table)</span>}</td>
                  <td>{d.decision}</td>
                  <td title={typeof d.value === "string" ? d.value : JSON.stringify(d.value)}>{shortValue(d.value)}</td>
                  <td>
                    <span className={`badge ${d.source === "declared" ? "badge-public" : d.source === "dp" ? "badge-dp" : "badge-default"}`}>
                      {SOURCE_WORDS[d.source] ?? d.source}
                    </span>
                  </td>
                  <td>{d.rho > 0 ? formatNumber(d.rho, 3) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </details>
      )}
      {report.columns && report.columns.length > 0 && (
        <details>
          <summary>Provenance of each column ({report.columns.length})</summary>
          <div className="table-wrap"><table aria-label="Column provenance">
            <thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Provenance</th><th scope="col">Binning</th></tr></thead>
            <tbody>
              {report.columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.kind ?? "—"}</td>
                  <td>{PROVENANCE_WORDS[c.provenance] ?? c.provenance ?? "—"}</td>
                  <td>{c.binning ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </details>
      )}
    </section>
  );
}

const PROVENANCE_WORDS: Record<string, string> = {
  public: "declared public",
  dp: "derived with DP",
  data: "from data (not DP)",
};

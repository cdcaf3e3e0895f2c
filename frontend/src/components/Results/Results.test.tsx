import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../lib/csv";
import { columnResult, comparisonFixture, evaluationFixture, jobFixture, marginalScores, pairResult, privacyReportFixture } from "../../test/fixtures";
import { EvaluationBody } from "./Evaluation";
import { PrivacyReport } from "./PrivacyReport";

const fidelity = comparisonFixture({
  marginals: [marginalScores(1, 0.01, 0.02), marginalScores(2, 0.04, 0.2)],
  baseline: [marginalScores(1, 0.004), marginalScores(2, 0.08)],
  columns: [columnResult("age", 0.02, { out_of_domain: 12, out_of_domain_share: 0.12 }), columnResult("city", 0.01),
    columnResult("plan", 0.0)],
  pairs: [pairResult("age", "city", 0.05), pairResult("age", "plan", 0.02), pairResult("city", "plan", 0.01)],
  plots: [
    { column: "age", labels: ["17–30", "30–60", "60–90", "(missing)"], real: [0.3, 0.5, 0.2, 0], synth: [0.28, 0.52, 0.2, 0] },
    { column: "city", labels: ["Lyon", "Oslo"], real: [0.6, 0.4], synth: [0.5, 0.5] },
  ],
});
const results = evaluationFixture({ fidelity });

describe("results", () => {
  it("draws one real-vs-synthetic chart per plotted column and the pair heatmap", () => {
    render(<EvaluationBody results={results} />);
    expect(screen.getAllByTestId("marginal-chart")).toHaveLength(2);
    expect(screen.getByTestId("pair-heatmap")).toBeInTheDocument();
    expect(screen.getByTitle(/^city: .*distance 0\.100$/)).toBeInTheDocument();
    const summary = screen.getByRole("table", { name: "Marginal TVD" });
    expect(within(summary).getByRole("row", { name: /2-way 0\.04 0\.2 0\.08/ })).toBeInTheDocument();
    expect(within(screen.getByRole("table", { name: "Column checks" })).getByRole("row", { name: /age .* 12 \(12\.0%\)/ })).toBeInTheDocument();
  });

  it("shows the run card, the verdict with its baseline and the warnings worst first", () => {
    const warnings = [
      { severity: 3, code: "no_better_than_independent", subject: "table", message: "The synthetic data is no better than sampling each column independently.", size: 0.1 },
      { severity: 2, code: "lost_shape", subject: "age", message: "Column 'age' lost its shape.", size: 0.3 },
    ];
    render(<EvaluationBody results={evaluationFixture({ verdict: { ...results.verdict, warnings } })} />);
    const card = screen.getByRole("table", { name: "Run card" });
    expect(within(card).getByRole("row", { name: /Randomness fresh entropy/ })).toBeInTheDocument();
    expect(within(card).getByRole("row", { name: /Method privsyn/ })).toBeInTheDocument();
    expect(screen.getByText("96.5%")).toBeInTheDocument();
    expect(screen.getByText(/independently scores 94\.0%/)).toBeInTheDocument();
    const items = within(screen.getByRole("list", { name: "Warnings, worst first" })).getAllByRole("listitem");
    expect(items.map((li) => li.textContent)).toEqual([
      "high: The synthetic data is no better than sampling each column independently.",
      "medium: Column 'age' lost its shape.",
    ]);
    expect(screen.getByRole("table", { name: "Disclosure checks" })).toBeInTheDocument();
  });

  it("shows TSTR against TRTR once a target is chosen", () => {
    const utility = {
      target: "income", task: "classification", model: "scikit-learn HistGradientBoostingClassifier", metric: "accuracy",
      train_real_rows: 70, train_synth_rows: 100, test_rows: 30, trtr: 0.87, tstr: 0.85, gap: 0.02,
      real_model: { accuracy: 0.87, f1: 0.8, r2: null }, synth_model: { accuracy: 0.85, f1: 0.75, r2: null },
      majority_accuracy: 0.76, note: "Both models are tested on the same held-out real rows.",
    };
    render(<EvaluationBody results={evaluationFixture({ utility })} />);
    const table = screen.getByRole("table", { name: "Utility" });
    expect(within(table).getByRole("row", { name: "synthetic (TSTR) 0.85 0.75" })).toBeInTheDocument();
    expect(within(table).getByRole("row", { name: /majority class 0\.76/ })).toBeInTheDocument();
  });

  it("lists the budget by stage and the columns not covered by DP", () => {
    const job = jobFixture({
      status: "succeeded",
      privacy_report: privacyReportFixture({
        spent_by_stage: { "privsyn:one-way": 0.0015, "privsyn:measure": 0.0135 },
        columns: [{ name: "age", kind: "numerical", provenance: "public", binning: "uniform" },
          { name: "city", kind: "categorical", provenance: "data", binning: null }],
        non_dp_columns: ["city"],
      }),
    });
    render(<PrivacyReport job={job} />);
    expect(screen.getByRole("heading", { name: "Privacy report" })).toBeInTheDocument();
    expect(screen.getByText("1e-9")).toBeInTheDocument();
    expect(within(screen.getByRole("table", { name: "Budget by stage" })).getByRole("row", { name: /privsyn:measure.* 90%/ })).toBeInTheDocument();
    expect(within(screen.getByRole("list", { name: /not DP/ })).getByText("city")).toBeInTheDocument();
  });

  it("states the summary, the mode, the declared columns, the decisions with their sources and the dataset odometer", () => {
    const summary = "(ε = 1, δ = 1e-09)-DP end to end, except that 1 column(s) (age) use the schema you declared public.";
    const job = jobFixture({
      status: "succeeded",
      privacy_report: privacyReportFixture({
        summary,
        domain_mode: "dp",
        declared_columns: ["age"],
        decisions: [
          { column: "age", decision: "bounds", value: { min: 0, max: 120 }, source: "declared", rho: 0 },
          { column: "city", decision: "categories", value: ["Lyon", "Oslo", "Paris", "Rome", "Turin", "Ulm", "Wien"], source: "dp", rho: 0.0012 },
          { column: "", decision: "null_token", value: "", source: "default", rho: 0 },
        ],
        dataset: { dataset_id: "feedc0de", jobs: 3, rho: 0.045, epsilon: 2.9, delta: 1e-9 },
      }),
    });
    render(<PrivacyReport job={job} />);
    expect(screen.getByTestId("privacy-summary")).toHaveTextContent(summary);
    expect(screen.getByTestId("domain-mode")).toHaveTextContent(/DP domain: 1 column\(s\) declared public/);
    expect(within(screen.getByRole("list", { name: "Columns declared public" })).getByText("age")).toBeInTheDocument();
    const decisions = screen.getByRole("table", { name: "Decisions" });
    expect(within(decisions).getByRole("row", { name: /age bounds .*"max":120.* declared by you/ })).toBeInTheDocument();
    expect(within(decisions).getByRole("row", { name: /city categories Lyon, Oslo.*\(7 in all\) derived with DP 0\.0012/ })).toBeInTheDocument();
    expect(within(decisions).getByRole("row", { name: /\(table\) null_token \(empty\) public default/ })).toBeInTheDocument();
    expect(screen.getByTestId("dataset-budget")).toHaveTextContent("This dataset: 3 runs, cumulative ε = 2.9 at δ = 1e-9");
    expect(screen.queryByText(/Not covered by differential privacy/)).not.toBeInTheDocument();
    expect(screen.queryByText(/satisfies/)).not.toBeInTheDocument();
  });

  it("says in plain words that the domain is the user's declaration in the as-confirmed mode", () => {
    const job = jobFixture({
      status: "succeeded",
      dataset_budget: { dataset_id: "feedc0de", jobs: 1, rho: 0.015, epsilon: 1, delta: 1e-9 },
      privacy_report: privacyReportFixture({ domain_mode: "as_confirmed", declared_columns: ["age", "city"] }),
    });
    render(<PrivacyReport job={job} />);
    expect(screen.getByTestId("domain-mode")).toHaveTextContent(/As confirmed: the whole schema is your public declaration/);
    expect(screen.getByTestId("dataset-budget")).toHaveTextContent("This dataset: 1 run, cumulative ε = 1 at δ = 1e-9");
  });

  it("parses quoted CSV cells and drops a record cut off by a partial read", () => {
    expect(parseCsv('a,b\r\n"x, ""y""",2\n"multi\nline",3\n4,"unfinish')).toEqual([["a", "b"], ['x, "y"', "2"], ["multi\nline", "3"]]);
  });
});

import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../lib/csv";
import { columnResult, comparisonFixture, jobFixture, marginalScores, pairResult, privacyReportFixture } from "../../test/fixtures";
import { EvaluationBody } from "./Evaluation";
import { PrivacyReport } from "./PrivacyReport";

const results = comparisonFixture({
  marginals: [marginalScores(1, 0.01, 0.02), marginalScores(2, 0.04, 0.2)],
  baseline: [marginalScores(1, 0.004), marginalScores(2, 0.08)],
  columns: [columnResult("age", 0.02, 0.04), columnResult("city", 0.01, 0.03), columnResult("plan", 0.0, 0.01)],
  pairs: [pairResult("age", "city", 0.05), pairResult("age", "plan", 0.02), pairResult("city", "plan", 0.01)],
  plots: [
    { column: "age", labels: ["17–30", "30–60", "60–90", "(missing)"], real: [0.3, 0.5, 0.2, 0], synth: [0.28, 0.52, 0.2, 0] },
    { column: "city", labels: ["Lyon", "Oslo"], real: [0.6, 0.4], synth: [0.5, 0.5] },
  ],
});

describe("results", () => {
  it("draws one real-vs-synthetic chart per plotted column and the pair heatmap", () => {
    render(<EvaluationBody results={results} />);
    expect(screen.getAllByTestId("marginal-chart")).toHaveLength(2);
    expect(screen.getByTestId("pair-heatmap")).toBeInTheDocument();
    expect(screen.getByTitle(/^city: .*distance 0\.100$/)).toBeInTheDocument();
    const summary = screen.getByRole("table", { name: "Marginal TVD" });
    expect(within(summary).getByRole("row", { name: /2-way 0\.04 0\.2 0\.08/ })).toBeInTheDocument();
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

  it("parses quoted CSV cells and drops a record cut off by a partial read", () => {
    expect(parseCsv('a,b\r\n"x, ""y""",2\n"multi\nline",3\n4,"unfinish')).toEqual([["a", "b"], ['x, "y"', "2"], ["multi\nline", "3"]]);
  });
});

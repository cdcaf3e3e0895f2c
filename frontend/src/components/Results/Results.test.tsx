import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../lib/csv";
import { jobFixture, privacyReportFixture } from "../../test/fixtures";
import { EvaluationBody } from "./Evaluation";
import { PrivacyReport } from "./PrivacyReport";

const results = {
  rows_real: 100, rows_synth: 100,
  marginals: [{ way: 1, mean: 0.01, worst: 0.02 }, { way: 2, mean: 0.04, worst: 0.2 }],
  baseline: [{ way: 1, mean: 0.004 }, { way: 2, mean: 0.08 }],
  columns: [{ name: "age", tvd: 0.02, score: 0.04 }, { name: "city", tvd: 0.01, score: 0.03 }, { name: "plan", tvd: 0.0, score: 0.01 }],
  pairs: [{ a: "age", b: "city", tvd: 0.05 }, { a: "age", b: "plan", tvd: 0.02 }, { a: "city", b: "plan", tvd: 0.01 }],
  plots: [
    { column: "age", labels: ["17–30", "30–60", "60–90", "(missing)"], real: [0.3, 0.5, 0.2, 0], synth: [0.28, 0.52, 0.2, 0] },
    { column: "city", labels: ["Lyon", "Oslo"], real: [0.6, 0.4], synth: [0.5, 0.5] },
  ],
};

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

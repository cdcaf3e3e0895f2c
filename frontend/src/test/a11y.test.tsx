// Automated accessibility checks (axe-core) of each step as rendered in jsdom. Colour contrast needs a real
// layout engine, so it is left to the palette in styles.css (all text pairs are ≥ 4.5:1).
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MethodPublic } from "../api/client";
import { RunStep } from "../components/Jobs/RunStep";
import { MetadataEditor } from "../components/Metadata/MetadataEditor";
import { EvaluationBody } from "../components/Results/Evaluation";
import { PrivacyReport } from "../components/Results/PrivacyReport";
import { DataStep } from "../components/Upload/DataStep";
import { initialForm } from "../lib/runForm";
import { adultOrigin, columnResult, comparisonFixture, evaluationFixture, jobFixture, marginalScores, pairResult, privacyReportFixture } from "./fixtures";

async function violations(container: Element): Promise<string[]> {
  const result = await axe.run(container, { rules: { "color-contrast": { enabled: false }, region: { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

afterEach(() => vi.unstubAllGlobals());

const methods: MethodPublic[] = [
  { name: "privsyn", summary: "PrivSyn.", parameters: [{ name: "update_iterations", type: "int", default: 50, help: "GUM rounds" },
    { name: "refill_schedule", type: "str", default: "S6", choices: ["S1", "S6"], help: "schedule" },
    { name: "append_attributes", type: "bool", default: true, help: "append" }] },
  { name: "aim", summary: "AIM.", parameters: [] },
  { name: "mst", summary: "MST.", parameters: [] },
];

describe("accessibility", () => {
  it("the check itself catches an unlabelled input", async () => {
    const { container } = render(<div><input type="text" /></div>);
    expect((await violations(container)).join()).toMatch(/^label:/);
  });

  it("step 1 has no axe violations", async () => {
    const { container } = render(<DataStep form={{ ...initialForm(), epsilon: "20" }} onChange={() => undefined} methods={methods}
      whoami={null} notice="Settings filled in." onPreview={() => undefined} />);
    expect(await violations(container)).toEqual([]);
  });

  it("step 2 with an open editor has no axe violations", async () => {
    const origin = adultOrigin();
    const { container } = render(<MetadataEditor value={origin} origin={origin} onChange={() => undefined} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Edit workclass" }));
    expect(await violations(container)).toEqual([]);
  });

  it("step 3 and step 4 have no axe violations", async () => {
    vi.stubGlobal("fetch", vi.fn(() => new Promise(() => undefined)));
    const job = jobFixture({
      job_id: "j1", method: "aim", progress: { stage: "aim:round", fraction: 0.4, message: "" },
      privacy_report: privacyReportFixture({ method: "aim", rho: 0.01, rho_spent: 0.01, spent_by_stage: { "aim:init": 0.01 },
        columns: [{ name: "a", kind: "categorical", provenance: "data", binning: null }], non_dp_columns: ["a"] }),
    });
    const fidelity = comparisonFixture({
      marginals: [marginalScores(1, 0.01, 0.02)], baseline: [marginalScores(1, 0.02)],
      columns: [columnResult("a", 0.01), columnResult("b", 0.01)], pairs: [pairResult("a", "b", 0.1)],
      plots: [{ column: "a", labels: ["x", "y"], real: [0.5, 0.5], synth: [0.4, 0.6] }],
    });
    const results = evaluationFixture({ fidelity });
    const { container } = render(
      <>
        <RunStep initial={job} startedLocally={null} onSucceeded={() => undefined} onBackToReview={() => undefined} onTryAnotherMethod={() => undefined} />
        <PrivacyReport job={job} />
        <EvaluationBody results={results} />
      </>,
    );
    expect(await violations(container)).toEqual([]);
  });
});

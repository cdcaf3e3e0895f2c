/**
 * Replies shaped like the service's: schema payloads of `POST /synthesize` (taken from the Adult sample,
 * trimmed), jobs and privacy reports. Typed by the generated client, so a fixture that drifts from the
 * API fails the type check.
 */
import type { EvaluatePublic, JobPublic } from "../api/client";
import type { ColumnEntry, DomainData, InfoData, SchemaOrigin } from "../lib/schemaModel";

export type PrivacyReportPublic = NonNullable<JobPublic["privacy_report"]>;

/** A privacy report of a small PrivSyn run, with `patch` applied. */
export function privacyReportFixture(patch: Partial<PrivacyReportPublic> = {}): PrivacyReportPublic {
  return {
    method: "privsyn", epsilon: 1, delta: 1e-9, rho: 0.015, rho_spent: 0.015, spent_by_stage: {}, ledger: [],
    columns: [], non_dp_columns: [], seeded: false, randomness: "fresh entropy", rows: 100,
    domain_mode: "dp", declared_columns: [], decisions: [], threshold_delta: 5e-10, dataset: null,
    summary: "(ε = 1, δ = 1e-09)-DP end to end: every fact about the table in the release was derived with DP (10% of ρ) or is a public default.",
    ...patch,
  };
}

export type Evaluation = EvaluatePublic["results"];
export type Comparison = Evaluation["fidelity"];

/** Mean and worst TVD of the `way`-attribute marginals. */
export function marginalScores(way: number, mean: number, worst = mean): Comparison["marginals"][number] {
  return { way, mean, worst, count: 1, sampled: false };
}

/** One categorical column's checks with 1-way TVD `tvd` (no pairs, no missing values, nothing out of domain). */
export function columnResult(name: string, tvd: number, patch: Partial<Comparison["columns"][number]> = {}): Comparison["columns"][number] {
  return {
    name, kind: "categorical", encoding: "categories", cells: 4, distinct_real: 2, shape: 1 - tvd, tvd, ks: null,
    wasserstein: null, pair_tvd: null, missing_real: 0, missing_synth: 0, coverage: 1, out_of_domain: 0,
    out_of_domain_share: 0, out_of_domain_detail: { unseen: 0, out_of_range: 0, wrong_precision: 0, unparsed: 0 }, ...patch,
  };
}

/** A pair's 2-way TVD (Cramér's V not computed). */
export function pairResult(a: string, b: string, tvd: number): Comparison["pairs"][number] {
  return { a, b, tvd, v_real: null, v_synth: null, r_real: null, r_synth: null, trend: 1 - tvd };
}

/** The fidelity of 100 real and 100 synthetic rows, with `patch` applied. */
export function comparisonFixture(patch: Partial<Comparison> = {}): Comparison {
  const scores = { marginals: [], column_shapes: 0.98, pair_trends: 0.95 };
  return {
    rows_real: 100, rows_synth: 100, marginals: [], baseline: [], columns: [], pairs: [], pearson_diff: null,
    cramers_v_diff: null, plots: [], label: "non-DP evaluation, owner only", synthetic_scores: scores,
    baseline_scores: { ...scores, pair_trends: 0.9 }, ...patch,
  };
}

/** A whole evaluation report (run card, verdict, fidelity, no utility, disclosure), with `patch` applied. */
export function evaluationFixture(patch: Partial<Evaluation> = {}): Evaluation {
  return {
    card: {
      dataset: "adult.csv", rows: 100, columns: 3, rows_synth: 100, method: "privsyn", epsilon: 1, delta: 1e-9,
      rho: 0.0144, seed: null, randomness: "fresh entropy", version: "0.1.0", run_at: "2026-12-02T00:00:00+00:00",
      evaluated_at: "2026-12-02T00:01:00+00:00",
    },
    privacy: null,
    verdict: {
      overall: 96.5, column_shapes: 98, pair_trends: 95, baseline_overall: 94, baseline_column_shapes: 99.5,
      baseline_pair_trends: 90, summary: "Overall quality 96.5 %", warnings: [],
    },
    fidelity: comparisonFixture(),
    utility: null,
    disclosure: {
      exact_copy_rate: 0.001, exact_copies: 1, reference_copy_rate: 0.001, holdout_copy_rate: 0.002,
      unique_real_rows: 90, unique_real_reproduced: 0.0, dcr_synth_median: 0.2, dcr_holdout_median: 0.2,
      dcr_synth_zero: 0.01, dcr_holdout_zero: 0.01, closer_than_holdout: 0.5, queries: 50, reference_rows: 50,
      note: "Empirical checks on this one release, labelled as such: they are not a differential-privacy claim.",
    },
    seed: 0,
    label: "non-DP evaluation, owner only",
    targets: ["age", "city", "plan"],
    ...patch,
  };
}

/** A running PrivSyn job, with `patch` applied. */
export function jobFixture(patch: Partial<JobPublic> = {}): JobPublic {
  return {
    job_id: "abcdef0123456789", status: "running", method: "privsyn", params: { epsilon: 1 },
    progress: { stage: "privsyn:gum", fraction: 0.524, message: "" }, created_at: new Date().toISOString(), finished_at: null,
    status_url: "/jobs/abcdef0123456789", started_at: null, error: null, artifacts: [], ledger: [], privacy_report: null,
    backend: "local", submission: {}, session_available: true, download_url: "", session_id: "abcdef0123456789",
    dataset_budget: null,
    ...patch,
  };
}

const reason = (code: string, message: string) => ({ kind: "", reasons: [{ code, message }], switchable: false, missing: 0, unique: 10 });

export function adultOrigin(): SchemaOrigin {
  const domain: DomainData = {
    age: {
      type: "numerical", bounds: { min: 17, max: 90 }, numeric_summary: { min: 17, max: 90 },
      binning: { method: "uniform", bins: 32 }, size: 32, dtype: "int64", provenance: "data", integer: true, nullable: false,
    },
    workclass: {
      type: "categorical", categories: ["Federal-gov", "Local-gov", "Private", "State-gov"],
      categories_preview: ["Federal-gov", "Local-gov", "Private", "State-gov"],
      value_counts: { Private: 33906, "Local-gov": 3136, "State-gov": 1981, "Federal-gov": 1432 },
      categories_from_data: true, category_null_token: "<NA>", special_token: "__OTHER__", excluded_strategy: "map_to_special",
      dtype: "str", provenance: "data", nullable: true,
    },
    "educational-num": {
      type: "categorical", categories: [1, 2, 3, 4], value_counts: { "1": 10, "2": 20, "3": 30, "4": 40 },
      categories_from_data: true, special_token: "__OTHER__", excluded_strategy: "map_to_special",
      numeric_candidate_summary: { min: 1, max: 4 }, dtype: "int64", provenance: "data", integer: true,
    },
    "capital-gain": {
      type: "numerical", bounds: { min: 0, max: 99999 }, numeric_summary: { min: 0, max: 99999 },
      binning: { method: "exponential", bins: 32 }, size: 32, dtype: "int64", provenance: "data",
    },
  };
  const info: InfoData = {
    schema_version: 1, name: "adult", train_size: 48842,
    columns: ["id", "age", "workclass", "educational-num", "capital-gain"],
    excluded_columns: ["id"], domain_mode: "dp", declared_public: [],
    inference_report: {
      id: { ...reason("identifier_integer", "whole numbers, all distinct: looks like an identifier"), kind: "excluded" },
      age: { ...reason("integer_many_unique", "whole numbers with 74 distinct values: numerical"), kind: "numerical" },
      workclass: { ...reason("non_numeric", "text values (8 distinct): categorical"), kind: "categorical" },
      "educational-num": {
        ...reason("integer_unique_below_threshold", "whole numbers with only 16 distinct values (<= 20): treated as categories"),
        kind: "categorical", switchable: true,
      },
      "capital-gain": { ...reason("skewed_exponential_bins", "skewed values: exponential bins"), kind: "numerical" },
    },
    warnings: [],
  };
  return { domain, info };
}

/** A wide table: `n` columns alternating numerical and categorical. */
export function wideOrigin(n: number): SchemaOrigin {
  const domain: DomainData = {};
  const columns: string[] = [];
  const report: InfoData["inference_report"] = {};
  for (let i = 0; i < n; i += 1) {
    const name = `col_${String(i).padStart(3, "0")}_${i % 2 ? "cat" : "num"}`;
    columns.push(name);
    const entry: ColumnEntry = i % 2
      ? { type: "categorical", categories: ["a", "b", "c", `v${i}`], categories_from_data: true, provenance: "data" }
      : { type: "numerical", bounds: { min: 0, max: i + 1 }, numeric_summary: { min: 0, max: i + 1 }, binning: { method: "uniform", bins: 32 }, size: 32 };
    domain[name] = entry;
    report[name] = { kind: entry.type, reasons: [{ code: "x", message: `reason ${i}` }], switchable: false };
  }
  return {
    domain,
    info: { name: "wide", train_size: 1000, columns, excluded_columns: [], inference_report: report, domain_mode: "dp", declared_public: [] },
  };
}

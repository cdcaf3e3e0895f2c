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

export type Comparison = EvaluatePublic["results"];

/** Mean and worst TVD of the `way`-attribute marginals. */
export function marginalScores(way: number, mean: number, worst = mean): Comparison["marginals"][number] {
  return { way, mean, worst, count: 1, sampled: false };
}

/** One column's evaluation checks (no pairs, no missing values). */
export function columnResult(name: string, tvd: number, score = tvd): Comparison["columns"][number] {
  return { name, kind: "categorical", tvd, pair_tvd: null, score, missing_real: 0, missing_synth: 0, coverage: null, out_of_domain: 0 };
}

/** A pair's 2-way TVD (Cramér's V not computed). */
export function pairResult(a: string, b: string, tvd: number): Comparison["pairs"][number] {
  return { a, b, tvd, v_real: null, v_synth: null };
}

/** An evaluation of 100 real and 100 synthetic rows, with `patch` applied. */
export function comparisonFixture(patch: Partial<Comparison> = {}): Comparison {
  return {
    rows_real: 100, rows_synth: 100, marginals: [], baseline: [], columns: [], pairs: [], pearson_diff: null,
    cramers_v_diff: null, plots: [], label: "non-DP evaluation, owner only", ...patch,
  };
}

/** A running PrivSyn job, with `patch` applied. */
export function jobFixture(patch: Partial<JobPublic> = {}): JobPublic {
  return {
    job_id: "abcdef0123456789", status: "running", method: "privsyn", params: { epsilon: 1 },
    progress: { stage: "privsyn:gum", fraction: 0.524 }, created_at: new Date().toISOString(), finished_at: null,
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

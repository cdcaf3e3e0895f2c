/** Step 1's form: its state, defaults, validation and the run settings it describes. */
import type { DataSource, RunSettings } from "../api/client";
import { knobError, knobsToSend, presetValues, type KnobParam, type KnobValues, type PresetName } from "./presets";

export interface RunForm {
  source: DataSource | null;
  method: string;
  epsilon: string;
  delta: string;
  /** Empty = as many rows as the input. */
  rows: string;
  /** Minutes of wall clock for the run; empty = no limit. */
  timeLimit: string;
  preset: PresetName | null;
  /** Advanced knob values per method (kept when switching methods). */
  knobs: Record<string, KnobValues>;
}

export const DEFAULT_EPSILON = "1";
/** Much smaller than 1 / rows for any table this service accepts (the service uses the same default). */
export const DEFAULT_DELTA = "1e-9";
export const LARGE_EPSILON = 10;

export function initialForm(): RunForm {
  return { source: null, method: "privsyn", epsilon: DEFAULT_EPSILON, delta: DEFAULT_DELTA, rows: "", timeLimit: "", preset: "balanced", knobs: {} };
}

export type FormErrors = Partial<Record<"source" | "epsilon" | "delta" | "rows" | "timeLimit" | "knobs", string>>;

export function knobValuesFor(form: RunForm, params: KnobParam[]): KnobValues {
  return form.knobs[form.method] ?? presetValues(form.method, params, form.preset ?? "balanced");
}

export function validateForm(form: RunForm, params: KnobParam[], maxUploadBytes?: number): FormErrors {
  const errors: FormErrors = {};
  if (!form.source) errors.source = "Choose a CSV or ZIP file, or use the Adult sample.";
  else if (form.source.kind === "file" && maxUploadBytes && form.source.file.size > maxUploadBytes) {
    errors.source = tooLargeMessage(form.source.file.size, maxUploadBytes);
  }
  const epsilon = Number(form.epsilon);
  if (form.epsilon.trim() === "" || !Number.isFinite(epsilon) || epsilon <= 0) {
    errors.epsilon = "Epsilon must be a number greater than 0, for example 1.";
  }
  const delta = Number(form.delta);
  if (form.delta.trim() === "" || !Number.isFinite(delta) || delta <= 0 || delta >= 1) {
    errors.delta = "Delta must be a number between 0 and 1, for example 1e-9.";
  }
  if (form.rows.trim() !== "") {
    const rows = Number(form.rows);
    if (!Number.isInteger(rows) || rows < 1) errors.rows = "Rows to generate must be a whole number of at least 1, or empty.";
  }
  if (form.timeLimit.trim() !== "") {
    const minutes = Number(form.timeLimit);
    if (!Number.isFinite(minutes) || minutes <= 0) errors.timeLimit = "The time limit must be a number of minutes greater than 0, or empty.";
  }
  const values = knobValuesFor(form, params);
  const knob = params.map((p) => knobError(p, values[p.name])).find(Boolean);
  if (knob) errors.knobs = knob;
  return errors;
}

export function tooLargeMessage(size: number, limit: number): string {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
  return `This file is ${mb(size)}, but the service accepts files up to ${mb(limit)}. Upload a ZIP of the CSV, or fewer rows.`;
}

export function settingsOf(form: RunForm, params: KnobParam[]): RunSettings {
  return {
    method: form.method,
    epsilon: Number(form.epsilon),
    delta: Number(form.delta),
    rows: form.rows.trim() === "" ? null : Number(form.rows),
    timeBudgetSeconds: form.timeLimit.trim() === "" ? null : Number(form.timeLimit) * 60,
    knobs: knobsToSend(params, knobValuesFor(form, params)),
  };
}

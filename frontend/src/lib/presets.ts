/**
 * Method knobs: the parameter descriptions of `GET /methods`, the fast / balanced / best-quality presets
 * per method, and turning the advanced form's text into the `knobs` JSON the service takes.
 */
import type { MethodPublic } from "../api/client";
import type { components } from "../client/schema";

/** One knob as `GET /methods` describes it: type (`int`, `float`, `bool`, `str`), default, range or choices. */
export type KnobParam = components["schemas"]["MethodParameterPublic"];

export type PresetName = "fast" | "balanced" | "best";
export const PRESETS: { name: PresetName; label: string; description: string }[] = [
  { name: "fast", label: "Fast", description: "fewer iterations and smaller models: a first look in seconds" },
  { name: "balanced", label: "Balanced", description: "the method's published defaults" },
  { name: "best", label: "Best quality", description: "more iterations and larger models; slower" },
];

/** Knob overrides of each preset (balanced = the defaults). Knobs a method does not have are ignored. */
export const PRESET_KNOBS: Record<string, Record<PresetName, Record<string, unknown>>> = {
  privsyn: {
    fast: { update_iterations: 15, consist_iterations: 101 },
    balanced: {},
    best: { update_iterations: 200, consist_iterations: 1001 },
  },
  aim: {
    fast: { max_model_size: 20, max_iters: 300, round_iters: 100, degree: 2 },
    balanced: {},
    best: { max_model_size: 200, max_iters: 3000, round_iters: 500 },
  },
  mst: {
    fast: { iters: 300 },
    balanced: {},
    best: { iters: 3000 },
  },
};

/** Form values of the advanced section: text for numbers and choices, booleans for switches. */
export type KnobValues = Record<string, string | boolean>;

function toFormValue(param: KnobParam, value: unknown): string | boolean {
  if (param.type === "bool") return Boolean(value);
  return value === null || value === undefined ? "" : String(value);
}

export function presetValues(method: string, params: KnobParam[], preset: PresetName): KnobValues {
  const overrides = PRESET_KNOBS[method]?.[preset] ?? {};
  return Object.fromEntries(params.map((p) => [p.name, toFormValue(p, p.name in overrides ? overrides[p.name] : p.default)]));
}

/** The preset whose values equal `values`, or null when the user changed a knob by hand. */
export function matchingPreset(method: string, params: KnobParam[], values: KnobValues): PresetName | null {
  for (const { name } of PRESETS) {
    const expected = presetValues(method, params, name);
    if (params.every((p) => expected[p.name] === (values[p.name] ?? expected[p.name]))) return name;
  }
  return null;
}

/** A message for a knob's value, or undefined when it is valid. */
export function knobError(param: KnobParam, value: string | boolean | undefined): string | undefined {
  if (param.type === "bool" || param.type === "str" || typeof value === "boolean") return undefined;
  const text = (value ?? "").trim();
  if (text === "") return param.nullable ? undefined : `${param.name} needs a value.`;
  const number = Number(text);
  if (!Number.isFinite(number)) return `${param.name} must be a number.`;
  if (param.type === "int" && !Number.isInteger(number)) return `${param.name} must be a whole number.`;
  if (param.minimum !== undefined && number < param.minimum) return `${param.name} must be at least ${param.minimum}.`;
  if (param.exclusive_minimum !== undefined && number <= param.exclusive_minimum) {
    return `${param.name} must be greater than ${param.exclusive_minimum}.`;
  }
  if (param.maximum !== undefined && number > param.maximum) return `${param.name} must be at most ${param.maximum}.`;
  return undefined;
}

/** The knobs that differ from the method's defaults, typed for the service. */
export function knobsToSend(params: KnobParam[], values: KnobValues): Record<string, unknown> {
  const knobs: Record<string, unknown> = {};
  for (const param of params) {
    const raw = values[param.name];
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (param.type === "int" || param.type === "float") value = raw === "" ? null : Number(raw);
    if (value !== param.default) knobs[param.name] = value;
  }
  return knobs;
}

/** Form values from a job's stored knobs (for "re-run with changes"). */
export function valuesFromKnobs(params: KnobParam[], knobs: Record<string, unknown>): KnobValues {
  return Object.fromEntries(params.map((p) => [p.name, toFormValue(p, p.name in knobs ? knobs[p.name] : p.default)]));
}

/** Used when `/methods` cannot be read: the three methods, no knobs. */
export const FALLBACK_METHODS: MethodPublic[] = [
  { name: "privsyn", summary: "Selects dependent attribute pairs, measures them with noise and fits records to them.", parameters: [] },
  { name: "aim", summary: "Adaptively measures the marginals a workload needs most; slower, usually the most accurate.", parameters: [] },
  { name: "mst", summary: "Measures a maximum spanning tree of pairs; fast and predictable on large or wide tables.", parameters: [] },
];

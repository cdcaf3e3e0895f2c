/**
 * The reviewed schema: the `domain_data` / `info_data` payload of `POST /synthesize` (the CLI's schema file,
 * `{"domain_data", "info_data"}`, docs/data.md), the rows the review table shows, edits, validation,
 * provenance and import/export. Pure functions; the React editor only holds state and renders.
 *
 * The payload's types are the service's models (`web_app/api/schemas.py`), generated into
 * `src/client/schema.d.ts`; unknown fields are kept as they came.
 */
import type { components } from "../client/schema";

type Schemas = components["schemas"];
/** `domain_data[column]`. */
export type ColumnEntry = Schemas["ColumnEntry"];
export type DomainData = Schemas["DomainData"];
export type InfoData = Schemas["InfoData"];
/** `info_data.inference_report[column]`. */
export type ReportEntry = Schemas["ColumnReport"];
export type Bounds = Schemas["Bounds"];
/** A category value: its JSON type is kept (`1`, `"1"` and `true` differ). */
export type Scalar = NonNullable<ColumnEntry["categories"]>[number];
export type ColumnType = ColumnEntry["type"];
export const COLUMN_TYPES: readonly ColumnType[] = ["categorical", "numerical", "datetime"];
/** What the type select offers: the synthesizable types, plus leaving the column out. */
export type RowType = ColumnType | "excluded";
export const ROW_TYPES: readonly RowType[] = [...COLUMN_TYPES, "excluded"];
export const BINNINGS = ["uniform", "exponential", "privtree", "dawa"] as const;
export const DP_BINNINGS = ["privtree", "dawa"];
export const REMAP_STRATEGIES = ["map_to_special", "resample"] as const;
export const MAX_BINS = 100_000;

export interface SchemaState {
  domain: DomainData;
  info: InfoData;
}

/** The schema as the data gave it (the preview reply), kept to tell user values from data values. */
export interface SchemaOrigin {
  domain: DomainData;
  info: InfoData;
}

/** One line of the review table. */
export interface ColumnRow {
  name: string;
  type: RowType;
  inferredKind: string;
  reason: string;
  switchable: boolean;
  /** `data` (read off the private data, not DP), `public` (all values set by the user) or `dp` (DP binning). */
  provenance: "data" | "public";
  detail: string;
  binning: string;
  missing: number | null;
  unique: number | null;
}

// ---------------------------------------------------------------------------------------------- reading

export function rowType(state: SchemaState, name: string): RowType {
  if (state.info.excluded_columns.includes(name) || !state.domain[name]) return "excluded";
  return state.domain[name].type;
}

function normalise(value: Scalar): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  const text = value.trim();
  if (/^(true|false)$/i.test(text)) return text.toLowerCase();
  const number = Number(text);
  return text !== "" && Number.isFinite(number) ? String(number) : text;
}

function sameSet(a: Scalar[], b: Scalar[]): boolean {
  const left = new Set(a.map(normalise));
  const right = new Set(b.map(normalise));
  return left.size === right.size && [...left].every((v) => right.has(v));
}

/** Mirrors the service's rule (schema_confirm): `public` only when every data-derived value was replaced. */
export function provenanceOf(entry: ColumnEntry | undefined, origin: ColumnEntry | undefined): "data" | "public" {
  if (!entry) return "data";
  if (entry.type === "categorical") {
    const data = origin?.type === "categorical" ? origin.categories : undefined;
    if (!entry.categories) return "data";
    return data && sameSet(entry.categories, data) ? "data" : "public";
  }
  const bounds = entry.bounds;
  if (!bounds || bounds.min === null || bounds.max === null) return "data";
  const data = origin && origin.type === entry.type ? origin.numeric_summary ?? origin.bounds : undefined;
  if (!data) return "public";
  return String(bounds.min) === String(data.min) || String(bounds.max) === String(data.max) ? "data" : "public";
}

function shortList(values: Scalar[], limit = 6): string {
  const shown = values.slice(0, limit).map(String).join(", ");
  return values.length > limit ? `${shown}, … (${values.length} in all)` : shown;
}

export function buildRow(state: SchemaState, origin: SchemaOrigin, name: string): ColumnRow {
  const type = rowType(state, name);
  const entry = state.domain[name];
  const report = state.info.inference_report?.[name] ?? origin.info.inference_report?.[name] ?? {};
  const reason = (report.reasons ?? []).map((r) => r.message).join("; ");
  let detail = "";
  let binning = "";
  if (type === "excluded") detail = "left out of the synthetic data";
  else if (entry?.type === "categorical") {
    detail = entry.categories
      ? `${entry.categories.length} categories: ${shortList(entry.categories)}`
      : "categories: the data's values (on confirm)";
  } else if (entry) {
    detail = entry.bounds && entry.bounds.min !== null && entry.bounds.max !== null
      ? `${entry.bounds.min} to ${entry.bounds.max}`
      : "bounds: the data's min and max (on confirm)";
    binning = entry.binning ? `${entry.binning.method}, ${entry.binning.bins} bins` : "uniform, 32 bins";
  }
  return {
    name, type, reason, binning, detail,
    inferredKind: report.kind ?? "",
    switchable: Boolean(report.switchable),
    provenance: type === "excluded" ? "public" : provenanceOf(entry, origin.domain[name]),
    missing: typeof report.missing === "number" ? report.missing : null,
    unique: typeof report.unique === "number" ? report.unique : null,
  };
}

export function buildRows(state: SchemaState, origin: SchemaOrigin): ColumnRow[] {
  return state.info.columns.map((name) => buildRow(state, origin, name));
}

export function filterRows(rows: ColumnRow[], query: string, type: RowType | "all"): ColumnRow[] {
  const needle = query.trim().toLowerCase();
  return rows.filter((row) => (type === "all" || row.type === type) && (!needle || row.name.toLowerCase().includes(needle)));
}

// ---------------------------------------------------------------------------------------------- editing

/** The entry a column gets when its type is switched to `type` (the data's own entry when it had that type). */
export function entryForType(name: string, type: ColumnType, state: SchemaState, origin: SchemaOrigin): ColumnEntry {
  const current = state.domain[name];
  if (current && current.type === type) return current;
  const original = origin.domain[name];
  if (original && original.type === type) return original;
  if (type === "categorical") return { type, excluded_strategy: "map_to_special" };
  const candidate = current?.numeric_candidate_summary ?? original?.numeric_candidate_summary;
  const entry: ColumnEntry = { type, binning: { method: "uniform", bins: 32 }, size: 32 };
  if (type === "numerical" && candidate) entry.bounds = { ...candidate };
  return entry;
}

/** `names` switched to `type` (or excluded); other columns unchanged. */
export function setTypes(state: SchemaState, origin: SchemaOrigin, names: string[], type: RowType): SchemaState {
  const domain = { ...state.domain };
  const excluded = new Set(state.info.excluded_columns);
  for (const name of names) {
    if (type === "excluded") {
      excluded.add(name);
      continue;
    }
    excluded.delete(name);
    domain[name] = entryForType(name, type, state, origin);
  }
  const columns = state.info.columns;
  return {
    domain,
    info: { ...state.info, excluded_columns: columns.filter((c) => excluded.has(c)) },
  };
}

export function replaceEntry(state: SchemaState, name: string, entry: ColumnEntry): SchemaState {
  return { ...state, domain: { ...state.domain, [name]: entry } };
}

// ---------------------------------------------------------------------------------------------- the inline editor

/** What the inline editor's inputs hold (text, as typed). */
export interface Draft {
  type: ColumnType;
  min: string;
  max: string;
  bins: string;
  binning: string;
  categories: string;
  strategy: string;
}

export type DraftErrors = Partial<Record<"min" | "max" | "bins" | "binning" | "categories", string>>;

export function draftOf(entry: ColumnEntry): Draft {
  const bounds = entry.bounds ?? entry.numeric_summary;
  return {
    type: entry.type,
    min: bounds?.min === null || bounds?.min === undefined ? "" : String(bounds.min),
    max: bounds?.max === null || bounds?.max === undefined ? "" : String(bounds.max),
    bins: String(entry.binning?.bins ?? entry.size ?? 32),
    binning: entry.binning?.method ?? "uniform",
    categories: (entry.categories ?? []).map(String).join("\n"),
    strategy: entry.excluded_strategy ?? "map_to_special",
  };
}

export function categoryLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
}

function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** Messages per field; empty when the draft can be saved. */
export function validateDraft(draft: Draft): DraftErrors {
  const errors: DraftErrors = {};
  if (draft.type === "categorical") {
    const lines = categoryLines(draft.categories);
    if (lines.length === 0) errors.categories = "Enter at least one category, one per line.";
    else {
      const seen = new Set<string>();
      const duplicates: string[] = [];
      for (const line of lines) {
        const key = normalise(line);
        if (seen.has(key) && !duplicates.includes(line)) duplicates.push(line);
        seen.add(key);
      }
      if (duplicates.length) {
        errors.categories = `Each category may appear only once; repeated: ${duplicates.slice(0, 5).join(", ")}.`;
      }
    }
    return errors;
  }
  if (draft.type === "numerical") {
    const min = parseNumber(draft.min);
    const max = parseNumber(draft.max);
    if (min === null) errors.min = draft.min.trim() === "" ? "Enter a minimum." : "The minimum must be a number.";
    if (max === null) errors.max = draft.max.trim() === "" ? "Enter a maximum." : "The maximum must be a number.";
    if (min !== null && max !== null && min > max) {
      errors.max = `The maximum (${max}) must not be smaller than the minimum (${min}).`;
    }
  } else {
    if (!draft.min.trim()) errors.min = "Enter the earliest date.";
    if (!draft.max.trim()) errors.max = "Enter the latest date.";
    if (!errors.min && !errors.max && isoLike(draft.min) && isoLike(draft.max) && draft.min.trim() > draft.max.trim()) {
      errors.max = "The latest date must not be before the earliest date.";
    }
  }
  const bins = draft.bins.trim();
  if (!/^\d+$/.test(bins) || Number(bins) < 1 || Number(bins) > MAX_BINS) {
    errors.bins = `Bins must be a whole number from 1 to ${MAX_BINS.toLocaleString("en-US")}.`;
  }
  if (!(BINNINGS as readonly string[]).includes(draft.binning)) errors.binning = "Choose a binning method.";
  return errors;
}

function isoLike(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(text.trim());
}

/** The entry a valid draft describes, keeping the fields the editor does not show. */
export function applyDraft(entry: ColumnEntry, draft: Draft, origin: ColumnEntry | undefined): ColumnEntry {
  if (draft.type === "categorical") {
    const known = new Map<string, Scalar>();
    for (const value of [...(origin?.categories ?? []), ...(entry.categories ?? [])]) known.set(String(value), value);
    const categories = categoryLines(draft.categories).map((line) => known.get(line) ?? line);
    return {
      ...entry,
      categories,
      categories_preview: categories.slice(0, 20),
      categories_from_data: origin?.categories ? sameSet(categories, origin.categories) : false,
      excluded_strategy: draft.strategy,
    };
  }
  const bound = (text: string) => (draft.type === "numerical" ? Number(text.trim()) : text.trim());
  const bins = Number(draft.bins.trim());
  const { edges: _edges, ...binning } = entry.binning ?? { method: "uniform", bins };
  void _edges;
  return {
    ...entry,
    bounds: { min: bound(draft.min), max: bound(draft.max) },
    binning: { ...binning, method: draft.binning, bins },
    size: bins,
  };
}

// ---------------------------------------------------------------------------------------------- import / export

/** The CLI's schema file (`privsyn infer -o schema.json`). */
export function exportDocument(state: SchemaState): string {
  return `${JSON.stringify({ domain_data: state.domain, info_data: state.info }, null, 2)}\n`;
}

export class SchemaImportError extends Error {}

/**
 * A schema file read back into the review. Its columns must be the table's; missing `info_data` fields
 * are taken from the current review.
 *
 * @throws SchemaImportError with a sentence naming the problem.
 */
export function importDocument(text: string, current: SchemaState): SchemaState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SchemaImportError("The file is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new SchemaImportError("The file must hold a JSON object with \"domain_data\" and \"info_data\".");
  }
  const doc = parsed as { domain_data?: unknown; info_data?: unknown };
  if (!doc.domain_data || typeof doc.domain_data !== "object" || Array.isArray(doc.domain_data)) {
    throw new SchemaImportError("The file has no \"domain_data\" object; export a schema here or with `privsyn infer` to see the format.");
  }
  const info = doc.info_data ?? {};
  if (typeof info !== "object" || Array.isArray(info)) {
    throw new SchemaImportError("\"info_data\" must be a JSON object.");
  }
  const domain = doc.domain_data as Record<string, unknown>;
  const known = new Set(current.info.columns);
  const unknown = Object.keys(domain).filter((name) => !known.has(name));
  if (unknown.length) {
    throw new SchemaImportError(
      `The schema describes column(s) this table does not have: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}.`,
    );
  }
  for (const [name, entry] of Object.entries(domain)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      throw new SchemaImportError(`Column ${name}: its entry must be an object.`);
    }
    const type = (entry as { type?: unknown }).type;
    if (!COLUMN_TYPES.includes(type as ColumnType)) {
      throw new SchemaImportError(`Column ${name}: type ${JSON.stringify(type)} is not one of ${COLUMN_TYPES.join(", ")}.`);
    }
  }
  const infoObject = info as Partial<InfoData>;
  const excluded = Array.isArray(infoObject.excluded_columns)
    ? infoObject.excluded_columns.filter((c): c is string => typeof c === "string" && known.has(c))
    : current.info.columns.filter((c) => !(c in domain));
  return {
    domain: domain as DomainData,
    info: { ...current.info, ...infoObject, columns: current.info.columns, excluded_columns: excluded },
  };
}

/** The column a service error message names (`column 'age': …`), if any. */
export function columnOfMessage(message: string, columns: string[]): string | null {
  const match = /column\(?s?\)? (['"])(.*?)\1/i.exec(message);
  if (match && columns.includes(match[2])) return match[2];
  return null;
}

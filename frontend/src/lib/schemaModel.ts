/**
 * The reviewed schema: the `domain_data` / `info_data` payload of `POST /synthesize` (the CLI's schema file,
 * `{"domain_data", "info_data"}`, docs/data.md), the rows the review table shows, edits, validation,
 * declarations and import/export. Pure functions; the React editor only holds state and renders.
 *
 * Declarations (docs/privacy.md, "The guarantee, precisely"): the service uses a confirmed column's entry only
 * when the column is *declared public* — listed in `info_data.declared_public`, or every column when
 * `info_data.domain_mode` is `as_confirmed`. Anything else is discovered with DP at confirm and the entry is
 * only a suggestion. The draft declares nothing (`dp`, `[]`). Editing a value of a column declares it (the
 * user can undo that); nothing here guesses a declaration by comparing values with the draft.
 *
 * The payload's types are the service's models (`web_app/api/schemas.py`), generated into
 * `src/client/schema.d.ts`; unknown fields are kept as they came.
 */
import type { components } from "../client/schema";
import { plural } from "./format";

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

export type DomainMode = NonNullable<InfoData["domain_mode"]>;
export const DOMAIN_MODES: readonly DomainMode[] = ["dp", "as_confirmed"];

/** One line of the review table. */
export interface ColumnRow {
  name: string;
  type: RowType;
  inferredKind: string;
  reason: string;
  /** What the inference suggests doing (e.g. `exclude` for an identifier), if anything. */
  suggestedFix: string;
  switchable: boolean;
  /** The entry is the user's public declaration (ticked, or the whole schema declared); else discovered with DP. */
  declared: boolean;
  /** Facts a declared entry leaves open, discovered with DP (e.g. "categories"). */
  open: string;
  detail: string;
  binning: string;
  missing: number | null;
  unique: number | null;
}

// ---------------------------------------------------------------------------------------------- reading

export function domainModeOf(info: InfoData): DomainMode {
  return info.domain_mode === "as_confirmed" ? "as_confirmed" : "dp";
}

/** Is the column declared public (its box ticked, or the whole schema declared)? */
export function isDeclared(info: InfoData, name: string): boolean {
  return domainModeOf(info) === "as_confirmed" || (info.declared_public ?? []).includes(name);
}

/** The facts a declared entry leaves open (the service discovers them with DP). */
export function openFacts(entry: ColumnEntry | undefined): string[] {
  if (!entry) return [];
  if (entry.type === "categorical") return entry.categories ? [] : ["categories"];
  const open: string[] = [];
  if (!entry.bounds || entry.bounds.min === null || entry.bounds.max === null) open.push("bounds");
  if (entry.type === "datetime" && !entry.datetime_format) open.push("date format");
  return open;
}

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
      ? `${plural(entry.categories.length, "category", "categories")}: ${shortList(entry.categories)}`
      : "categories: the data's values (on confirm)";
  } else if (entry) {
    detail = entry.bounds && entry.bounds.min !== null && entry.bounds.max !== null
      ? `${entry.bounds.min} to ${entry.bounds.max}`
      : "bounds: the data's min and max (on confirm)";
    binning = entry.binning ? `${entry.binning.method}, ${entry.binning.bins} bins` : "uniform, 32 bins";
  }
  const declared = type !== "excluded" && isDeclared(state.info, name);
  return {
    name, type, reason, binning, detail, declared,
    open: declared ? openFacts(entry).join(", ") : "",
    inferredKind: report.kind ?? "",
    suggestedFix: typeof report.suggested_fix === "string" ? report.suggested_fix : "",
    switchable: Boolean(report.switchable),
    missing: typeof report.missing === "number" ? report.missing : null,
    unique: typeof report.unique === "number" ? report.unique : null,
  };
}

/** Keep only `names` (in table order); every other column is excluded. */
export function keepOnly(state: SchemaState, names: string[]): SchemaState {
  const keep = new Set(names);
  const excluded = state.info.columns.filter((c) => !keep.has(c));
  return { ...state, info: { ...state.info, excluded_columns: excluded } };
}

/**
 * The review's starting point: the draft with the columns the inference suggests leaving out (identifier-like
 * or free-text columns, empty ones) excluded — shown with the reason, and included again by changing the type.
 */
export function withSuggestedExclusions(state: SchemaState): SchemaState {
  const report = state.info.inference_report ?? {};
  const suggested = state.info.columns.filter((c) => report[c]?.suggested_fix === "exclude" && !state.info.excluded_columns.includes(c));
  if (suggested.length === 0) return state;
  return { ...state, info: { ...state.info, excluded_columns: [...state.info.excluded_columns, ...suggested] } };
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
  // The inference's suggestions for the flags carry over (a retyped column is declared, so they are used).
  const flags = current ?? original;
  if (type === "numerical" && typeof flags?.integer === "boolean") entry.integer = flags.integer;
  if (typeof flags?.nullable === "boolean") entry.nullable = flags.nullable;
  return entry;
}

/** `names` switched to `type` (or excluded); other columns unchanged. */
export function setTypes(state: SchemaState, origin: SchemaOrigin, names: string[], type: RowType): SchemaState {
  const domain = { ...state.domain };
  const excluded = new Set(state.info.excluded_columns);
  const retyped: string[] = [];
  for (const name of names) {
    if (type === "excluded") {
      excluded.add(name);
      continue;
    }
    // Choosing a type is a domain decision: the column becomes declared, unless nothing changed.
    if (excluded.has(name) || domain[name]?.type !== type) retyped.push(name);
    excluded.delete(name);
    domain[name] = entryForType(name, type, state, origin);
  }
  const columns = state.info.columns;
  const next = { domain, info: { ...state.info, excluded_columns: columns.filter((c) => excluded.has(c)) } };
  return retyped.length ? setDeclared(next, retyped, true) : next;
}

/** The column's entry replaced by an edit: the edit declares the column public (ticks its box). */
export function replaceEntry(state: SchemaState, name: string, entry: ColumnEntry): SchemaState {
  return setDeclared({ ...state, domain: { ...state.domain, [name]: entry } }, [name], true);
}

/** Whether the output is written like the input file (the user's declaration; on unless unticked). */
export function writesLikeInput(info: InfoData): boolean {
  return info.output_format !== undefined && info.declared_format !== false;
}

export function setWritesLikeInput(state: SchemaState, on: boolean): SchemaState {
  return { ...state, info: { ...state.info, declared_format: on } };
}

const DELIMITER_NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };
const ENCODING_NAMES: Record<string, string> = { "utf-8": "UTF-8", "utf-16": "UTF-16", cp1252: "Windows-1252", "latin-1": "Latin-1" };

/** "semicolon-separated, decimal comma, Windows-1252, missing cells as ?" */
export function describeOutputFormat(info: InfoData): string {
  const format = info.output_format;
  if (!format) return "standard CSV";
  const parts = [`${DELIMITER_NAMES[format.delimiter] ?? format.delimiter}-separated`,
    format.decimal === "," ? "decimal comma" : "decimal point", ENCODING_NAMES[format.encoding] ?? format.encoding];
  parts.push(info.null_token ? `missing cells as ${info.null_token}` : "missing cells empty");
  return parts.join(", ");
}

/** `names` declared public (`on`) or not; `declared_public` stays in table order. */
export function setDeclared(state: SchemaState, names: string[], on: boolean): SchemaState {
  const declared = new Set(state.info.declared_public ?? []);
  for (const name of names) {
    if (on) declared.add(name);
    else declared.delete(name);
  }
  const list = state.info.columns.filter((c) => declared.has(c));
  return { ...state, info: { ...state.info, declared_public: list } };
}

export function setDomainMode(state: SchemaState, mode: DomainMode): SchemaState {
  return { ...state, info: { ...state.info, domain_mode: mode } };
}

/** The declared columns (every kept column in `as_confirmed`). */
export function declaredColumns(state: SchemaState): string[] {
  return state.info.columns.filter((c) => state.domain[c] && !state.info.excluded_columns.includes(c) && isDeclared(state.info, c));
}

/**
 * What `POST /confirm_synthesis` receives: the schema with an explicit `domain_mode` and `declared_public`
 * (columns of the table only, in its order), so the service never has to guess what the user declared.
 */
export function confirmPayload(state: SchemaState): { domain: DomainData; info: InfoData; domainMode: DomainMode } {
  const domainMode = domainModeOf(state.info);
  const known = new Set(state.info.columns);
  const declared = (state.info.declared_public ?? []).filter((c) => known.has(c));
  const ordered = state.info.columns.filter((c) => declared.includes(c));
  const format = state.info.output_format ? { declared_format: writesLikeInput(state.info) } : {};
  return { domain: state.domain, info: { ...state.info, domain_mode: domainMode, declared_public: ordered, ...format }, domainMode };
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
  /** The output may hold missing cells. */
  nullable: boolean;
  /** Numerical: whole numbers only. */
  integer: boolean;
  /** Numerical, not whole: decimals of the output (0–6); blank = full precision. */
  decimals: string;
  /** Datetime: how dates are written (strftime); blank = discovered with DP. */
  format: string;
  /** Categorical: the released label of values outside the list. */
  otherLabel: string;
}

export type DraftErrors = Partial<Record<"min" | "max" | "bins" | "binning" | "categories" | "otherLabel" | "decimals", string>>;

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
    nullable: Boolean(entry.nullable),
    integer: Boolean(entry.integer),
    decimals: entry.decimals === null || entry.decimals === undefined ? "" : String(entry.decimals),
    format: entry.datetime_format ?? "",
    otherLabel: String(entry.special_token ?? "other"),
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
    if (draft.strategy === "map_to_special" && !draft.otherLabel.trim()) errors.otherLabel = "Enter the label of other values.";
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
    if (!draft.integer && draft.decimals.trim() !== "" && !/^[0-6]$/.test(draft.decimals.trim())) {
      errors.decimals = "Decimals must be a whole number from 0 to 6 (blank: full precision).";
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
      special_token: draft.otherLabel.trim() || entry.special_token || "other",
      nullable: draft.nullable,
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
    nullable: draft.nullable,
    ...(draft.type === "numerical"
      ? { integer: draft.integer, decimals: draft.integer || draft.decimals.trim() === "" ? null : Number(draft.decimals.trim()) }
      : { datetime_format: draft.format.trim() || null }),
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
  // A declaration in the file replaces the current one; without one, the current declaration stays.
  const declared = Array.isArray(infoObject.declared_public)
    ? infoObject.declared_public.filter((c): c is string => typeof c === "string" && known.has(c))
    : current.info.declared_public ?? [];
  const mode = infoObject.domain_mode === "as_confirmed" || infoObject.domain_mode === "dp"
    ? infoObject.domain_mode
    : domainModeOf(current.info);
  return {
    domain: domain as DomainData,
    info: {
      ...current.info, ...infoObject, columns: current.info.columns, excluded_columns: excluded,
      declared_public: declared, domain_mode: mode,
    },
  };
}

/** The column a service error message names (`column 'age': …`), if any. */
export function columnOfMessage(message: string, columns: string[]): string | null {
  const match = /column\(?s?\)? (['"])(.*?)\1/i.exec(message);
  if (match && columns.includes(match[2])) return match[2];
  return null;
}

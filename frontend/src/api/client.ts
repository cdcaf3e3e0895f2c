/**
 * The typed client of the PrivSyn service.
 *
 * Reply types come from `src/client/schema.d.ts`, generated from `openapi.json` (`npm run gen:api`);
 * every route path is checked against the schema's `paths`, so a renamed route fails the type check.
 * Errors arrive as the service's envelope `{"detail": {"error", "message", "hint"?}}` and leave this module
 * as an {@link ApiError} whose `message` is a sentence for people (never raw JSON).
 */
import type { components, paths } from "../client/schema";

type Schemas = components["schemas"];
export type JobPublic = Schemas["JobPublic"];
export type JobSummary = Schemas["JobSummary"];
export type JobsPublic = Schemas["JobsPublic"];
export type ConfirmPublic = Schemas["ConfirmPublic"];
export type PreviewPublic = Schemas["PreviewPublic"];
export type JobSchemaPublic = Schemas["JobSchemaPublic"];
export type MethodPublic = Schemas["MethodPublic"];
export type MethodsPublic = Schemas["MethodsPublic"];
export type EvaluatePublic = Schemas["EvaluatePublic"];
export type WhoAmI = Schemas["WhoAmIPublic"];

type ApiPath = keyof paths;

/** The service's base URL: `VITE_API_BASE_URL` for a separately hosted frontend, else the page's origin. */
export const API_BASE_URL: string = (import.meta.env.VITE_API_BASE_URL ?? "").replace(/\/+$/, "");

/** An absolute or same-origin URL for a service path (also for links such as downloads). */
export function apiUrl(path: string): string {
  return `${API_BASE_URL}${path.startsWith("/") ? path : `/${path}`}`;
}

/** A path of the schema with its `{placeholders}` filled in (URL-encoded). */
export function fillPath<P extends ApiPath>(path: P, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

/** A failed request, with the envelope's code and a readable sentence. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STATUS_SENTENCES: Record<number, string> = {
  401: "You are not signed in, or your sign-in has expired. Reload the page to sign in again.",
  403: "You are not allowed to do this.",
  404: "This item was not found. It may have expired or belong to someone else.",
  413: "The upload is larger than the service accepts.",
  502: "The service could not reach its job backend. Try again in a minute.",
  503: "The service is not ready yet. Try again in a minute.",
};

/** `text` starting with a capital and ending with a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** The readable sentence for an error reply body (the envelope, FastAPI's list form, or plain text). */
export function errorSentence(status: number, body: unknown): { message: string; code: string; hint?: string } {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (detail && typeof detail === "object" && !Array.isArray(detail)) {
    const { error, message, hint } = detail as { error?: unknown; message?: unknown; hint?: unknown };
    if (typeof message === "string" && message) {
      const hintText = typeof hint === "string" && hint ? hint : undefined;
      return {
        message: sentence(message) + (hintText ? ` ${sentence(hintText)}` : ""),
        code: typeof error === "string" ? error : "error",
        hint: hintText,
      };
    }
  }
  if (typeof detail === "string" && detail) return { message: sentence(detail), code: "error" };
  if (Array.isArray(detail)) {
    const parts = detail
      .map((d) => (d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : ""))
      .filter(Boolean);
    if (parts.length) return { message: sentence(parts.join("; ")), code: "invalid_request" };
  }
  return {
    message: STATUS_SENTENCES[status] ?? `The service answered with an unexpected error (HTTP ${status}).`,
    code: "http_error",
  };
}

async function send<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, init);
  return (await response.json()) as T;
}

/** A request whose success has no body (204). */
async function sendEmpty(path: string, init: RequestInit): Promise<void> {
  await request(path, init);
}

async function request(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { credentials: "include", ...init });
  } catch {
    throw new ApiError("The service could not be reached. Check your connection and try again.", 0, "network");
  }
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const { message, code, hint } = errorSentence(response.status, body);
    const signIn = response.status === 401 ? "You are not signed in. " : "";
    throw new ApiError(signIn + message, response.status, code, hint);
  }
  return response;
}

function form(fields: Record<string, string | Blob | undefined>, fileName?: string): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value instanceof Blob) data.append(name, value, fileName ?? "upload.csv");
    else data.append(name, value);
  }
  return data;
}

/** The run settings every synthesis form carries. */
export interface RunSettings {
  method: string;
  epsilon: number;
  delta: number;
  /** Rows to generate; `null` = as many as the input. */
  rows: number | null;
  /** Wall-clock budget of the run in seconds; `null` or absent = none. */
  timeBudgetSeconds?: number | null;
  /** Method knobs that differ from the defaults. */
  knobs: Record<string, unknown>;
}

function runFields(settings: RunSettings): Record<string, string | undefined> {
  return {
    method: settings.method,
    epsilon: String(settings.epsilon),
    delta: String(settings.delta),
    n_sample: settings.rows === null ? undefined : String(settings.rows),
    time_budget: settings.timeBudgetSeconds ? String(settings.timeBudgetSeconds) : undefined,
    knobs: JSON.stringify(settings.knobs),
  };
}

/** Data that can be sent for a new preview: a file the user chose, or a bundled sample. */
export type UploadSource = { kind: "file"; file: File } | { kind: "sample"; name: string };

/**
 * Where the data of a review comes from: an upload source, or (`stored`) the table of an earlier preview that the
 * service still keeps (`GET /previews/{preview_id}`), which can be confirmed again but not re-uploaded.
 */
export type DataSource = UploadSource | { kind: "stored"; previewId: string; name: string };

export const api = {
  whoami: () => send<WhoAmI>(fillPath("/whoami")),
  methods: () => send<MethodsPublic>(fillPath("/methods")),
  jobs: () => send<JobsPublic>(fillPath("/jobs")),
  job: (jobId: string) => send<JobPublic>(fillPath("/jobs/{job_id}", { job_id: jobId })),
  /** Delete a finished run's stored data (409 while it is queued or running; its ε still counts). */
  deleteJob: (jobId: string) => sendEmpty(fillPath("/jobs/{job_id}", { job_id: jobId }), { method: "DELETE" }),
  cancel: (jobId: string) =>
    send<JobPublic>(fillPath("/jobs/{job_id}/cancel", { job_id: jobId }), { method: "POST" }),

  /** A preview read back (what `POST /synthesize` answered); 404 once it expired or for another owner's id. */
  /** The reviewed schema a run was confirmed with; 404 for runs confirmed before schemas were kept. */
  jobSchema: (jobId: string) => send<JobSchemaPublic>(fillPath("/jobs/{job_id}/schema", { job_id: jobId })),

  storedPreview: (previewId: string) =>
    send<PreviewPublic>(fillPath("/previews/{preview_id}", { preview_id: previewId })),

  preview: (source: UploadSource, settings: RunSettings) => {
    const datasetName = source.kind === "sample" ? source.name : source.file.name.replace(/\.[^.]*$/, "") || "dataset";
    const body = form(
      { ...runFields(settings), dataset_name: datasetName, data_file: source.kind === "file" ? source.file : undefined },
      source.kind === "file" ? source.file.name : undefined,
    );
    return send<PreviewPublic>(fillPath("/synthesize"), { method: "POST", body });
  },

  /** `domainMode`: `dp` (anything not declared public is discovered with DP) or `as_confirmed`. */
  confirm: (uniqueId: string, domainData: unknown, infoData: unknown, settings: RunSettings, domainMode?: "dp" | "as_confirmed") => {
    const body = form({
      ...runFields(settings),
      unique_id: uniqueId,
      domain_mode: domainMode,
      confirmed_domain_data: JSON.stringify(domainData),
      confirmed_info_data: JSON.stringify(infoData),
      wait: "false",
    });
    return send<ConfirmPublic>(fillPath("/confirm_synthesis"), { method: "POST", body });
  },

  /** The evaluation report; with a `target` column it adds the utility check (TSTR vs TRTR). */
  evaluate: (sessionId: string, target?: string) =>
    send<EvaluatePublic>(fillPath("/evaluate"), { method: "POST", body: form({ session_id: sessionId, target: target || undefined }) }),

  /** The first `maxLines` lines of the synthetic CSV (stops reading once it has them). */
  csvHead: async (sessionId: string, maxLines = 21): Promise<string> => {
    const path = fillPath("/download_synthesized_data/{session_id}", { session_id: sessionId });
    let response: Response;
    try {
      response = await fetch(apiUrl(path), { credentials: "include" });
    } catch {
      throw new ApiError("The synthetic CSV could not be loaded for the preview.", 0, "network");
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      const { message, code } = errorSentence(response.status, body);
      throw new ApiError(message, response.status, code);
    }
    if (!response.body) return (await response.text()).split("\n").slice(0, maxLines).join("\n");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (value) text += decoder.decode(value, { stream: !done });
      if (done || countLines(text) > maxLines) break;
    }
    await reader.cancel().catch(() => undefined);
    return text;
  },
};

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n += 1;
  return n;
}

export const links = {
  download: (jobId: string) =>
    apiUrl(fillPath("/download_synthesized_data/{session_id}", { session_id: jobId })),
  report: (jobId: string, target?: string) =>
    apiUrl(fillPath("/evaluate/{session_id}/report", { session_id: jobId })) + (target ? `?target=${encodeURIComponent(target)}` : ""),
};

/**
 * The app shell: header (who is signed in), navigation, and the four steps of a synthesis
 * (data → review schema → run → results) plus the runs history. Holds the state the steps share.
 */
import { useCallback, useEffect, useState } from "react";
import { api, type DataSource, type JobPublic, type JobSummary, type MethodPublic, type PreviewPublic, type RunSettings, type WhoAmI } from "./api/client";
import { DataStep } from "./components/Upload/DataStep";
import { ErrorAlert } from "./components/ui/ErrorAlert";
import { ResultsStep } from "./components/Results/ResultsStep";
import { ReviewStep } from "./components/Metadata/ReviewStep";
import { RunStep } from "./components/Jobs/RunStep";
import { RunsPage } from "./components/Jobs/RunsPage";
import { FALLBACK_METHODS, presetValues, valuesFromKnobs, matchingPreset, type KnobParam } from "./lib/presets";
import { initialForm, type RunForm } from "./lib/runForm";
import type { SchemaOrigin, SchemaState } from "./lib/schemaModel";

type View =
  | { page: "new"; step: 1 }
  | { page: "new"; step: 2 }
  | { page: "new"; step: 3; job: JobPublic; startedLocally: number | null }
  | { page: "new"; step: 4; job: JobPublic }
  | { page: "runs" };

interface Review {
  uniqueId: string;
  /** The data this preview was made from; while step 1 still shows it, the preview (and its edits) is reused. */
  source: DataSource | null;
  origin: SchemaOrigin;
  value: SchemaState;
  settings: RunSettings;
}

const STEP_NAMES = ["Data", "Review schema", "Run", "Results"];

function schemaOf(preview: PreviewPublic): SchemaOrigin {
  return { domain: preview.domain_data, info: preview.info_data };
}

export function App() {
  const [whoami, setWhoami] = useState<WhoAmI | null>(null);
  const [methods, setMethods] = useState<MethodPublic[]>(FALLBACK_METHODS);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<View>({ page: "new", step: 1 });
  const [form, setForm] = useState<RunForm>(initialForm);
  const [review, setReview] = useState<Review | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api.whoami().then(setWhoami, (e) => setLoadError(e instanceof Error ? e.message : String(e)));
    api.methods().then(
      (reply) => {
        const rank = (name: string) => (["privsyn", "aim", "mst"].indexOf(name) + 1 || 99);
        setMethods([...reply.data].sort((a, b) => rank(a.name) - rank(b.name)));
      },
      () => undefined,
    );
  }, []);

  const paramsOf = useCallback(
    (name: string): KnobParam[] => methods.find((m) => m.name === name)?.parameters ?? [],
    [methods],
  );

  function onPreview(preview: PreviewPublic, settings: RunSettings, source: DataSource) {
    const origin = schemaOf(preview);
    setReview({ uniqueId: preview.unique_id, source, origin, value: origin, settings });
    setNotice(null);
    setView({ page: "new", step: 2 });
  }

  function newSynthesis() {
    setNotice(null);
    setView({ page: "new", step: 1 });
  }

  async function openRun(jobId: string) {
    try {
      const job = await api.job(jobId);
      setView(job.status === "succeeded" ? { page: "new", step: 4, job } : { page: "new", step: 3, job, startedLocally: null });
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : "The run could not be opened.");
    }
  }

  /**
   * Re-run a job with changes. Its settings fill step 1. Its data: the current review's when that is the same
   * preview (edits kept); else the preview read back from the service (`GET /previews/{id}`, the schema as
   * inferred), reopened in step 2; else (expired, or an older run) the user chooses the data again.
   */
  async function rerun(job: Pick<JobSummary, "method" | "params" | "job_id">) {
    const params = job.params as {
      epsilon?: number; delta?: number; rows?: number | null; time_budget_s?: number | null; knobs?: Record<string, unknown>;
      preview_id?: string; dataset_name?: string;
    };
    const knobParams = paramsOf(job.method);
    const sameData = review !== null && review.source !== null && review.uniqueId === params.preview_id;
    let restored: Review | null = null;
    if (!sameData && params.preview_id) {
      try {
        const preview = await api.storedPreview(params.preview_id);
        const origin = schemaOf(preview);
        const name = params.dataset_name ?? (preview.info_data as { name?: string }).name ?? "dataset";
        const settings: RunSettings = {
          method: job.method,
          epsilon: params.epsilon ?? Number(form.epsilon),
          delta: params.delta ?? Number(form.delta),
          rows: params.rows ?? null,
          timeBudgetSeconds: params.time_budget_s ?? null,
          knobs: params.knobs ?? {},
        };
        restored = { uniqueId: preview.unique_id, source: { kind: "stored", previewId: preview.unique_id, name }, origin, value: origin, settings };
      } catch {
        restored = null; // expired (404) or unreachable: fall back to choosing the data again
      }
    }
    const values = params.knobs ? valuesFromKnobs(knobParams, params.knobs) : presetValues(job.method, knobParams, "balanced");
    setForm((f) => ({
      ...f,
      source: sameData ? review.source : (restored?.source ?? null),
      method: job.method,
      epsilon: params.epsilon !== undefined ? String(params.epsilon) : f.epsilon,
      delta: params.delta !== undefined ? String(params.delta) : f.delta,
      rows: params.rows ? String(params.rows) : "",
      timeLimit: params.time_budget_s ? String(params.time_budget_s / 60) : "",
      knobs: { ...f.knobs, [job.method]: values },
      preset: matchingPreset(job.method, knobParams, values),
    }));
    const run = job.job_id.slice(0, 8);
    if (restored) {
      setReview(restored);
      setNotice(
        `The schema of run ${run} is reopened with the same data, still kept by the service, as it was inferred ` +
          "(changes made for that run are not kept). Start synthesis, or go back to change the settings.",
      );
      setView({ page: "new", step: 2 });
      return;
    }
    setNotice(
      sameData
        ? `The settings of run ${run} are filled in, with the same data and your reviewed schema. ` +
            "Change what you need, then review the schema again."
        : `The settings of run ${run} are filled in. Choose the data again: uploaded tables are not kept ` +
            "for re-runs, and the reviewed schema can be brought back with “Import schema” if you exported it.",
    );
    setView({ page: "new", step: 1 });
  }

  const step = view.page === "new" ? view.step : null;

  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <div className="brand">
          <h1>PrivSyn</h1>
          <span className="muted">differentially private synthetic data</span>
        </div>
        <nav aria-label="Main">
          <button type="button" className={view.page === "new" ? "nav-current" : ""} aria-current={view.page === "new" ? "page" : undefined}
            onClick={newSynthesis}>New synthesis</button>
          <button type="button" className={view.page === "runs" ? "nav-current" : ""} aria-current={view.page === "runs" ? "page" : undefined}
            onClick={() => setView({ page: "runs" })}>Runs</button>
        </nav>
        <div className="who">
          {whoami?.subject ? <span>Signed in as <strong>{whoami.subject}</strong>{whoami.is_admin ? " (admin)" : ""}</span> : null}
        </div>
      </header>
      <main id="main">
        {step && (
          <ol className="stepper" aria-label="Steps">
            {STEP_NAMES.map((name, i) => (
              <li key={name} className={i + 1 === step ? "current" : i + 1 < step ? "done" : ""} aria-current={i + 1 === step ? "step" : undefined}>
                <span className="num">{i + 1}</span> {name}
              </li>
            ))}
          </ol>
        )}
        {loadError && <ErrorAlert message={loadError} />}
        {view.page === "runs" && <RunsPage onOpen={openRun} onRerun={(job) => void rerun(job)} />}
        {view.page === "new" && view.step === 1 && (
          <DataStep
            form={form}
            onChange={setForm}
            methods={methods}
            whoami={whoami}
            notice={notice}
            onPreview={onPreview}
            reviewedSource={review?.source ?? null}
            onReuse={(settings) => {
              setReview((r) => (r ? { ...r, settings } : r));
              setNotice(null);
              setView({ page: "new", step: 2 });
            }}
          />
        )}
        {view.page === "new" && view.step === 2 && review && (
          <ReviewStep
            uniqueId={review.uniqueId}
            origin={review.origin}
            value={review.value}
            settings={review.settings}
            notice={notice}
            onChange={(value) => setReview((r) => (r ? { ...r, value } : r))}
            onBack={() => {
              setNotice(null);
              setView({ page: "new", step: 1 });
            }}
            onExpired={() => setReview((r) => (r ? { ...r, source: null } : r))}
            onStarted={(job) => {
              setNotice(null);
              setView({ page: "new", step: 3, job, startedLocally: Date.now() });
            }}
          />
        )}
        {view.page === "new" && view.step === 3 && (
          <RunStep
            key={view.job.job_id}
            initial={view.job}
            startedLocally={view.startedLocally}
            onSucceeded={(job) => setView({ page: "new", step: 4, job })}
            onStartOver={() => (review ? setView({ page: "new", step: 1 }) : void rerun(view.job))}
          />
        )}
        {view.page === "new" && view.step === 4 && (
          <ResultsStep key={view.job.job_id} job={view.job} onRerun={() => void rerun(view.job)} onNew={newSynthesis} />
        )}
      </main>
      <footer className="app-footer muted">
        PrivSyn service · the evaluation and previews are for the data owner only.
      </footer>
    </div>
  );
}

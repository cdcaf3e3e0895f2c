/**
 * The app shell: header (who is signed in), navigation, and the four steps of a synthesis
 * (data → review schema → run → results) plus the runs history. Holds the state the steps share.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type DataSource, type JobPublic, type JobSummary, type MethodPublic, type PreviewPublic, type RunSettings, type WhoAmI } from "./api/client";
import { DataStep } from "./components/Upload/DataStep";
import { ErrorAlert } from "./components/ui/ErrorAlert";
import { ResultsStep } from "./components/Results/ResultsStep";
import { ReviewStep } from "./components/Metadata/ReviewStep";
import { RunStep } from "./components/Jobs/RunStep";
import { RunsPage } from "./components/Jobs/RunsPage";
import { FALLBACK_METHODS, presetValues, valuesFromKnobs, matchingPreset, type KnobParam } from "./lib/presets";
import { parseRoute, pathOf, type Route } from "./lib/route";
import { initialForm, settingsOf, type RunForm } from "./lib/runForm";
import { withSuggestedExclusions, type SchemaOrigin, type SchemaState } from "./lib/schemaModel";

type View =
  | { page: "loading" }
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

type RunLike = Pick<JobSummary, "method" | "params" | "job_id">;
interface RunParams {
  epsilon?: number; delta?: number; rows?: number | null; time_budget_s?: number | null; knobs?: Record<string, unknown>;
  preview_id?: string; dataset_name?: string;
}

/** The address of a view (step 2 is its preview's review, steps 3 and 4 are the run's page). */
function routeOf(view: Exclude<View, { page: "loading" }>, review: Review | null): Route {
  if (view.page === "runs") return { page: "runs" };
  if (view.step === 3 || view.step === 4) return { page: "run", jobId: view.job.job_id };
  if (view.step === 2 && review) return { page: "review", previewId: review.uniqueId };
  return { page: "new" };
}

/** The view to show first: pages that need the service start as "loading" until {@link App}'s navigate runs. */
function initialView(): View {
  const route = parseRoute(window.location.pathname);
  if (route.page === "runs") return { page: "runs" };
  return route.page === "new" ? { page: "new", step: 1 } : { page: "loading" };
}

function schemaOf(preview: PreviewPublic): SchemaOrigin {
  return { domain: preview.domain_data, info: preview.info_data };
}

export function App() {
  const [whoami, setWhoami] = useState<WhoAmI | null>(null);
  const [methods, setMethods] = useState<MethodPublic[]>(FALLBACK_METHODS);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<View>(initialView);
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
    setReview({ uniqueId: preview.unique_id, source, origin, value: withSuggestedExclusions(origin), settings });
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
   * The review a run can go back to: the current one when it is the same preview (edits kept); else the schema the
   * run was confirmed with (`GET /jobs/{id}/schema`) on its preview read back from the service; else (an older run)
   * that preview as inferred. `null` when the preview is gone (expired) or the run has none.
   */
  async function reviewOfRun(job: RunLike, settings: RunSettings): Promise<{ review: Review; confirmed: boolean } | null> {
    const params = job.params as RunParams;
    if (review !== null && review.source !== null && review.uniqueId === params.preview_id) {
      return { review: { ...review, settings }, confirmed: true };
    }
    if (!params.preview_id) return null;
    try {
      const preview = await api.storedPreview(params.preview_id);
      const origin = schemaOf(preview);
      const name = params.dataset_name ?? (preview.info_data as { name?: string }).name ?? "dataset";
      const source = { kind: "stored" as const, previewId: preview.unique_id, name };
      try {
        const schema = await api.jobSchema(job.job_id);
        const value = { domain: schema.domain_data, info: schema.info_data };
        return { review: { uniqueId: preview.unique_id, source, origin, value, settings }, confirmed: true };
      } catch {
        return { review: { uniqueId: preview.unique_id, source, origin, value: origin, settings }, confirmed: false };
      }
    } catch {
      return null; // expired (404) or unreachable: the user chooses the data again
    }
  }

  /**
   * Re-run a job with changes: its settings fill step 1 and its data comes back as {@link reviewOfRun} finds it.
   * `to` is where the user goes: the review of that schema (*Re-run with changes*, *Back to review*) or the
   * settings (*Try another method*, with the same data and schema kept).
   */
  async function rerun(job: RunLike, to: "review" | "settings" = "review") {
    const params = job.params as RunParams;
    const knobParams = paramsOf(job.method);
    const settings: RunSettings = {
      method: job.method,
      epsilon: params.epsilon ?? Number(form.epsilon),
      delta: params.delta ?? Number(form.delta),
      rows: params.rows ?? null,
      timeBudgetSeconds: params.time_budget_s ?? null,
      knobs: params.knobs ?? {},
    };
    const restored = await reviewOfRun(job, settings);
    const values = params.knobs ? valuesFromKnobs(knobParams, params.knobs) : presetValues(job.method, knobParams, "balanced");
    setForm((f) => ({
      ...f,
      source: restored?.review.source ?? null,
      method: job.method,
      epsilon: params.epsilon !== undefined ? String(params.epsilon) : f.epsilon,
      delta: params.delta !== undefined ? String(params.delta) : f.delta,
      rows: params.rows ? String(params.rows) : "",
      timeLimit: params.time_budget_s ? String(params.time_budget_s / 60) : "",
      knobs: { ...f.knobs, [job.method]: values },
      preset: matchingPreset(job.method, knobParams, values),
    }));
    const run = job.job_id.slice(0, 8);
    if (!restored) {
      setNotice(
        `The settings of run ${run} are filled in. Choose the data again: its upload is no longer kept by the ` +
          "service, and the reviewed schema can be brought back with “Import schema” if you exported it.",
      );
      setView({ page: "new", step: 1 });
      return;
    }
    setReview(restored.review);
    const schema = restored.confirmed
      ? "with the schema as you confirmed it for that run"
      : "with the schema as it was inferred (that run kept no confirmed schema)";
    if (to === "settings") {
      setNotice(`The settings of run ${run} are filled in, with the same data ${schema}. Choose another method or ` +
        "change the settings, then continue to the review.");
      setView({ page: "new", step: 1 });
      return;
    }
    setNotice(`The data of run ${run} is reopened ${schema}. Change what you need, then start synthesis.`);
    setView({ page: "new", step: 2 });
  }

  /** Show the page of a URL (on load and on Back/Forward); a preview or run is read from the service. */
  async function navigate(route: Route) {
    setNotice(null);
    if (route.page === "new") return setView({ page: "new", step: 1 });
    if (route.page === "runs") return setView({ page: "runs" });
    if (route.page === "run") return openRun(route.jobId);
    if (review?.uniqueId === route.previewId) return setView({ page: "new", step: 2 });
    try {
      const preview = await api.storedPreview(route.previewId);
      const origin = schemaOf(preview);
      const name = (preview.info_data as { name?: string }).name ?? "dataset";
      setReview({ uniqueId: preview.unique_id, source: { kind: "stored", previewId: preview.unique_id, name }, origin, value: origin,
        settings: settingsOf(form, paramsOf(form.method)) });
      setView({ page: "new", step: 2 });
    } catch (e) {
      setNotice(`${e instanceof Error ? e.message : "The preview could not be opened."} Start a new synthesis.`);
      setView({ page: "new", step: 1 });
    }
  }

  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  useEffect(() => {
    const onPop = () => void navigateRef.current(parseRoute(window.location.pathname));
    window.addEventListener("popstate", onPop);
    const initial = parseRoute(window.location.pathname);
    if (initial.page === "review" || initial.page === "run") onPop();
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // Each page change gets its own address (Back returns to the previous page, reload reopens this one).
  const path = view.page === "loading" ? null : pathOf(routeOf(view, review));
  useEffect(() => {
    if (path !== null && window.location.pathname !== path) window.history.pushState(null, "", path);
  }, [path]);

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
        {view.page === "loading" && <p className="muted" role="status">Opening…</p>}
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
            maxColumns={whoami?.max_synthesis_columns}
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
            onBackToReview={() => void rerun(view.job, "review")}
            onTryAnotherMethod={() => void rerun(view.job, "settings")}
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

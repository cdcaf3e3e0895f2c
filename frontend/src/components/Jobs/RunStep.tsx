/** Step 3: the run's progress (polling `GET /jobs/{id}`), elapsed time, cancel; moves on when it succeeds. */
import { useEffect, useId, useRef, useState } from "react";
import { api, sentence, type JobPublic } from "../../api/client";
import { formatDuration, formatNumber } from "../../lib/format";
import { methodLabel, stageLabel } from "../../lib/stages";
import { ErrorAlert } from "../ui/ErrorAlert";

interface Props {
  initial: JobPublic;
  /** When this page started the run (ms since the epoch); else the job's own creation time is used. */
  startedLocally: number | null;
  onSucceeded: (job: JobPublic) => void;
  /** Back to the review of this run's data, with its schema as confirmed. */
  onBackToReview: () => void;
  /** Back to the settings, with the same data and schema, to choose another method. */
  onTryAnotherMethod: () => void;
  pollMs?: number;
}

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

const FAILURE_SENTENCES: Record<string, string> = {
  worker_died: "The worker running this job stopped unexpectedly (out of memory or restarted).",
  budget_exceeded: "The method would have spent more privacy budget than allowed.",
};

export function RunStep({ initial, startedLocally, onSucceeded, onBackToReview, onTryAnotherMethod, pollMs = 1000 }: Props) {
  const ids = useId();
  const [job, setJob] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [pollError, setPollError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const succeeded = useRef(onSucceeded);
  succeeded.current = onSucceeded;
  const final = FINAL.has(job.status);

  useEffect(() => {
    if (FINAL.has(job.status)) {
      if (job.status === "succeeded") succeeded.current(job);
      return;
    }
    let stopped = false;
    const timer = setTimeout(async () => {
      try {
        const next = await api.job(job.job_id);
        if (!stopped) {
          setJob(next);
          setPollError(null);
        }
      } catch (e) {
        if (!stopped) {
          setPollError(`${e instanceof Error ? e.message : "The job could not be read."} Still trying…`);
          setJob((j) => ({ ...j })); // schedule the next poll
        }
      }
    }, pollMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [job, pollMs]);

  useEffect(() => {
    if (final) return;
    const ticker = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(ticker);
  }, [final]);

  async function cancel() {
    setCancelling(true);
    try {
      setJob(await api.cancel(job.job_id));
    } catch (e) {
      setPollError(e instanceof Error ? e.message : "The run could not be cancelled.");
    } finally {
      setCancelling(false);
    }
  }

  async function copyDetails() {
    const lines = [`PrivSyn run ${job.job_id}`, `method: ${job.method}`, `status: ${job.status}`,
      ...(job.error ? [`error code: ${job.error.code}`, job.error.message] : []), `finished: ${job.finished_at ?? "—"}`];
    try {
      await navigator.clipboard.writeText(lines.join("\n"));
      setCopied("Details copied.");
    } catch {
      setCopied("The browser did not allow copying; select the text above instead.");
    }
  }

  const created = new Date(job.created_at).getTime();
  const start = startedLocally ?? (Number.isFinite(created) ? created : now);
  const end = final && job.finished_at ? new Date(job.finished_at).getTime() : now;
  const elapsed = Math.max(0, (end - (final && job.finished_at ? created : start)) / 1000);
  const fraction = job.status === "succeeded" ? 1 : Math.min(1, Math.max(0, job.progress.fraction));
  // The bar never moves backwards (a method's stages may restart their own fraction).
  const shown = useRef(0);
  shown.current = Math.max(shown.current, Math.round(fraction * 100));
  const percent = shown.current;
  const stage = job.status === "queued" ? "Waiting for a worker" : stageLabel(job.progress.stage);
  const failure = job.error ? `${FAILURE_SENTENCES[job.error.code] ?? ""} ${sentence(job.error.message)}`.trim() : "The run failed.";

  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>3. Run</h2>
      <p>
        {methodLabel(job.method)}, ε = {formatNumber(Number(job.params.epsilon))}, job <code>{job.job_id.slice(0, 8)}</code>.
        {!final && " You can leave this page: the run continues and appears under Runs."}
      </p>
      <div className="progress-wrap">
        <div
          role="progressbar"
          aria-label="Synthesis progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${percent}% — ${stage}`}
          className={`progress ${job.status}`}
        >
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
        <p className="progress-text">
          <span>{stage}</span> <span className="muted">{percent}%</span>
        </p>
        {!final && job.progress.message && <p className="muted" data-testid="progress-detail">{job.progress.message}</p>}
        <p>Elapsed: {formatDuration(elapsed)}</p>
      </div>
      {pollError && <ErrorAlert message={pollError} />}
      {job.status === "failed" && (
        <ErrorAlert message={`${failure} (error code ${job.error?.code ?? "unknown"}, job ${job.job_id.slice(0, 8)})`} title="The run failed." />
      )}
      {job.status === "cancelled" && <p className="neutral-notice" role="status">Run cancelled. Nothing was released.</p>}
      <div className="actions">
        {!final && (
          <button type="button" className="danger" onClick={cancel} disabled={cancelling}>Cancel run</button>
        )}
        {(job.status === "cancelled" || job.status === "failed") && (
          <>
            <button type="button" className="primary" onClick={onBackToReview}>Back to review</button>
            <button type="button" className="secondary" onClick={onTryAnotherMethod}>Try another method</button>
            <button type="button" className="secondary" onClick={() => void copyDetails()}>Copy details</button>
            {copied && <span className="muted" role="status">{copied}</span>}
          </>
        )}
      </div>
    </section>
  );
}

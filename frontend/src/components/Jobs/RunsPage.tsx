/**
 * The runs history: the caller's jobs (`GET /jobs`), newest first, with each run's dataset odometer (cumulative ε
 * of all runs on the same preview); open one, or re-run it with changes.
 */
import { useEffect, useId, useState } from "react";
import { api, type JobSummary } from "../../api/client";
import { formatDate, formatDuration, formatNumber, secondsBetween } from "../../lib/format";
import { methodLabel, STATE_LABELS } from "../../lib/stages";
import { ErrorAlert } from "../ui/ErrorAlert";
import { CompareRuns } from "./CompareRuns";

interface Props {
  onOpen: (jobId: string) => void;
  onRerun: (job: JobSummary) => void;
}

export function RunsPage({ onOpen, onRerun }: Props) {
  const ids = useId();
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  const [deleted, setDeleted] = useState<string | null>(null);

  async function remove(job: JobSummary) {
    const run = job.job_id.slice(0, 8);
    const sure = window.confirm(`Delete run ${run}? Its synthetic data, report and the copy of your data it kept are ` +
      "removed for good. The privacy budget it spent still counts for its data set.");
    if (!sure) return;
    try {
      await api.deleteJob(job.job_id);
      setSelected((s) => s.filter((id) => id !== job.job_id));
      setDeleted(`Run ${run} was deleted.`);
      setError(null);
      setReload((n) => n + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The run could not be deleted.");
    }
  }
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => (on ? [...s.filter((x) => x !== id), id].slice(-2) : s.filter((x) => x !== id)));
  const pair = jobs && selected.length === 2 ? selected.map((id) => jobs.find((j) => j.job_id === id)) : [];

  useEffect(() => {
    let live = true;
    api.jobs().then(
      (reply) => live && (setJobs(reply.data), setError(null)),
      (e) => live && setError(e instanceof Error ? e.message : "The runs could not be loaded."),
    );
    return () => {
      live = false;
    };
  }, [reload]);

  // Keep running jobs fresh while the page is open.
  const active = jobs?.some((j) => j.status === "queued" || j.status === "running");
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => setReload((n) => n + 1), 3000);
    return () => clearTimeout(timer);
  }, [active, jobs]);

  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>Runs</h2>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setReload((n) => n + 1)}>Refresh</button>
        <button type="button" className="secondary" disabled={selected.length !== 2} onClick={() => setComparing(true)}>
          Compare the two selected runs
        </button>
        <span className="muted">{selected.length === 2 ? "" : "Select two runs to compare them."}</span>
      </div>
      {comparing && pair.length === 2 && pair[0] && pair[1] && (
        <CompareRuns runs={[pair[0], pair[1]]} onClose={() => setComparing(false)} />
      )}
      {error && <ErrorAlert message={error} />}
      {deleted && <p className="neutral-notice" role="status">{deleted}</p>}
      {!jobs && !error && <p className="muted" role="status">Loading your runs…</p>}
      {jobs && jobs.length === 0 && <p>No runs yet. Start one with “New synthesis”.</p>}
      {jobs && jobs.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Runs" className="runs">
            <thead>
              <tr>
                <th scope="col"><span className="visually-hidden">Select</span></th>
                <th scope="col">State</th>
                <th scope="col">Method</th>
                <th scope="col">ε</th>
                <th scope="col" title="All runs on the same uploaded data so far, composed (zCDP), at the dataset's δ">Dataset ε so far</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
                <th scope="col">Data</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => {
                // Run time without the time spent queued (older services list no started_at).
                const seconds = secondsBetween(job.started_at ?? job.created_at, job.finished_at);
                const progress = Math.round(job.progress.fraction * 100);
                return (
                  <tr key={job.job_id}>
                    <td>
                      <input type="checkbox" aria-label={`Select run ${job.job_id.slice(0, 8)}`} checked={selected.includes(job.job_id)}
                        onChange={(e) => toggle(job.job_id, e.target.checked)} />
                    </td>
                    <td>
                      <span className={`state state-${job.status}`}>{STATE_LABELS[job.status] ?? job.status}</span>
                      {job.status === "running" && <span className="muted"> {progress}%</span>}
                    </td>
                    <td>{methodLabel(job.method)}</td>
                    <td>{formatNumber(Number(job.params.epsilon))}</td>
                    <td>
                      {job.dataset_budget ? (
                        <span title={`${job.dataset_budget.jobs} run(s) on this dataset, at δ = ${formatNumber(job.dataset_budget.delta)}`}>
                          {formatNumber(job.dataset_budget.epsilon)}
                          <span className="muted"> ({job.dataset_budget.jobs} run{job.dataset_budget.jobs === 1 ? "" : "s"})</span>
                        </span>
                      ) : "—"}
                    </td>
                    <td>{formatDate(job.created_at)}</td>
                    <td>{seconds === null ? "—" : formatDuration(seconds)}</td>
                    <td><DataCell params={job.params} /></td>
                    <td className="row-actions">
                      <button type="button" className="secondary small" onClick={() => onOpen(job.job_id)}>Open</button>
                      <button type="button" className="secondary small" onClick={() => onRerun(job)}>Re-run with changes</button>
                      <button type="button" className="danger small" onClick={() => void remove(job)}
                        disabled={job.status === "queued" || job.status === "running"}
                        title={job.status === "queued" || job.status === "running" ? "Cancel the run before deleting it" : undefined}>
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface Source {
  file_name?: string;
  rows?: number;
  columns?: number;
  sha256?: string;
}

/** The run's data set: its name, and the file it came from (rows × columns, a short SHA-256 of the file). */
function DataCell({ params }: { params: JobSummary["params"] }) {
  const name = typeof params.dataset_name === "string" ? params.dataset_name : null;
  const source = (params.source ?? null) as Source | null;
  if (!name && !source) return <>—</>;
  return (
    <>
      <span>{name ?? source?.file_name}</span>
      {source && (
        <span className="muted" title={source.sha256 ? `SHA-256 of ${source.file_name}: ${source.sha256}` : undefined}>
          <br />
          {source.file_name}
          {source.rows !== undefined && source.columns !== undefined && ` · ${source.rows.toLocaleString("en-US")} × ${source.columns}`}
          {source.sha256 && ` · ${source.sha256.slice(0, 8)}`}
        </span>
      )}
    </>
  );
}

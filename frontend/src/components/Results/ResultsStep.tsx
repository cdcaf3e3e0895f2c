/** Step 4: download, a preview of the synthetic rows, the privacy report and the (non-DP) evaluation. */
import { useId } from "react";
import { links, type JobPublic } from "../../api/client";
import { formatDuration, formatNumber, secondsBetween } from "../../lib/format";
import { methodLabel } from "../../lib/stages";
import { Evaluation } from "./Evaluation";
import { Preview } from "./Preview";
import { PrivacyReport } from "./PrivacyReport";

interface Props {
  job: JobPublic;
  onRerun: () => void;
  onNew: () => void;
}

export function ResultsStep({ job, onRerun, onNew }: Props) {
  const ids = useId();
  const duration = secondsBetween(job.started_at ?? job.created_at, job.finished_at);
  const csv = job.artifacts.find((a) => a.kind === "synthetic_csv");
  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>4. Results</h2>
      <p>
        {methodLabel(job.method)}, ε = {formatNumber(Number(job.params.epsilon))}
        {duration !== null && `, finished in ${formatDuration(duration)}`}.
      </p>
      <div className="actions">
        <a className="button primary" href={links.download(job.job_id)} download>Download synthetic CSV</a>
        {csv && <span className="muted">{(csv.size_bytes / (1024 * 1024)).toFixed(1)} MB</span>}
        <button type="button" className="secondary" onClick={onRerun}>Re-run with changes</button>
        <button type="button" className="secondary" onClick={onNew}>New synthesis</button>
      </div>
      <Preview jobId={job.job_id} />
      <PrivacyReport job={job} />
      <Evaluation jobId={job.job_id} />
    </section>
  );
}

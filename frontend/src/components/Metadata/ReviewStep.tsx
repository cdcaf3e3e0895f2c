/** Step 2: review the inferred schema, then start the run (`POST /confirm_synthesis`, wait=false). */
import { useId, useState } from "react";
import { api, ApiError, type JobPublic, type RunSettings } from "../../api/client";
import { formatNumber } from "../../lib/format";
import { columnOfMessage, type SchemaOrigin, type SchemaState } from "../../lib/schemaModel";
import { methodLabel } from "../../lib/stages";
import { ErrorAlert } from "../ui/ErrorAlert";
import { MetadataEditor } from "./MetadataEditor";

interface Props {
  uniqueId: string;
  origin: SchemaOrigin;
  value: SchemaState;
  onChange: (value: SchemaState) => void;
  settings: RunSettings;
  onBack: () => void;
  onStarted: (job: JobPublic) => void;
  /** The preview is gone (expired or restarted without its bundle): the data must be uploaded again. */
  onExpired?: () => void;
  /** Why this review is shown (e.g. reopened from a run of the history). */
  notice?: string | null;
}

export function ReviewStep({ uniqueId, origin, value, onChange, settings, onBack, onStarted, onExpired, notice }: Props) {
  const ids = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [columnErrors, setColumnErrors] = useState<Record<string, string>>({});
  const info = value.info;
  const kept = info.columns.filter((c) => value.domain[c] && !info.excluded_columns.includes(c)).length;
  const warnings = info.warnings ?? [];
  const rows = info.train_size ?? 0;
  const deltaTooLarge = rows > 0 && settings.delta > 1 / (10 * rows);

  async function start() {
    setBusy(true);
    setError(null);
    setColumnErrors({});
    try {
      const job = await api.confirm(uniqueId, value.domain, value.info, settings);
      onStarted(job);
    } catch (e) {
      const message = e instanceof Error ? e.message : "The run could not be started.";
      const column = columnOfMessage(message, info.columns);
      if (column) setColumnErrors({ [column]: message });
      const expired = e instanceof ApiError && e.status === 404;
      if (expired) onExpired?.();
      setError(expired ? `${message} The preview has expired: go back and upload the data again.` : message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>2. Review schema</h2>
      {notice && <p className="notice" role="status">{notice}</p>}
      <p>
        <strong>{info.name ?? "Your table"}</strong>: {info.train_size?.toLocaleString("en-US") ?? "?"} rows,{" "}
        {info.columns.length} columns ({kept} to synthesize). {methodLabel(settings.method)}, ε = {formatNumber(settings.epsilon)},
        δ = {formatNumber(settings.delta)}.
      </p>
      <p className="help">
        Check each column's type and its bounds or categories. Values marked <span className="badge badge-data">from data (not DP)</span>{" "}
        were read off your private data without differential privacy: replace them with public knowledge (e.g. an age
        range of 0 to 120, the official list of regions) where you can; the privacy report lists those you keep.
      </p>
      {deltaTooLarge && (
        <p className="warning">
          δ = {formatNumber(settings.delta)} is not much smaller than 1 ÷ {rows.toLocaleString("en-US")} rows: a δ this large
          could allow a few records to be exposed. Go back and use 1e-9 or smaller.
        </p>
      )}
      {warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings about the file">
          {warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      <MetadataEditor value={value} origin={origin} onChange={onChange} columnErrors={columnErrors} fileName={info.name ?? "schema"} />
      {error && <ErrorAlert message={error} />}
      <div className="actions">
        <button type="button" className="secondary" onClick={onBack}>Back</button>
        <button type="button" className="primary" onClick={start} disabled={busy || kept === 0}>Start synthesis</button>
        {kept === 0 && <span className="field-error">Keep at least one column.</span>}
        {busy && <span className="muted" role="status">Starting the run…</span>}
      </div>
    </section>
  );
}

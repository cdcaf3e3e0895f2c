/**
 * Step 2: review the inferred schema, choose the domain mode and what is declared public, then start the run
 * (`POST /confirm_synthesis`, wait=false, with `info_data.declared_public` / `domain_mode`). A refused confirm
 * (e.g. 409: the dataset's ε cap) shows the service's sentence and keeps every edit.
 */
import { useId, useState } from "react";
import { api, ApiError, type JobPublic, type RunSettings } from "../../api/client";
import { formatNumber } from "../../lib/format";
import {
  columnOfMessage, confirmPayload, keepOnly, declaredColumns, describeOutputFormat, domainModeOf, setDomainMode, setWritesLikeInput,
  writesLikeInput, type SchemaOrigin, type SchemaState,
} from "../../lib/schemaModel";
import { methodLabel } from "../../lib/stages";
import { DescribedRadio } from "../ui/DescribedRadio";
import { ErrorAlert } from "../ui/ErrorAlert";
import { ColumnLimit } from "./ColumnLimit";
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
  /** The most columns a run may synthesize (`GET /whoami`); a wider table first asks which to keep. */
  maxColumns?: number;
}

export function ReviewStep({ uniqueId, origin, value, onChange, settings, onBack, onStarted, onExpired, notice, maxColumns }: Props) {
  const ids = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [columnErrors, setColumnErrors] = useState<Record<string, string>>({});
  const info = value.info;
  const kept = info.columns.filter((c) => value.domain[c] && !info.excluded_columns.includes(c)).length;
  const warnings = info.warnings ?? [];
  const rows = info.train_size ?? 0;
  const deltaTooLarge = rows > 0 && settings.delta > 1 / (10 * rows);
  const mode = domainModeOf(info);
  const declared = declaredColumns(value).length;

  async function start() {
    setBusy(true);
    setError(null);
    setColumnErrors({});
    try {
      const payload = confirmPayload(value);
      const job = await api.confirm(uniqueId, payload.domain, payload.info, settings, payload.domainMode);
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
      <fieldset className="mode-choice">
        <legend>Domain of the columns</legend>
        <DescribedRadio id={`${ids}-dp`} group={`${ids}-mode`} label="DP domain (default)"
          description="anything not declared public is discovered with DP: kinds, categories, bounds and formats, from a small share of ε."
          checked={mode === "dp"} onSelect={() => onChange(setDomainMode(value, "dp"))} />
        <DescribedRadio id={`${ids}-as`} group={`${ids}-mode`} label="As confirmed"
          description="I declare the whole schema below public: it is used exactly as shown, and the report says the domain is my declaration."
          checked={mode === "as_confirmed"} onSelect={() => onChange(setDomainMode(value, "as_confirmed"))} />
      </fieldset>
      {info.output_format && (
        <fieldset className="output-choice">
          <legend>Output file</legend>
          <label>
            <input type="checkbox" checked={mode === "as_confirmed" || writesLikeInput(info)} disabled={mode === "as_confirmed"}
              onChange={(e) => onChange(setWritesLikeInput(value, e.target.checked))} />{" "}
            Write the output like the input: {describeOutputFormat(info)}
          </label>
          <p className="help">
            This declares how your file is written (not anything about its rows) public. Untick it for standard CSV: comma-separated,
            decimal point, UTF-8, missing cells empty. Numbers keep each column's decimals.
          </p>
        </fieldset>
      )}
      <p className="help">
        {mode === "dp" ? (
          <>
            The values below were inferred from your private data and are shown to you only; they are suggestions. A
            column whose box <em>declare public</em> is ticked is used exactly as shown: tick it only for what is
            public knowledge (an age range of 0 to 120, the official list of regions). Editing a value ticks the box;
            untick it to keep the edit as a suggestion only. Everything else is discovered with DP when the run starts.{" "}
            <strong>{declared} of {kept} columns declared public.</strong>
          </>
        ) : (
          <>
            Every column below is declared public and used exactly as shown, without DP: the inferred values came from
            your private data, so change them to public knowledge where they are not.
          </>
        )}
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
      {maxColumns !== undefined && kept > maxColumns ? (
        <ColumnLimit columns={info.columns.filter((c) => value.domain[c] && !info.excluded_columns.includes(c))} limit={maxColumns}
          onKeep={(keep) => onChange(keepOnly(value, keep))} />
      ) : (
        <MetadataEditor value={value} origin={origin} onChange={onChange} columnErrors={columnErrors} fileName={info.name ?? "schema"} />
      )}
      {error && <ErrorAlert message={error} />}
      <div className="actions">
        <button type="button" className="secondary" onClick={onBack}>Back</button>
        <button type="button" className="primary" onClick={start} disabled={busy || kept === 0 || (maxColumns !== undefined && kept > maxColumns)}>
          Start synthesis
        </button>
        {kept === 0 && <span className="field-error">Keep at least one column.</span>}
        {busy && (
          <span className="muted" role="status">
            Starting the run{mode === "dp" && declared < kept ? ": discovering the undeclared columns with DP…" : "…"}
          </span>
        )}
      </div>
    </section>
  );
}

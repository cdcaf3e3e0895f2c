/** Step 1: the data (upload or sample), the method, ε / δ, rows and the method's knobs. */
import { useId, useRef, useState, type DragEvent } from "react";
import { api, type DataSource, type MethodPublic, type PreviewPublic, type RunSettings, type WhoAmI } from "../../api/client";
import { formatBytes } from "../../lib/format";
import { matchingPreset, PRESETS, presetValues, type KnobParam, type KnobValues, type PresetName } from "../../lib/presets";
import { knobValuesFor, LARGE_EPSILON, settingsOf, tooLargeMessage, validateForm, type RunForm } from "../../lib/runForm";
import { methodLabel } from "../../lib/stages";
import { ErrorAlert } from "../ui/ErrorAlert";
import { KnobFields } from "./KnobFields";
import { DescribedRadio } from "../ui/DescribedRadio";
import { NumberField } from "../ui/NumberField";

interface Props {
  form: RunForm;
  onChange: (form: RunForm) => void;
  methods: MethodPublic[];
  whoami: WhoAmI | null;
  notice: string | null;
  onPreview: (preview: PreviewPublic, settings: RunSettings, source: DataSource) => void;
  /** The data the current review was made from: submitting the same data again keeps the review and its edits. */
  reviewedSource?: DataSource | null;
  onReuse?: (settings: RunSettings) => void;
}

const ACCEPT = ".csv,.zip,.gz,.tsv,.txt,text/csv,application/zip";

export function DataStep({ form, onChange, methods, whoami, notice, onPreview, reviewedSource = null, onReuse }: Props) {
  const ids = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [showErrors, setShowErrors] = useState(false);

  const method = methods.find((m) => m.name === form.method) ?? methods[0];
  const params: KnobParam[] = method?.parameters ?? [];
  const knobValues = knobValuesFor(form, params);
  const errors = validateForm(form, params, whoami?.max_upload_bytes);
  const epsilon = Number(form.epsilon);
  const maxBytes = whoami?.max_upload_bytes;

  const update = (patch: Partial<RunForm>) => onChange({ ...form, ...patch });

  function chooseFile(file: File | undefined) {
    if (!file) return;
    setError(null);
    update({ source: { kind: "file", file } });
    if (maxBytes && file.size > maxBytes) setError(tooLargeMessage(file.size, maxBytes));
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    chooseFile(event.dataTransfer.files?.[0]);
  }

  function setPreset(preset: PresetName) {
    update({ preset, knobs: { ...form.knobs, [form.method]: presetValues(form.method, params, preset) } });
  }

  function setKnobs(values: KnobValues) {
    update({ knobs: { ...form.knobs, [form.method]: values }, preset: matchingPreset(form.method, params, values) });
  }

  function setMethod(name: string) {
    const next = methods.find((m) => m.name === name);
    const nextParams: KnobParam[] = next?.parameters ?? [];
    const knobs = form.knobs[name] ? form.knobs : { ...form.knobs, [name]: presetValues(name, nextParams, form.preset ?? "balanced") };
    onChange({ ...form, method: name, knobs, preset: matchingPreset(name, nextParams, knobs[name]) });
  }

  async function submit() {
    setShowErrors(true);
    setError(null);
    const first = Object.values(errors)[0];
    if (first || !form.source) {
      setError(first ?? "Choose a CSV or ZIP file, or use the Adult sample.");
      return;
    }
    const settings = settingsOf(form, params);
    if (onReuse && reviewedSource !== null && form.source === reviewedSource) {
      onReuse(settings);
      return;
    }
    if (form.source.kind === "stored") {
      setError("The data of that run is no longer kept by the service: choose the data again.");
      return;
    }
    setBusy(true);
    try {
      const source = form.source;
      const preview = await api.preview(source, settings);
      onPreview(preview, settings, source);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The file could not be read.");
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: keyof typeof errors) => (showErrors || name === "epsilon" || name === "delta" ? errors[name] : undefined);

  return (
    <section aria-labelledby={`${ids}-h`} className="step">
      <h2 id={`${ids}-h`}>1. Data</h2>
      {notice && <p className="notice" role="status">{notice}</p>}

      <fieldset>
        <legend>Your data</legend>
        <div
          className={`dropzone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <label htmlFor={`${ids}-file`} className="dropzone-label">CSV or ZIP file</label>
          <p className="muted" id={`${ids}-file-help`}>
            Drop a file here or choose one. A ZIP may hold one CSV; .gz works too.
            {maxBytes ? ` Files up to ${formatBytes(maxBytes)}` : " Files up to the service's limit"}
            {whoami
              ? `, tables up to ${whoami.max_columns.toLocaleString("en-US")} columns (a run uses up to ${whoami.max_synthesis_columns.toLocaleString("en-US")}: you choose which).`
              : "."}
            {" "}The file stays on this service; only you can see the preview and the results.
          </p>
          <input
            ref={fileInput}
            id={`${ids}-file`}
            type="file"
            accept={ACCEPT}
            aria-describedby={`${ids}-file-help`}
            onChange={(e) => chooseFile(e.target.files?.[0])}
          />
          <div className="chosen" aria-live="polite">
            {form.source?.kind === "file" && (
              <p>
                <strong>{form.source.file.name}</strong> — {formatBytes(form.source.file.size)}
              </p>
            )}
            {form.source?.kind === "stored" && (
              <p>
                <strong>{form.source.name}</strong> — the data of an earlier run, still kept by the service
              </p>
            )}
            {form.source?.kind === "sample" && (
              <p>
                <strong>Adult sample</strong> — the UCI Adult census extract (48,842 rows, 15 columns), bundled with the service
              </p>
            )}
          </div>
        </div>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setError(null);
            if (fileInput.current) fileInput.current.value = "";
            update({ source: { kind: "sample", name: "adult" } });
          }}
        >
          Use the Adult sample
        </button>
      </fieldset>

      <fieldset role="radiogroup" aria-label="Method" className="methods">
        <legend>Method</legend>
        {methods.map((m) => (
          <DescribedRadio
            key={m.name}
            id={`${ids}-m-${m.name}`}
            group={`${ids}-method`}
            label={methodLabel(m.name)}
            description={m.summary}
            checked={form.method === m.name}
            onSelect={() => setMethod(m.name)}
          />
        ))}
      </fieldset>

      <fieldset>
        <legend>Privacy</legend>
        <div className="field-grid">
          <NumberField
            id={`${ids}-eps`}
            label="Epsilon (ε)"
            inputMode="decimal"
            min="0"
            value={form.epsilon}
            error={fieldError("epsilon")}
            onChange={(epsilon) => update({ epsilon })}
            help="The privacy budget: smaller is more private and noisier. 0.5–2 is a common choice; 1 is the default."
          >
            {Number.isFinite(epsilon) && epsilon > LARGE_EPSILON && (
              <p className="warning">
                An ε above {LARGE_EPSILON} gives only a weak privacy guarantee: the synthetic rows may reveal a lot about
                individuals. Use it for testing, not for a public release.
              </p>
            )}
          </NumberField>
          <NumberField
            id={`${ids}-delta`}
            label="Delta (δ)"
            inputMode="decimal"
            min="0"
            max="1"
            value={form.delta}
            error={fieldError("delta")}
            onChange={(delta) => update({ delta })}
            help="The small chance that the ε guarantee fails. Keep it far below 1 ÷ the number of rows; 1e-9 is a safe default."
          />
          <NumberField
            id={`${ids}-rows`}
            label="Rows to generate"
            min="1"
            step="1"
            placeholder="Same as input"
            value={form.rows}
            error={fieldError("rows")}
            onChange={(rows) => update({ rows })}
            help="Leave empty for about as many rows as the input: the count is itself a DP estimate, so it differs from the input's by a little. Generating rows costs no privacy."
          />
        </div>
      </fieldset>

      <fieldset role="radiogroup" aria-label="Preset" className="presets">
        <legend>Preset</legend>
        {PRESETS.map((p) => (
          <DescribedRadio
            key={p.name}
            id={`${ids}-p-${p.name}`}
            group={`${ids}-preset`}
            label={p.label}
            description={p.description}
            checked={form.preset === p.name}
            onSelect={() => setPreset(p.name)}
          />
        ))}
        {form.preset === null && <p className="muted">Custom settings (changed in the advanced section).</p>}
      </fieldset>

      <details className="advanced">
        <summary>Advanced settings</summary>
        <NumberField
          id={`${ids}-time`}
          label="Time limit (minutes)"
          min="0"
          placeholder="No limit"
          value={form.timeLimit}
          error={fieldError("timeLimit")}
          onChange={(timeLimit) => update({ timeLimit })}
          help="Optional. When the time is up, AIM stops choosing marginals and finishes, and PrivSyn ends its generation rounds; the whole ε is still spent. Useful for AIM at a large ε, which can run for many minutes."
        />
        {params.length === 0 ? (
          <p className="muted">This method has no settings to change.</p>
        ) : (
          <KnobFields params={params} values={knobValues} onChange={setKnobs} />
        )}
      </details>

      {error && <ErrorAlert message={error} />}
      <div className="actions">
        <button type="button" className="primary" onClick={submit} disabled={busy}>
          Review schema
        </button>
        {busy && <span className="muted" role="status">Reading the data and inferring the schema…</span>}
        {!busy && reviewedSource !== null && form.source === reviewedSource && (
          <span className="muted">Same data as before: your reviewed schema is kept.</span>
        )}
      </div>
    </section>
  );
}

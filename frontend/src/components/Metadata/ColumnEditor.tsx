/**
 * The inline editor of one column: bounds, bins, binning, whole numbers, date format (numerical, datetime) or
 * categories and the "other" label (categorical), and nullable. Saving declares the column public (its
 * "declare public" box is ticked; the user can untick it, and the edit then stays a suggestion).
 */
import { useEffect, useId, useRef, useState } from "react";
import {
  applyDraft, BINNINGS, categoryLines, DP_BINNINGS, draftOf, validateDraft, type ColumnEntry, type Draft,
} from "../../lib/schemaModel";

interface Props {
  name: string;
  entry: ColumnEntry;
  origin: ColumnEntry | undefined;
  onSave: (entry: ColumnEntry) => void;
  onCancel: () => void;
}

const BINNING_HELP: Record<string, string> = {
  uniform: "equal-width bins",
  exponential: "finer bins near zero, for skewed values",
  privtree: "bins fitted to the data with differential privacy (costs a little budget)",
  dawa: "bins fitted to the data with differential privacy (costs a little budget)",
};

export function ColumnEditor({ name, entry, origin, onSave, onCancel }: Props) {
  const ids = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(entry));
  const [tried, setTried] = useState(false);
  const form = useRef<HTMLDivElement>(null);
  const errors = validateDraft(draft);
  const invalid = Object.keys(errors).length > 0;
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  // Keyboard users land in the editor when it opens.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>("input, textarea, select")?.focus();
  }, []);

  function save() {
    setTried(true);
    if (invalid) {
      form.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    onSave(applyDraft(entry, draft, origin));
  }

  const field = (key: "min" | "max" | "bins" | "decimals", label: string, type: string, help?: string) => (
    <div className="field">
      <label htmlFor={`${ids}-${key}`}>{label}</label>
      <input
        id={`${ids}-${key}`}
        type={type}
        step="any"
        value={draft[key]}
        aria-invalid={Boolean(errors[key])}
        aria-describedby={`${ids}-${key}-err${help ? ` ${ids}-${key}-help` : ""}`}
        onChange={(e) => set({ [key]: e.target.value })}
      />
      {help && <p className="help" id={`${ids}-${key}-help`}>{help}</p>}
      <p className="field-error" id={`${ids}-${key}-err`} role={errors[key] ? "alert" : undefined}>{errors[key]}</p>
    </div>
  );

  const dataBounds = origin?.numeric_summary;
  const counts = Object.entries(origin?.value_counts ?? entry.value_counts ?? {}).slice(0, 8);

  return (
    <div
      className="column-editor"
      ref={form}
      role="group"
      aria-label={`Edit ${name}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      {draft.type === "categorical" ? (
        <>
          <div className="field">
            <label htmlFor={`${ids}-cats`}>Categories</label>
            <textarea
              id={`${ids}-cats`}
              rows={Math.min(10, Math.max(3, categoryLines(draft.categories).length + 1))}
              value={draft.categories}
              aria-invalid={Boolean(errors.categories)}
              aria-describedby={`${ids}-cats-err ${ids}-cats-help`}
              onChange={(e) => set({ categories: e.target.value })}
            />
            <p className="help" id={`${ids}-cats-help`}>
              One per line. Saving declares this list public: it is released as written, so list values you know
              from public sources (the inferred list was read off your data and is shown to you only).
              {counts.length > 0 && ` Most frequent in the data: ${counts.map(([v, c]) => `${v} (${c})`).join(", ")}.`}
            </p>
            <p className="field-error" id={`${ids}-cats-err`} role={errors.categories ? "alert" : undefined}>
              {errors.categories}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-strategy`}>Values not in the list</label>
            <select id={`${ids}-strategy`} value={draft.strategy} onChange={(e) => set({ strategy: e.target.value })}>
              <option value="map_to_special">become “{draft.otherLabel.trim() || "other"}”</option>
              <option value="resample">are replaced by a random listed category</option>
            </select>
          </div>
          {draft.strategy === "map_to_special" && (
            <div className="field">
              <label htmlFor={`${ids}-other`}>Label of other values</label>
              <input id={`${ids}-other`} type="text" value={draft.otherLabel} aria-invalid={Boolean(errors.otherLabel)}
                aria-describedby={`${ids}-other-err`} onChange={(e) => set({ otherLabel: e.target.value })} />
              <p className="field-error" id={`${ids}-other-err`} role={errors.otherLabel ? "alert" : undefined}>{errors.otherLabel}</p>
            </div>
          )}
        </>
      ) : (
        <>
          <div className="field-grid">
            {field("min", "Minimum", draft.type === "datetime" ? "text" : "number",
              dataBounds ? `The data's minimum is ${dataBounds.min}.` : undefined)}
            {field("max", "Maximum", draft.type === "datetime" ? "text" : "number",
              dataBounds ? `The data's maximum is ${dataBounds.max}.` : undefined)}
            {field("bins", "Bins", "number")}
            <div className="field">
              <label htmlFor={`${ids}-binning`}>Binning</label>
              <select id={`${ids}-binning`} value={draft.binning} aria-describedby={`${ids}-binning-help`}
                onChange={(e) => set({ binning: e.target.value })}>
                {BINNINGS.map((b) => <option key={b} value={b}>{b}</option>)}
              </select>
              <p className="help" id={`${ids}-binning-help`}>{BINNING_HELP[draft.binning]}</p>
            </div>
            {draft.type === "numerical" ? (
              <>
                <div className="field checkbox-field">
                  <input id={`${ids}-int`} type="checkbox" checked={draft.integer} onChange={(e) => set({ integer: e.target.checked })} />
                  <label htmlFor={`${ids}-int`}>Whole numbers</label>
                </div>
                {!draft.integer && field("decimals", "Decimals", "number", "Written with this many decimals; blank: full precision.")}
              </>
            ) : (
              <div className="field">
                <label htmlFor={`${ids}-format`}>Date format</label>
                <input id={`${ids}-format`} type="text" value={draft.format} placeholder="%Y-%m-%d"
                  aria-describedby={`${ids}-format-help`} onChange={(e) => set({ format: e.target.value })} />
                <p className="help" id={`${ids}-format-help`}>strftime codes; blank: discovered with DP.</p>
              </div>
            )}
          </div>
          <p className="help">
            Values outside the bounds are clipped. Saving declares these bounds public: use public knowledge (e.g. 0 to
            120 for an age), not the data's exact minimum and maximum, which a declaration would release as they are.
            {DP_BINNINGS.includes(draft.binning) ? " DP binning spends part of ε." : ""}
          </p>
        </>
      )}
      <div className="field checkbox-field">
        <input id={`${ids}-null`} type="checkbox" checked={draft.nullable} onChange={(e) => set({ nullable: e.target.checked })} />
        <label htmlFor={`${ids}-null`}>May be missing (nullable)</label>
      </div>
      {tried && invalid && <p className="field-error">Fix the fields marked above before saving.</p>}
      <div className="actions">
        <button type="button" className="primary small" onClick={save} aria-disabled={invalid}>Save</button>
        <button type="button" className="secondary small" onClick={onCancel}>Cancel</button>
        {origin && origin.type === entry.type && (
          <button type="button" className="link small" onClick={() => setDraft(draftOf(origin))}>Reset to the inferred values</button>
        )}
      </div>
    </div>
  );
}

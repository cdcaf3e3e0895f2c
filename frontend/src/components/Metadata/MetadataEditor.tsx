/**
 * The review table of the inferred schema: one light row per column, search, type filter, bulk type
 * change, "declare public" per column and for all shown, an inline editor opened per row (saving an edit
 * declares the column), import/export of the CLI's schema file. Controlled: the schema
 * lives in the parent; rows are memoised so a 100+-column table filters and edits without re-rendering all.
 */
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import {
  buildRows, domainModeOf, exportDocument, filterRows, importDocument, replaceEntry, ROW_TYPES, setDeclared, setTypes,
  SchemaImportError,
  type ColumnEntry, type ColumnRow, type RowType, type SchemaOrigin, type SchemaState,
} from "../../lib/schemaModel";
import { ColumnEditor } from "./ColumnEditor";
import { ErrorAlert } from "../ui/ErrorAlert";

interface Props {
  value: SchemaState;
  origin: SchemaOrigin;
  onChange: (value: SchemaState) => void;
  /** Errors the service named a column for (shown in that column's row). */
  columnErrors?: Record<string, string>;
  fileName?: string;
}

export function MetadataEditor({ value, origin, onChange, columnErrors = {}, fileName = "schema" }: Props) {
  const ids = useId();
  const [query, setQuery] = useState("");
  const [typeFilter, setTypeFilter] = useState<RowType | "all">("all");
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkType, setBulkType] = useState<RowType>("categorical");
  const [editing, setEditing] = useState<string | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [importNote, setImportNote] = useState<string | null>(null);

  // Stable callbacks for the memoised rows: they read the latest schema through refs.
  const latest = useRef(value);
  latest.current = value;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const rows = useMemo(() => buildRows(value, origin), [value, origin]);
  const shown = useMemo(() => filterRows(rows, query, typeFilter), [rows, query, typeFilter]);
  const shownSelected = shown.filter((r) => selected.has(r.name));
  const allShownSelected = shown.length > 0 && shownSelected.length === shown.length;

  const changeType = useCallback((name: string, type: RowType) => {
    onChangeRef.current(setTypes(latest.current, origin, [name], type));
  }, [origin]);
  const toggle = useCallback((name: string, on: boolean) => {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  }, []);
  const declare = useCallback((name: string, on: boolean) => {
    onChangeRef.current(setDeclared(latest.current, [name], on));
  }, []);
  const openEditor = useCallback((name: string) => setEditing(name), []);
  const closeEditor = useCallback(() => setEditing(null), []);
  const saveEntry = useCallback((name: string, entry: ColumnEntry) => {
    onChangeRef.current(replaceEntry(latest.current, name, entry));
    setEditing(null);
  }, []);

  const wholeSchema = domainModeOf(value.info) === "as_confirmed";
  const declarable = shown.filter((r) => r.type !== "excluded");
  const allShownDeclared = declarable.length > 0 && declarable.every((r) => r.declared);
  const filtered = shown.length < rows.length;

  function declareShown(on: boolean) {
    onChange(setDeclared(value, declarable.map((r) => r.name), on));
  }

  function applyBulk() {
    const names = shownSelected.map((r) => r.name);
    if (!names.length) return;
    onChange(setTypes(value, origin, names, bulkType));
    setSelected(new Set());
  }

  function exportSchema() {
    const blob = new Blob([exportDocument(value)], { type: "application/json" });
    if (typeof URL.createObjectURL !== "function") return;
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `${fileName}-schema.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function importSchema(file: File | undefined) {
    setImportError(null);
    setImportNote(null);
    if (!file) return;
    try {
      const text = await readText(file);
      const next = importDocument(text, value);
      onChange(next);
      setEditing(null);
      setImportNote(`Imported the schema from ${file.name}.`);
    } catch (e) {
      const reason = e instanceof SchemaImportError ? e.message : "The file could not be read.";
      setImportError(`The schema file could not be imported. ${reason}`);
    }
  }

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of rows) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
  }, [rows]);

  return (
    <div className="metadata-editor">
      <div className="toolbar" role="search">
        <div className="field inline">
          <label htmlFor={`${ids}-q`}>Search columns</label>
          <input id={`${ids}-q`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <div className="field inline">
          <label htmlFor={`${ids}-f`}>Filter by type</label>
          <select id={`${ids}-f`} value={typeFilter} onChange={(e) => setTypeFilter(e.target.value as RowType | "all")}>
            <option value="all">All types</option>
            {ROW_TYPES.map((t) => <option key={t} value={t}>{t}{counts[t] ? ` (${counts[t]})` : ""}</option>)}
          </select>
        </div>
        <p data-testid="column-count" className="count" aria-live="polite">
          Showing {shown.length} of {rows.length} columns
        </p>
      </div>

      <div className="toolbar">
        <div className="field inline">
          <label htmlFor={`${ids}-bulk`}>Change selected to</label>
          <select id={`${ids}-bulk`} value={bulkType} onChange={(e) => setBulkType(e.target.value as RowType)}>
            {ROW_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <button type="button" className="secondary" onClick={applyBulk} disabled={shownSelected.length === 0}>
          Apply to selected
        </button>
        <span className="muted">{shownSelected.length} selected</span>
        <button type="button" className="secondary" onClick={() => declareShown(true)}
          disabled={wholeSchema || declarable.length === 0 || allShownDeclared}>
          {filtered ? "Declare all shown public" : "Declare all public"}
        </button>
        <button type="button" className="secondary" onClick={() => declareShown(false)}
          disabled={wholeSchema || !declarable.some((r) => r.declared)}>
          {filtered ? "Undeclare all shown" : "Undeclare all"}
        </button>
        <span className="muted" data-testid="declared-count">
          {wholeSchema ? "Whole schema declared public" : `${rows.filter((r) => r.declared).length} declared public`}
        </span>
        <span className="spacer" />
        <button type="button" className="secondary" onClick={exportSchema}>Export schema</button>
        <label className="file-button">
          <span>Import schema</span>
          <input type="file" accept=".json,application/json" aria-label="Import schema"
            onChange={(e) => {
              void importSchema(e.target.files?.[0]);
              e.target.value = "";
            }} />
        </label>
      </div>
      {importError && <ErrorAlert message={importError} />}
      {importNote && <p role="status" className="notice">{importNote}</p>}

      <div className="table-wrap">
        <table className="columns-table" aria-label="Columns">
          <thead>
            <tr>
              <th scope="col">
                <input type="checkbox" aria-label="Select all shown columns" checked={allShownSelected}
                  onChange={(e) => {
                    const on = e.target.checked;
                    setSelected((s) => {
                      const next = new Set(s);
                      for (const r of shown) if (on) next.add(r.name); else next.delete(r.name);
                      return next;
                    });
                  }} />
                {" "}Column
              </th>
              <th scope="col">Type</th>
              <th scope="col">Why</th>
              <th scope="col">Domain</th>
              <th scope="col">Bounds or categories</th>
              <th scope="col">Binning</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <Row
                key={row.name}
                row={row}
                selected={selected.has(row.name)}
                editing={editing === row.name}
                error={columnErrors[row.name]}
                entry={editing === row.name ? value.domain[row.name] : undefined}
                originEntry={editing === row.name ? origin.domain[row.name] : undefined}
                wholeSchema={wholeSchema}
                onType={changeType}
                onDeclare={declare}
                onToggle={toggle}
                onEdit={openEditor}
                onCancel={closeEditor}
                onSave={saveEntry}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p className="muted empty">No column matches the search and filter.</p>}
      </div>
    </div>
  );
}

function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("unreadable"));
    reader.readAsText(file);
  });
}

interface RowProps {
  row: ColumnRow;
  selected: boolean;
  editing: boolean;
  error?: string;
  entry?: ColumnEntry;
  originEntry?: ColumnEntry;
  /** `as_confirmed`: every column is declared; the boxes are ticked and locked. */
  wholeSchema: boolean;
  onType: (name: string, type: RowType) => void;
  onDeclare: (name: string, on: boolean) => void;
  onToggle: (name: string, on: boolean) => void;
  onEdit: (name: string) => void;
  onCancel: () => void;
  onSave: (name: string, entry: ColumnEntry) => void;
}

function sameRow(a: RowProps, b: RowProps): boolean {
  const keys = Object.keys(a.row) as (keyof ColumnRow)[];
  return a.selected === b.selected && a.editing === b.editing && a.error === b.error && a.entry === b.entry &&
    a.originEntry === b.originEntry && a.onType === b.onType && a.wholeSchema === b.wholeSchema &&
    a.onDeclare === b.onDeclare && keys.every((k) => a.row[k] === b.row[k]);
}

const Row = memo(function Row({
  row, selected, editing, error, entry, originEntry, wholeSchema, onType, onDeclare, onToggle, onEdit, onCancel, onSave,
}: RowProps) {
  const editable = row.type !== "excluded";
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  // Focus goes back to the row's Edit button when its editor closes.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <tr className={`${editing ? "editing" : ""}${error ? " has-error" : ""}`}>
      <td className="name">
        <input type="checkbox" aria-label={`Select ${row.name}`} checked={selected}
          onChange={(e) => onToggle(row.name, e.target.checked)} />
        {" "}{row.name}
      </td>
      <td>
        <select aria-label={`Type of ${row.name}`} value={row.type} onChange={(e) => onType(row.name, e.target.value as RowType)}>
          {ROW_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </td>
      <td className="reason">
        {row.reason || "—"}
        {row.inferredKind && row.inferredKind !== row.type && <span className="muted"> (inferred: {row.inferredKind})</span>}
        {row.suggestedFix && row.type !== "excluded" && <span className="muted"> Suggestion: {row.suggestedFix}.</span>}
        {(row.unique !== null || Boolean(row.missing)) && (
          <span className="stats">
            {row.unique !== null && `${row.unique.toLocaleString("en-US")} distinct`}
            {row.missing ? `${row.unique !== null ? ", " : ""}${row.missing.toLocaleString("en-US")} missing` : ""}
          </span>
        )}
      </td>
      <td>
        {row.type === "excluded" ? (
          <span className="muted">not synthesized{row.suggestedFix === "exclude" ? " (suggested; change the type to keep it)" : " (your exclusion)"}</span>
        ) : (
          <div className="declare">
            <label>
              <input type="checkbox" aria-label={`Declare ${row.name} public`} checked={row.declared} disabled={wholeSchema}
                onChange={(e) => onDeclare(row.name, e.target.checked)} />
              declare public
            </label>
            {row.declared ? (
              <span className="badge badge-public" title="Your public declaration: used exactly as written, not protected by DP.">
                declared public
              </span>
            ) : (
              <span className="badge badge-dp" title="Derived with differential privacy at the start of the run; the values shown are only a suggestion.">
                discovered with DP
              </span>
            )}
            {row.declared && row.open && <span className="muted">{row.open}: discovered with DP</span>}
            {row.declared && !wholeSchema && (
              <span className="muted hint">Untick to have it discovered with DP; your values then stay a suggestion.</span>
            )}
          </div>
        )}
      </td>
      <td className="detail">
        {editing && entry ? (
          <ColumnEditor name={row.name} entry={entry} origin={originEntry}
            onSave={(next) => onSave(row.name, next)} onCancel={onCancel} />
        ) : (
          <span>{row.detail}</span>
        )}
        {error && <p className="field-error">{error}</p>}
      </td>
      <td>{row.binning || "—"}</td>
      <td>
        {editable && !editing && (
          <button ref={editButton} type="button" className="secondary small" aria-label={`Edit ${row.name}`} onClick={() => onEdit(row.name)}>
            Edit
          </button>
        )}
      </td>
    </tr>
  );
}, sameRow);

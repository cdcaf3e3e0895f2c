/**
 * A table wider than a run can take: before the review renders (a 10,000-column review is slow to draw), the
 * user chooses which columns to keep — the first `limit`, or picked from a list. The others are excluded.
 */
import { useId, useMemo, useState } from "react";
import { plural } from "../../lib/format";

interface Props {
  columns: string[];
  limit: number;
  /** The columns to keep (at most `limit`); every other column is excluded. */
  onKeep: (kept: string[]) => void;
}

export function ColumnLimit({ columns, limit, onKeep }: Props) {
  const ids = useId();
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(() => new Set(columns.slice(0, limit)));
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? columns.filter((c) => c.toLowerCase().includes(q)) : columns;
  }, [columns, query]);
  const over = picked.size > limit;

  function toggle(name: string, on: boolean) {
    setPicked((current) => {
      const next = new Set(current);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  }

  return (
    <section aria-labelledby={`${ids}-h`} className="warning-box column-limit">
      <h3 id={`${ids}-h`}>This table has {plural(columns.length, "column")}; a run can use up to {limit.toLocaleString("en-US")}</h3>
      <p>Choose the columns to synthesize; the others are left out (you can still change types and exclusions in the review).</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => onKeep(columns.slice(0, limit))}>
          Keep the first {limit.toLocaleString("en-US")}
        </button>
        <button type="button" className="secondary" onClick={() => setPicking(true)} aria-expanded={picking}>Pick columns</button>
      </div>
      {picking && (
        <div className="column-picker">
          <div className="field inline">
            <label htmlFor={`${ids}-q`}>Find</label>
            <input id={`${ids}-q`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
            <button type="button" className="link small" onClick={() => setPicked(new Set())}>Clear all</button>
          </div>
          <p role="status" className={over ? "field-error" : "muted"}>
            {plural(picked.size, "column")} picked{over ? `: pick at most ${limit.toLocaleString("en-US")}` : ""}.
          </p>
          <ul className="picker-list" aria-label="Columns to keep">
            {shown.map((name) => (
              <li key={name}>
                <label>
                  <input type="checkbox" checked={picked.has(name)} onChange={(e) => toggle(name, e.target.checked)} /> {name}
                </label>
              </li>
            ))}
          </ul>
          <button type="button" className="primary" disabled={over || picked.size === 0}
            onClick={() => onKeep(columns.filter((c) => picked.has(c)))}>
            Keep the {plural(picked.size, "picked column")}
          </button>
        </div>
      )}
    </section>
  );
}

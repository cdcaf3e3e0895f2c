/** The first synthetic rows, read from the start of the CSV download (the rest is never fetched). */
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { parseCsv } from "../../lib/csv";
import { ErrorAlert } from "../ui/ErrorAlert";

export function Preview({ jobId }: { jobId: string }) {
  const [rows, setRows] = useState<string[][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.csvHead(jobId, 21).then(
      (text) => live && setRows(parseCsv(text).slice(0, 21)),
      (e) => live && setError(e instanceof Error ? e.message : "The preview could not be loaded."),
    );
    return () => {
      live = false;
    };
  }, [jobId]);
  const [header, ...body] = rows ?? [];
  return (
    <section className="panel">
      <h3>Preview</h3>
      {error && <ErrorAlert message={error} />}
      {!rows && !error && <p className="muted" role="status">Loading the first rows…</p>}
      {header && (
        <div className="table-wrap preview" tabIndex={0} role="region" aria-label="Synthetic preview, scrollable">
          <table aria-label="Synthetic preview">
            <thead>
              <tr>{header.map((h, i) => <th scope="col" key={i}>{h}</th>)}</tr>
            </thead>
            <tbody>
              {body.map((r, i) => (
                <tr key={i}>{header.map((_, j) => <td key={j}>{r[j] ?? ""}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {header && <p className="muted">The first {body.length} synthetic rows.</p>}
    </section>
  );
}

/** A small RFC 4180 CSV reader for the preview table (quoted fields, doubled quotes, CRLF). */

/** The complete records of `text`; a trailing record cut off mid-way (a partial download) is dropped. */
export function parseCsv(text: string, complete = false): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
    i += 1;
  }
  if (complete && !quoted && (field !== "" || record.length)) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Progress stages reported by the synthesizers (`method/…`), in words a data curator understands. */

const METHOD_NAMES: Record<string, string> = { privsyn: "PrivSyn", aim: "AIM", mst: "MST" };

const STAGES: Record<string, string> = {
  "": "Waiting to start",
  encode: "Encoding the table",
  "preprocess:binning": "Preparing: binning numeric columns",
  "privsyn:one-way": "PrivSyn: measuring single-column counts",
  "privsyn:select": "PrivSyn: choosing which column pairs to measure",
  "privsyn:measure": "PrivSyn: measuring the chosen marginals",
  "privsyn:consistency": "PrivSyn: making the noisy marginals consistent",
  "privsyn:gum": "PrivSyn: generating records (GUM)",
  "aim:init": "AIM: measuring single-column counts",
  "aim:select": "AIM: choosing the next marginal",
  "aim:measure": "AIM: measuring a marginal",
  "aim:round": "AIM: measuring marginals round by round",
  "aim:time": "AIM: finishing within the time limit",
  "aim:estimate": "AIM: fitting the final model",
  "mst:one-way": "MST: measuring single-column counts",
  "mst:select": "MST: choosing the spanning tree of pairs",
  "mst:measure": "MST: measuring the pairs",
  "mst:estimate": "MST: fitting the model",
  "mst:done": "MST: generating records",
};

export function stageLabel(stage: string): string {
  if (stage in STAGES) return STAGES[stage];
  const [method, rest] = stage.split(":", 2);
  if (rest && METHOD_NAMES[method]) return `${METHOD_NAMES[method]}: ${rest}`;
  return stage;
}

export function methodLabel(name: string): string {
  return METHOD_NAMES[name] ?? name;
}

export const STATE_LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { adultOrigin, evaluationFixture } from "./test/fixtures";

const PREVIEW_ID = "feedc0de00000000feedc0de00000000";

const olderRun = {
  job_id: "0123456789abcdef", status: "succeeded", method: "aim", params: { epsilon: 0.5, delta: 1e-9, rows: 100, time_budget_s: 600, knobs: {} },
  progress: { stage: "aim:estimate", fraction: 1, message: "" }, created_at: "2026-11-24T21:00:00Z", started_at: null,
  finished_at: "2026-11-24T21:01:05Z", status_url: "/jobs/0123456789abcdef",
};
const previewedRun = {
  job_id: "fedcba9876543210", status: "succeeded", method: "mst",
  params: {
    epsilon: 2, delta: 1e-9, rows: 300, knobs: {}, preview_id: PREVIEW_ID, dataset_name: "parcels_2024",
    source: { file_name: "parcels_2024.csv", rows: 48842, columns: 15, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b" },
  },
  progress: { stage: "mst:sample", fraction: 1, message: "" }, created_at: "2026-11-24T22:00:00Z", started_at: "2026-11-24T22:00:50Z",
  finished_at: "2026-11-24T22:01:05Z", status_url: "/jobs/fedcba9876543210",
  dataset_budget: { dataset_id: PREVIEW_ID, jobs: 3, rho: 0.3, epsilon: 4.75, delta: 1e-9 },
};
const { domain, info } = adultOrigin();

const replies: Record<string, unknown> = {
  "/whoami": { subject: "alice@example.org", is_admin: false, auth_mode: "trusted-header", max_upload_bytes: 1e8, max_columns: 2000, max_synthesis_columns: 200 },
  "/methods": { data: [{ name: "mst", summary: "MST.", parameters: [] }, { name: "privsyn", summary: "PrivSyn.", parameters: [] }], count: 2 },
  "/jobs": { data: [olderRun, previewedRun], count: 2 },
  [`/previews/${PREVIEW_ID}`]: { unique_id: PREVIEW_ID, domain_data: domain, info_data: info, message: "Review." },
  "/evaluate": { message: "Evaluation against the real data.", results: evaluationFixture() },
  [`/jobs/${previewedRun.job_id}/schema`]: {
    job_id: previewedRun.job_id, preview_id: PREVIEW_ID, domain_data: domain, info_data: { ...info, declared_public: ["age"] },
  },
  [`/jobs/${previewedRun.job_id}`]: {
    ...previewedRun, error: null, artifacts: [], ledger: [], privacy_report: null, backend: "inline", submission: {},
    session_available: false, download_url: `/download_synthesized_data/${previewedRun.job_id}`, session_id: previewedRun.job_id,
  },
};

/** `fetch` answering from `replies`; `gone` paths answer 404 with the service's envelope. */
function stubFetch(gone: string[] = []) {
  const fetchMock = vi.fn(async (url: string) => {
    if (gone.includes(url)) {
      return new Response(JSON.stringify({ detail: { error: "not_found", message: "no such preview" } }), { status: 404 });
    }
    return new Response(JSON.stringify(replies[url] ?? {}));
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

async function openRuns() {
  render(<App />);
  expect(await screen.findByText("alice@example.org")).toBeInTheDocument();
  const user = userEvent.setup();
  await user.click(within(screen.getByRole("navigation")).getByRole("button", { name: "Runs" }));
  const runs = await screen.findByRole("table", { name: "Runs" });
  return { user, rows: within(runs).getAllByRole("row").slice(1) };
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
});

describe("App", () => {
  it("shows who is signed in, navigates to the runs and re-runs one with its settings", async () => {
    stubFetch();
    render(<App />);
    expect(await screen.findByText("alice@example.org")).toBeInTheDocument();
    expect(screen.getByText(/Signed in as/)).toHaveTextContent("Signed in as alice@example.org");
    const nav = screen.getByRole("navigation");
    expect(within(nav).getByRole("button", { name: "New synthesis" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "1. Data" })).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(nav).getByRole("button", { name: "Runs" }));
    const runs = await screen.findByRole("table", { name: "Runs" });
    const row = within(runs).getAllByRole("row")[1];
    expect(row).toHaveTextContent(/Succeeded.*AIM.*0\.5.*1 min 5 s/);
    await user.click(within(row).getByRole("button", { name: "Re-run with changes" }));
    expect(screen.getByRole("heading", { name: "1. Data" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(/run 01234567 are filled in\. Choose the data again/);
    expect(screen.getByLabelText("Epsilon (ε)")).toHaveValue(0.5);
    expect(screen.getByLabelText("Rows to generate")).toHaveValue(100);
    expect(screen.getByLabelText("Time limit (minutes)")).toHaveValue(10);
  });

  it("measures a run's duration from its start, not from when it was queued", async () => {
    stubFetch();
    const { rows } = await openRuns();
    expect(rows[1]).toHaveTextContent(/MST.*15 s/); // started 50 s after it was created
    expect(rows[1]).not.toHaveTextContent("1 min 5 s");
  });

  it("shows each run's dataset ε so far (the odometer of its preview)", async () => {
    stubFetch();
    const { rows } = await openRuns();
    const runs = screen.getByRole("table", { name: "Runs" });
    expect(within(runs).getByRole("columnheader", { name: "Dataset ε so far" })).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent("4.75 (3 runs)");
    expect(rows[0]).toHaveTextContent(/AIM.*0\.5—/);
  });

  it("names each run's data set: its file, rows × columns and a short hash of the file", async () => {
    stubFetch();
    const { rows } = await openRuns();
    expect(rows[1]).toHaveTextContent("parcels_2024parcels_2024.csv · 48,842 × 15 · 9f86d081");
  });

  it("re-runs a run with changes from its stored preview: step 2 reopens with that schema, no upload", async () => {
    const fetchMock = stubFetch();
    const { user, rows } = await openRuns();
    await user.click(within(rows[1]).getByRole("button", { name: "Re-run with changes" }));
    expect(await screen.findByRole("heading", { name: "2. Review schema" })).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith(`/previews/${PREVIEW_ID}`, expect.anything());
    expect(screen.getByRole("status")).toHaveTextContent(/data of run fedcba98 is reopened with the schema as you confirmed it/);
    expect(fetchMock).toHaveBeenCalledWith(`/jobs/${previewedRun.job_id}/schema`, expect.anything());
    expect(screen.getByText(/1 of \d+ columns declared public/)).toBeInTheDocument(); // the run's declaration is back
    expect(screen.getByRole("table", { name: "Columns" })).toHaveTextContent("workclass");
    expect(screen.getByText(/MST, ε = 2,/)).toBeInTheDocument();

    // Back to the settings: the kept data is chosen, and "Review schema" returns to the review without a request.
    await user.click(screen.getByRole("button", { name: "Back" }));
    expect(screen.getByText(/the data of an earlier run, still kept by the service/)).toBeInTheDocument();
    expect(screen.getByLabelText("Epsilon (ε)")).toHaveValue(2);
    const calls = fetchMock.mock.calls.length;
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    expect(screen.getByRole("heading", { name: "2. Review schema" })).toBeInTheDocument();
    expect(fetchMock.mock.calls.length).toBe(calls);
  });

  it("asks for the data again when the run's preview has expired (404)", async () => {
    stubFetch([`/previews/${PREVIEW_ID}`]);
    const { user, rows } = await openRuns();
    await user.click(within(rows[1]).getByRole("button", { name: "Re-run with changes" }));
    expect(await screen.findByRole("heading", { name: "1. Data" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(/run fedcba98 are filled in\. Choose the data again/);
    expect(screen.getByLabelText("Epsilon (ε)")).toHaveValue(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("opens a run's results, and its “Re-run with changes” reopens the stored preview", async () => {
    const fetchMock = stubFetch();
    const { user, rows } = await openRuns();
    await user.click(within(rows[1]).getByRole("button", { name: "Open" }));
    expect(await screen.findByRole("heading", { name: "4. Results" })).toBeInTheDocument();
    const results = screen.getByRole("heading", { name: "4. Results" }).closest("section") as HTMLElement;
    await user.click(within(results).getByRole("button", { name: "Re-run with changes" }));
    expect(await screen.findByRole("heading", { name: "2. Review schema" })).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith(`/previews/${PREVIEW_ID}`, expect.anything());
  });

  it("gives each page an address: a reload on /runs/{id} reopens that run's results, Back returns to the runs", async () => {
    stubFetch();
    window.history.replaceState(null, "", `/runs/${previewedRun.job_id}`);
    render(<App />);
    expect(await screen.findByRole("heading", { name: "4. Results" })).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(screen.getByRole("navigation")).getByRole("button", { name: "Runs" }));
    expect(window.location.pathname).toBe("/runs");
    await user.click(within((await screen.findByRole("table", { name: "Runs" }))).getAllByRole("row")[2]
      .querySelector("button") as HTMLElement);
    expect(await screen.findByRole("heading", { name: "4. Results" })).toBeInTheDocument();
    expect(window.location.pathname).toBe(`/runs/${previewedRun.job_id}`);
    window.history.back();
    expect(await screen.findByRole("table", { name: "Runs" })).toBeInTheDocument();
  });

  it("reopens a preview's review from its address", async () => {
    stubFetch();
    window.history.replaceState(null, "", `/previews/${PREVIEW_ID}/review`);
    render(<App />);
    expect(await screen.findByRole("heading", { name: "2. Review schema" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Columns" })).toHaveTextContent("workclass");
  });

  it("compares two selected runs side by side", async () => {
    stubFetch();
    const { user, rows } = await openRuns();
    const compare = screen.getByRole("button", { name: "Compare the two selected runs" });
    expect(compare).toBeDisabled();
    await user.click(within(rows[0]).getByRole("checkbox"));
    await user.click(within(rows[1]).getByRole("checkbox"));
    await user.click(compare);
    const table = screen.getByRole("table", { name: "Run comparison" });
    expect(within(table).getByRole("row", { name: /^Method AIM MST$/ })).toBeInTheDocument();
    expect(within(table).getByRole("row", { name: /^Data — parcels_2024 \(48,842 × 15\)$/ })).toBeInTheDocument();
  });

  it("deletes a finished run after asking, and lists the runs again", async () => {
    const fetchMock = stubFetch();
    vi.stubGlobal("confirm", vi.fn(() => true));
    fetchMock.mockImplementation(async (url: string, init?: RequestInit) =>
      init?.method === "DELETE" ? new Response(null, { status: 204 }) : new Response(JSON.stringify(replies[url] ?? {})));
    const { user, rows } = await openRuns();
    await user.click(within(rows[1]).getByRole("button", { name: "Delete" }));
    expect(fetchMock).toHaveBeenCalledWith(`/jobs/${previewedRun.job_id}`, expect.objectContaining({ method: "DELETE" }));
    expect(await screen.findByText("Run fedcba98 was deleted.")).toBeInTheDocument();
  });
});

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";

const replies: Record<string, unknown> = {
  "/whoami": { subject: "alice@example.org", is_admin: false, auth_mode: "trusted-header", max_upload_bytes: 1e8, max_columns: 200 },
  "/methods": { data: [{ name: "mst", summary: "MST.", parameters: [] }, { name: "privsyn", summary: "PrivSyn.", parameters: [] }], count: 2 },
  "/jobs": {
    data: [{
      job_id: "0123456789abcdef", status: "succeeded", method: "aim", params: { epsilon: 0.5, delta: 1e-9, rows: 100, knobs: {} },
      progress: { stage: "aim:estimate", fraction: 1 }, created_at: "2026-11-24T21:00:00Z", finished_at: "2026-11-24T21:01:05Z",
      status_url: "/jobs/0123456789abcdef",
    }],
    count: 1,
  },
};

afterEach(() => vi.unstubAllGlobals());

describe("App", () => {
  it("shows who is signed in, navigates to the runs and re-runs one with its settings", async () => {
    vi.stubGlobal("fetch", vi.fn(async (url: string) => new Response(JSON.stringify(replies[url] ?? {}))));
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
  });
});

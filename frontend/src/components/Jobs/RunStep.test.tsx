import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jobFixture as job } from "../../test/fixtures";
import { RunStep } from "./RunStep";

afterEach(() => vi.unstubAllGlobals());

describe("RunStep", () => {
  it("shows the stage in words and the fraction as the progress bar's value", () => {
    vi.stubGlobal("fetch", vi.fn(() => new Promise(() => undefined)));
    render(<RunStep initial={job({})} startedLocally={Date.now() - 12_000} onSucceeded={vi.fn()} onBackToReview={vi.fn()} onTryAnotherMethod={vi.fn()} />);
    const bar = screen.getByRole("progressbar", { name: "Synthesis progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "52");
    expect(bar).toHaveAttribute("aria-valuemin", "0");
    expect(bar).toHaveAttribute("aria-valuemax", "100");
    expect(screen.getByText("PrivSyn: generating records (GUM)")).toBeInTheDocument();
    expect(screen.getByText("Elapsed: 12 s")).toBeInTheDocument();
  });

  it("polls until the job succeeds, then moves on", async () => {
    const done = job({ status: "succeeded", progress: { stage: "privsyn:gum", fraction: 1, message: "" } });
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(done))));
    const onSucceeded = vi.fn();
    render(<RunStep initial={job({})} startedLocally={null} onSucceeded={onSucceeded} onBackToReview={vi.fn()} onTryAnotherMethod={vi.fn()} pollMs={5} />);
    await waitFor(() => expect(onSucceeded).toHaveBeenCalledWith(done));
  });

  it("cancels, then offers to start over", async () => {
    const cancelled = job({ status: "cancelled", finished_at: new Date().toISOString() });
    const fetchMock = vi.fn(async (url: string, _init?: RequestInit) =>
      url.endsWith("/cancel") ? new Response(JSON.stringify(cancelled)) : new Promise<Response>(() => undefined));
    vi.stubGlobal("fetch", fetchMock);
    const onBackToReview = vi.fn();
    render(<RunStep initial={job({})} startedLocally={null} onSucceeded={vi.fn()} onBackToReview={onBackToReview}
      onTryAnotherMethod={vi.fn()} pollMs={60_000} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Cancel run" }));
    expect(fetchMock).toHaveBeenCalledWith("/jobs/abcdef0123456789/cancel", expect.objectContaining({ method: "POST" }));
    expect(await screen.findByText("Run cancelled. Nothing was released.")).toHaveClass("neutral-notice");
    expect(screen.queryByRole("button", { name: "Cancel run" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Back to review" }));
    expect(onBackToReview).toHaveBeenCalled();
  });

  it("shows a failure as a sentence with its code, and offers the way back", async () => {
    const failed = job({ status: "failed", error: { code: "worker_died", message: "the worker process exited with code 137" } });
    const onTryAnotherMethod = vi.fn();
    render(<RunStep initial={failed} startedLocally={null} onSucceeded={vi.fn()} onBackToReview={vi.fn()} onTryAnotherMethod={onTryAnotherMethod} />);
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The run failed. The worker running this job stopped unexpectedly (out of memory or restarted). The worker process exited with code 137. " +
        "(error code worker_died, job abcdef01)",
    );
    await userEvent.setup().click(screen.getByRole("button", { name: "Try another method" }));
    expect(onTryAnotherMethod).toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Copy details" })).toBeInTheDocument();
  });
});

describe("RunStep progress", () => {
  it("never moves the bar backwards and shows 100 on success", async () => {
    const replies = [
      job({ progress: { stage: "mst:measure", fraction: 0.3, message: "" } }),
      job({ progress: { stage: "encode", fraction: 0.0, message: "" } }),
      job({ status: "succeeded", progress: { stage: "mst:done", fraction: 0.99, message: "" } }),
    ];
    const seen: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(replies.shift()))));
    const onSucceeded = vi.fn();
    render(<RunStep initial={job({ status: "queued", progress: { stage: "", fraction: 0, message: "" } })} startedLocally={null}
      onSucceeded={onSucceeded} onBackToReview={vi.fn()} onTryAnotherMethod={vi.fn()} pollMs={5} />);
    await waitFor(() => {
      seen.push(screen.getByRole("progressbar").getAttribute("aria-valuenow") ?? "");
      expect(onSucceeded).toHaveBeenCalled();
    });
    const values = seen.map(Number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  });
});

describe("RunStep detail", () => {
  it("shows what the method says about its progress (AIM's round and ETA)", () => {
    const running = job({ status: "running", progress: { stage: "aim:select", fraction: 0.4, message: "round 7 of an estimated 42 (ETA 12 s)" } });
    render(<RunStep initial={running} startedLocally={null} onSucceeded={vi.fn()} onBackToReview={vi.fn()} onTryAnotherMethod={vi.fn()} pollMs={60_000} />);
    expect(screen.getByTestId("progress-detail")).toHaveTextContent("round 7 of an estimated 42 (ETA 12 s)");
  });
});

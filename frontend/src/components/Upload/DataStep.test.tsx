import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DataSource, MethodPublic, PreviewPublic, RunSettings, WhoAmI } from "../../api/client";
import { initialForm, type RunForm } from "../../lib/runForm";
import { DataStep } from "./DataStep";

const methods: MethodPublic[] = [
  { name: "privsyn", summary: "PrivSyn summary.", parameters: [
    { name: "update_iterations", type: "int", default: 50, minimum: 0, maximum: 10000, help: "GUM rounds" },
    { name: "consist_iterations", type: "int", default: 501, minimum: 1, maximum: 100000, help: "consistency rounds" },
    { name: "append_attributes", type: "bool", default: true, help: "append" },
  ] },
  { name: "aim", summary: "AIM summary.", parameters: [{ name: "max_iters", type: "int", default: 1000, minimum: 0, help: "iters" }] },
  { name: "mst", summary: "MST summary.", parameters: [] },
];

const whoami: WhoAmI = { subject: "alice", is_admin: false, auth_mode: "trusted-header", max_upload_bytes: 1024, max_columns: 2000, max_synthesis_columns: 200 };

function renderStep(onPreview = vi.fn<(p: PreviewPublic, s: RunSettings, d: DataSource) => void>()) {
  function Harness() {
    const [form, setForm] = useState<RunForm>(initialForm);
    return <DataStep form={form} onChange={setForm} methods={methods} whoami={whoami} notice={null} onPreview={onPreview} />;
  }
  render(<Harness />);
  return { user: userEvent.setup(), onPreview };
}

afterEach(() => vi.unstubAllGlobals());

/** Step 1 with the Adult sample chosen; the service answers every preview with `reply`. */
async function adultSampleChosen() {
  const reply = { unique_id: "u", domain_data: {}, info_data: { columns: [] }, message: "" };
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(reply)));
  vi.stubGlobal("fetch", fetchMock);
  const { user, onPreview } = renderStep(vi.fn<(p: PreviewPublic, s: RunSettings, d: DataSource) => void>());
  await user.click(screen.getByRole("button", { name: "Use the Adult sample" }));
  return { reply, fetchMock, user, onPreview };
}

describe("DataStep", () => {
  it("offers the three methods with descriptions, and the presets", () => {
    renderStep();
    const group = screen.getByRole("radiogroup", { name: "Method" });
    expect(group).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "PrivSyn" })).toBeChecked();
    expect(screen.getByRole("radio", { name: "AIM" })).toHaveAccessibleDescription("AIM summary.");
    expect(screen.getByRole("radio", { name: "MST" })).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "Balanced" })).toBeChecked();
    expect(screen.getByLabelText("Rows to generate")).toHaveAttribute("placeholder", "Same as input");
  });

  it("warns about a large epsilon and refuses a non-positive one", async () => {
    const { user } = renderStep();
    const eps = screen.getByLabelText("Epsilon (ε)");
    await user.clear(eps);
    await user.type(eps, "12");
    expect(screen.getByText(/weak privacy guarantee/)).toBeInTheDocument();
    await user.clear(eps);
    await user.type(eps, "0");
    expect(eps).toHaveAccessibleDescription(/greater than 0/);
  });

  it("refuses a file above the service's limit before uploading it", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const { user } = renderStep();
    await user.upload(screen.getByLabelText("CSV or ZIP file"), new File(["x".repeat(2048)], "big.csv", { type: "text/csv" }));
    expect(screen.getByText("big.csv")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(/accepts files up to/);
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("previews the Adult sample with the chosen preset's knobs", async () => {
    const { reply, fetchMock, user, onPreview } = await adultSampleChosen();
    await user.click(screen.getByRole("radio", { name: "Fast" }));
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/synthesize");
    const body = init?.body as FormData;
    expect(body.get("dataset_name")).toBe("adult");
    expect(body.get("data_file")).toBeNull();
    expect(body.get("delta")).toBe("1e-9");
    expect(JSON.parse(String(body.get("knobs")))).toEqual({ update_iterations: 15, consist_iterations: 101 });
    expect(onPreview).toHaveBeenCalledWith(reply, expect.objectContaining({ method: "privsyn", epsilon: 1, rows: null }), { kind: "sample", name: "adult" });
  });

  it("sends a time limit in seconds and refuses one that is not positive", async () => {
    const { reply, fetchMock, user, onPreview } = await adultSampleChosen();
    const limit = screen.getByLabelText("Time limit (minutes)");
    await user.type(limit, "0");
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    expect(fetchMock).not.toHaveBeenCalled();
    expect(screen.getByRole("alert")).toHaveTextContent(/time limit must be a number of minutes greater than 0/);
    await user.clear(limit);
    await user.type(limit, "1.5");
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    expect((fetchMock.mock.calls[0][1]?.body as FormData).get("time_budget")).toBe("90");
    expect(onPreview).toHaveBeenCalledWith(reply, expect.objectContaining({ timeBudgetSeconds: 90 }), { kind: "sample", name: "adult" });
  });

  it("turns a knob edit into custom settings and validates it", async () => {
    const { user } = renderStep();
    const knob = screen.getByLabelText("Record-fitting rounds");
    await user.click(screen.getByLabelText("Expert: show the papers' parameter names"));
    expect(screen.getByLabelText("update_iterations")).toBe(knob); // the paper's name, in expert mode
    await user.clear(knob);
    await user.type(knob, "-1");
    expect(knob).toHaveAccessibleDescription(/update_iterations must be at least 0\./);
    expect(screen.getByRole("radio", { name: "Balanced" })).not.toBeChecked();
  });
});

describe("DataStep with a review in progress", () => {
  it("keeps the review (no new upload) while the same data is chosen", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const source = { kind: "sample" as const, name: "adult" };
    const onReuse = vi.fn();
    function Harness() {
      const [form, setForm] = useState<RunForm>({ ...initialForm(), source });
      return <DataStep form={form} onChange={setForm} methods={methods} whoami={whoami} notice={null} onPreview={vi.fn()}
        reviewedSource={source} onReuse={onReuse} />;
    }
    render(<Harness />);
    const user = userEvent.setup();
    expect(screen.getByText("Same data as before: your reviewed schema is kept.")).toBeInTheDocument();
    await user.click(screen.getByRole("radio", { name: "MST" }));
    await user.click(screen.getByRole("button", { name: "Review schema" }));
    expect(fetchMock).not.toHaveBeenCalled();
    expect(onReuse).toHaveBeenCalledWith(expect.objectContaining({ method: "mst" }));
  });
});

describe("DataStep with the kept data of an earlier run", () => {
  it("does not send a request once that review is gone, and asks for the data again", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const source = { kind: "stored" as const, previewId: "feedc0de", name: "adult" };
    render(<DataStep form={{ ...initialForm(), source }} onChange={vi.fn()} methods={methods} whoami={whoami} notice={null}
      onPreview={vi.fn()} reviewedSource={null} onReuse={vi.fn()} />);
    expect(screen.getByText(/the data of an earlier run, still kept by the service/)).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Review schema" }));
    expect(screen.getByRole("alert")).toHaveTextContent("no longer kept by the service: choose the data again");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

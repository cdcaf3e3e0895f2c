import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { JobPublic, RunSettings } from "../../api/client";
import type { SchemaState } from "../../lib/schemaModel";
import { adultOrigin, jobFixture } from "../../test/fixtures";
import { ReviewStep } from "./ReviewStep";

const settings: RunSettings = { method: "mst", epsilon: 1, delta: 1e-9, rows: null, knobs: {} };

/** The review step with its schema in state; `fetch` answers `reply` for the confirm. */
function renderReview(reply: Response) {
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => reply);
  vi.stubGlobal("fetch", fetchMock);
  const origin = adultOrigin();
  const started = vi.fn<(job: JobPublic) => void>();
  function Harness() {
    const [value, setValue] = useState<SchemaState>(origin);
    return <ReviewStep uniqueId="u1" origin={origin} value={value} onChange={setValue} settings={settings}
      onBack={() => undefined} onStarted={started} />;
  }
  render(<Harness />);
  const sent = () => {
    const body = fetchMock.mock.calls[0][1]?.body as FormData;
    return { mode: body.get("domain_mode"), info: JSON.parse(String(body.get("confirmed_info_data"))) };
  };
  return { user: userEvent.setup(), started, sent };
}

afterEach(() => vi.unstubAllGlobals());

describe("ReviewStep", () => {
  it("offers the two modes, DP domain by default, and sends the declaration with the confirm", async () => {
    const { user, started, sent } = renderReview(new Response(JSON.stringify(jobFixture())));
    expect(screen.getByRole("radio", { name: "DP domain (default)" })).toBeChecked();
    expect(screen.getByRole("radio", { name: "DP domain (default)" })).toHaveAccessibleDescription(/not declared public is discovered with DP/);
    expect(screen.queryByText(/not these domain choices/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: "Declare workclass public" }));
    expect(screen.getByText("1 of 4 columns declared public.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Start synthesis" }));
    expect(started).toHaveBeenCalled();
    expect(sent()).toMatchObject({ mode: "dp", info: { domain_mode: "dp", declared_public: ["workclass"], excluded_columns: ["id"] } });
  });

  it("declares the whole schema in the as-confirmed mode", async () => {
    const { user, sent } = renderReview(new Response(JSON.stringify(jobFixture())));
    await user.click(screen.getByRole("radio", { name: "As confirmed" }));
    expect(screen.getByRole("checkbox", { name: "Declare age public" })).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Start synthesis" }));
    expect(sent()).toMatchObject({ mode: "as_confirmed", info: { domain_mode: "as_confirmed" } });
  });

  it("shows a 409 (the dataset's ε cap) as the service's sentence and keeps the edits", async () => {
    const envelope = {
      detail: {
        error: "conflict",
        message: "this run would bring the dataset's cumulative ε to 2.9, above the limit of 2.5",
      },
    };
    const { user, started } = renderReview(new Response(JSON.stringify(envelope), { status: 409 }));
    await user.click(screen.getByRole("checkbox", { name: "Declare age public" }));
    await user.click(screen.getByRole("radio", { name: "As confirmed" }));
    await user.click(screen.getByRole("radio", { name: "DP domain (default)" }));
    await user.click(screen.getByRole("button", { name: "Start synthesis" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This run would bring the dataset's cumulative ε to 2.9, above the limit of 2.5.",
    );
    expect(started).not.toHaveBeenCalled();
    expect(screen.getByRole("checkbox", { name: "Declare age public" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Declare workclass public" })).not.toBeChecked();
    expect(screen.getByRole("button", { name: "Start synthesis" })).toBeEnabled();
  });
});

describe("ReviewStep with a table wider than a run can take", () => {
  function renderWide(limit: number) {
    const origin = adultOrigin(); // 4 columns
    function Harness() {
      const [value, setValue] = useState<SchemaState>(origin);
      return <ReviewStep uniqueId="u1" origin={origin} value={value} onChange={setValue} settings={settings} maxColumns={limit}
        onBack={() => undefined} onStarted={() => undefined} />;
    }
    render(<Harness />);
    return { user: userEvent.setup(), columns: origin.info.columns.filter((c) => !origin.info.excluded_columns.includes(c)) };
  }

  it("asks which columns to keep before drawing the review: the first ones", async () => {
    const { user, columns } = renderWide(2);
    expect(screen.getByRole("heading", { name: "This table has 4 columns; a run can use up to 2" })).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Columns" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start synthesis" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Keep the first 2" }));
    expect(screen.getByRole("table", { name: "Columns" })).toBeInTheDocument();
    expect(screen.getByText((_, el) => el?.tagName === "P" && /5 columns \(2 to synthesize\)/.test(el.textContent ?? ""))).toBeInTheDocument();
    expect(screen.getByLabelText(`Type of ${columns[3]}`)).toHaveValue("excluded");
  });

  it("or picked from the list, at most the limit", async () => {
    const { user, columns } = renderWide(2);
    await user.click(screen.getByRole("button", { name: "Pick columns" }));
    await user.click(screen.getByRole("checkbox", { name: columns[3] }));
    expect(screen.getByRole("status")).toHaveTextContent("3 columns picked: pick at most 2.");
    await user.click(screen.getByRole("checkbox", { name: columns[0] }));
    await user.click(screen.getByRole("button", { name: "Keep the 2 picked columns" }));
    expect(screen.getByLabelText(`Type of ${columns[0]}`)).toHaveValue("excluded");
    expect(screen.getByLabelText(`Type of ${columns[3]}`)).not.toHaveValue("excluded");
  });
});

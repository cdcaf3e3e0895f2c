import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, errorSentence, fillPath } from "./client";

describe("errorSentence", () => {
  it("reads the service's envelope as a sentence with its hint", () => {
    const body = { detail: { error: "no_file", message: "no file was uploaded and 'x' is not a bundled sample", hint: "upload a CSV or ZIP" } };
    expect(errorSentence(422, body)).toEqual({
      message: "No file was uploaded and 'x' is not a bundled sample. Upload a CSV or ZIP.",
      code: "no_file",
      hint: "upload a CSV or ZIP",
    });
  });

  it("never shows raw JSON for other shapes", () => {
    expect(errorSentence(422, { detail: [{ loc: ["body", "x"], msg: "field required" }] }).message).toBe("Field required.");
    expect(errorSentence(404, { detail: "Not Found" }).message).toBe("Not Found.");
    expect(errorSentence(500, null).message).toBe("The service answered with an unexpected error (HTTP 500).");
    expect(errorSentence(413, "<html>").message).toMatch(/larger than the service accepts/);
  });
});

describe("requests", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("fills path parameters from the schema's paths", () => {
    expect(fillPath("/jobs/{job_id}", { job_id: "a/b" })).toBe("/jobs/a%2Fb");
  });

  it("sends credentials and maps an error reply to an ApiError", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ detail: { error: "not_found", message: "no job 'x'" } }), { status: 404 }));
    vi.stubGlobal("fetch", fetchMock);
    const error = await api.job("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "No job 'x'." });
    expect(fetchMock).toHaveBeenCalledWith("/jobs/x", expect.objectContaining({ credentials: "include" }));
  });

  it("posts the reviewed schema as JSON text fields and asks not to wait", async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify({ job_id: "j" }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    await api.confirm("u1", { age: { type: "numerical" } }, { columns: ["age"] }, { method: "mst", epsilon: 2, delta: 1e-9, rows: null, knobs: { iters: 10 } });
    const body = fetchMock.mock.calls[0][1]?.body as FormData;
    expect(body.get("unique_id")).toBe("u1");
    expect(body.get("wait")).toBe("false");
    expect(JSON.parse(String(body.get("confirmed_domain_data")))).toEqual({ age: { type: "numerical" } });
    expect(body.get("knobs")).toBe('{"iters":10}');
    expect(body.get("n_sample")).toBeNull();
    expect(body.get("time_budget")).toBeNull();
  });

  it("explains a network failure", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    await expect(api.jobs()).rejects.toThrow("The service could not be reached. Check your connection and try again.");
  });
});

import { describe, expect, it } from "vitest";
import { parseRoute, pathOf, type Route } from "./route";

describe("routes", () => {
  it("round-trips every page through its URL", () => {
    const routes: Route[] = [{ page: "new" }, { page: "review", previewId: "ab12" }, { page: "runs" }, { page: "run", jobId: "cd34" }];
    for (const route of routes) expect(parseRoute(pathOf(route))).toEqual(route);
  });

  it("reads / and unknown paths as a new synthesis", () => {
    expect(parseRoute("/")).toEqual({ page: "new" });
    expect(parseRoute("/runs/../etc")).toEqual({ page: "new" });
  });
});

// The generated client must match the committed openapi.json (regenerate with `npm run gen:api`).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

describe("src/client/schema.d.ts", () => {
  it("is what `npm run gen:api` makes of openapi.json", async () => {
    const schema = JSON.parse(readFileSync(resolve(root, "openapi.json"), "utf8"));
    const generated = astToString(await openapiTS(schema));
    const committed = readFileSync(resolve(root, "src/client/schema.d.ts"), "utf8");
    const body = (text: string) => text.slice(text.indexOf("export interface paths")).trim();
    expect(body(committed)).toBe(body(generated));
  });
});

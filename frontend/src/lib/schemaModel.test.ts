import { describe, expect, it } from "vitest";
import { adultOrigin } from "../test/fixtures";
import { columnOfMessage, exportDocument, importDocument, provenanceOf, validateDraft, type Draft } from "./schemaModel";

const numeric: Draft = { type: "numerical", min: "0", max: "10", bins: "32", binning: "uniform", categories: "", strategy: "map_to_special" };

describe("validateDraft", () => {
  it("accepts equal bounds and refuses min > max or non-numbers", () => {
    expect(validateDraft({ ...numeric, min: "5", max: "5" })).toEqual({});
    expect(validateDraft({ ...numeric, min: "11" }).max).toMatch(/must not be smaller/);
    expect(validateDraft({ ...numeric, min: "abc" }).min).toBe("The minimum must be a number.");
    expect(validateDraft({ ...numeric, max: "" }).max).toBe("Enter a maximum.");
  });
  it("checks datetime bounds in ISO order", () => {
    const dates = { ...numeric, type: "datetime" as const, min: "2024-05-01", max: "2024-01-01" };
    expect(validateDraft(dates).max).toMatch(/not be before/);
  });
});

describe("import and export", () => {
  it("round-trips the CLI's format", () => {
    const origin = adultOrigin();
    const text = exportDocument(origin);
    expect(Object.keys(JSON.parse(text))).toEqual(["domain_data", "info_data"]);
    expect(importDocument(text, origin)).toEqual(origin);
  });
  it("refuses documents without domain_data", () => {
    expect(() => importDocument("[]", adultOrigin())).toThrow(/JSON object/);
    expect(() => importDocument('{"info_data": {}}', adultOrigin())).toThrow(/no "domain_data"/);
  });
});

describe("provenance", () => {
  it("is public only when every data value was replaced", () => {
    const age = adultOrigin().domain.age;
    expect(provenanceOf(age, age)).toBe("data");
    expect(provenanceOf({ ...age, bounds: { min: 0, max: 90 } }, age)).toBe("data");
    expect(provenanceOf({ ...age, bounds: { min: 0, max: 120 } }, age)).toBe("public");
  });
});

describe("columnOfMessage", () => {
  it("finds the column a service message names", () => {
    const columns = ["age", "it's"];
    expect(columnOfMessage("column 'age': min 5 is greater than max 3", columns)).toBe("age");
    expect(columnOfMessage(`Column "it's": bins must be an integer`, columns)).toBe("it's");
    expect(columnOfMessage("column(s) 'zzz' are not in the table", columns)).toBeNull();
  });
});

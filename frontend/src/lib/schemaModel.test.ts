import { describe, expect, it } from "vitest";
import { adultOrigin } from "../test/fixtures";
import {
  applyDraft, buildRow, columnOfMessage, confirmPayload, declaredColumns, draftOf, exportDocument, importDocument,
  describeOutputFormat, isDeclared, replaceEntry, setDeclared, setDomainMode, setTypes, setWritesLikeInput, validateDraft,
  withSuggestedExclusions,
  type Draft, type SchemaState,
} from "./schemaModel";

const numeric: Draft = {
  type: "numerical", min: "0", max: "10", bins: "32", binning: "uniform", categories: "", strategy: "map_to_special",
  nullable: false, integer: true, decimals: "", format: "", otherLabel: "other",
};

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
  it("takes the file's declaration when it has one, else keeps the current one", () => {
    const origin = adultOrigin();
    const current = setDeclared(origin, ["age"], true);
    const withDecl = JSON.stringify({ domain_data: origin.domain, info_data: { declared_public: ["workclass", "nope"], domain_mode: "bogus" } });
    expect(importDocument(withDecl, current).info).toMatchObject({ declared_public: ["workclass"], domain_mode: "dp" });
    const without = JSON.stringify({ domain_data: origin.domain, info_data: {} });
    expect(importDocument(without, current).info.declared_public).toEqual(["age"]);
  });
  it("refuses documents without domain_data", () => {
    expect(() => importDocument("[]", adultOrigin())).toThrow(/JSON object/);
    expect(() => importDocument('{"info_data": {}}', adultOrigin())).toThrow(/no "domain_data"/);
  });
});

describe("declarations", () => {
  it("the draft declares nothing: every column is discovered with DP", () => {
    const origin = adultOrigin();
    expect(declaredColumns(origin)).toEqual([]);
    expect(buildRow(origin, origin, "age")).toMatchObject({ declared: false, open: "" });
    const payload = confirmPayload(origin);
    expect(payload.domainMode).toBe("dp");
    expect(payload.info).toMatchObject({ domain_mode: "dp", declared_public: [] });
  });

  it("an edit declares the column, whatever the values (no guessing against the draft)", () => {
    const origin = adultOrigin();
    // Same bounds as the data's: still declared, because the user saved them (finding 8: no diffing).
    const same = replaceEntry(origin, "age", applyDraft(origin.domain.age, draftOf(origin.domain.age), origin.domain.age));
    expect(isDeclared(same.info, "age")).toBe(true);
    const edited = replaceEntry(origin, "age", applyDraft(origin.domain.age, { ...draftOf(origin.domain.age), max: "120" }, origin.domain.age));
    expect(edited.domain.age.bounds).toEqual({ min: 17, max: 120 });
    expect(edited.info.declared_public).toEqual(["age"]);
    expect(buildRow(edited, origin, "age").declared).toBe(true);
    expect(buildRow(edited, origin, "workclass").declared).toBe(false);
  });

  it("unticking keeps the edit as a suggestion only", () => {
    const origin = adultOrigin();
    const edited = replaceEntry(origin, "age", { ...origin.domain.age, bounds: { min: 0, max: 120 } });
    const unticked = setDeclared(edited, ["age"], false);
    expect(unticked.domain.age.bounds).toEqual({ min: 0, max: 120 });
    expect(confirmPayload(unticked).info.declared_public).toEqual([]);
  });

  it("a type change declares the column; excluding it does not, and exclusions stand", () => {
    const origin = adultOrigin();
    const retyped = setTypes(origin, origin, ["educational-num"], "numerical");
    expect(retyped.info.declared_public).toEqual(["educational-num"]);
    expect(retyped.domain["educational-num"]).toMatchObject({ type: "numerical", integer: true });
    const excluded = setTypes(origin, origin, ["workclass"], "excluded");
    expect(excluded.info.declared_public).toEqual([]);
    expect(confirmPayload(excluded).info.excluded_columns).toEqual(["id", "workclass"]);
  });

  it("declare all keeps table order; the payload carries only the table's columns", () => {
    const origin = adultOrigin();
    const all = setDeclared(origin, ["capital-gain", "age", "workclass"], true);
    expect(all.info.declared_public).toEqual(["age", "workclass", "capital-gain"]);
    const stray = { ...all, info: { ...all.info, declared_public: ["zzz", "age"] } };
    expect(confirmPayload(stray).info.declared_public).toEqual(["age"]);
  });

  it("as_confirmed declares every kept column, and a declared entry's open facts are named", () => {
    const origin = adultOrigin();
    const whole = setDomainMode(origin, "as_confirmed");
    expect(declaredColumns(whole)).toEqual(["age", "workclass", "educational-num", "capital-gain"]);
    const payload = confirmPayload(whole);
    expect(payload.domainMode).toBe("as_confirmed");
    expect(payload.info.domain_mode).toBe("as_confirmed");
    const open = replaceEntry(origin, "workclass", { ...origin.domain.workclass, categories: null });
    expect(buildRow(open, origin, "workclass")).toMatchObject({ declared: true, open: "categories" });
  });

  it("saves nullable, whole numbers, the date format and the other label", () => {
    const age = adultOrigin().domain.age;
    expect(applyDraft(age, { ...draftOf(age), nullable: true, integer: false }, age)).toMatchObject({ nullable: true, integer: false });
    const date = { type: "datetime" as const, bounds: { min: "2020-01-01", max: "2024-12-31" }, datetime_format: "%Y-%m-%d" };
    expect(applyDraft(date, { ...draftOf(date), format: "" }, date).datetime_format).toBeNull();
    const cat = adultOrigin().domain.workclass;
    expect(applyDraft(cat, { ...draftOf(cat), otherLabel: "Other" }, cat).special_token).toBe("Other");
    expect(validateDraft({ ...draftOf(cat), otherLabel: " " }).otherLabel).toMatch(/label/);
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

describe("the output file's format", () => {
  it("is written like the input unless the user unticks it, and the confirm says so", () => {
    const state: SchemaState = {
      domain: {},
      info: { columns: ["a"], excluded_columns: [], output_format: { delimiter: ";", decimal: ",", encoding: "cp1252" }, null_token: "?" },
    };
    expect(describeOutputFormat(state.info)).toBe("semicolon-separated, decimal comma, Windows-1252, missing cells as ?");
    expect(confirmPayload(state).info.declared_format).toBe(true);
    expect(confirmPayload(setWritesLikeInput(state, false)).info.declared_format).toBe(false);
  });

  it("validates decimals as 0 to 6 or blank", () => {
    expect(validateDraft({ ...numeric, integer: false, decimals: "7" }).decimals).toMatch(/0 to 6/);
    expect(validateDraft({ ...numeric, integer: false, decimals: "" }).decimals).toBeUndefined();
  });
});

describe("the review's starting point", () => {
  it("excludes the columns the inference suggests leaving out, with their reason kept", () => {
    const state: SchemaState = {
      domain: { parcel_id: { type: "categorical", categories: null }, area: { type: "numerical" } },
      info: {
        columns: ["parcel_id", "area"], excluded_columns: [],
        inference_report: { parcel_id: { kind: "excluded", suggested_fix: "exclude", reasons: [{ code: "identifier_text", message: "near-unique text" }] } },
      },
    };
    const start = withSuggestedExclusions(state);
    expect(start.info.excluded_columns).toEqual(["parcel_id"]);
    expect(buildRow(start, state, "parcel_id")).toMatchObject({ type: "excluded", reason: "near-unique text" });
    expect(withSuggestedExclusions(start)).toBe(start);
  });
});

// list-operator: filter → extract → order → limit over strings, numbers, booleans and files, with
// Dify's operator meanings and error messages.
import { describe, expect, it } from "vitest";
import { listOperatorNode } from "../../../src/workflow/nodes/list-operator";
import type { FileValue, Json } from "../../../src/workflow/segments";
import { runGraph, runNode } from "../../helpers/workflow";
import { fileValue } from "./file-values";

const off = { enabled: false };
const data = (over: Json = {}): Json => ({ variable: ["start", "list"], filter_by: { ...off, conditions: [] }, extract_by: { ...off, serial: "1" }, order_by: { ...off, key: "", value: "asc" }, limit: { ...off, size: 10 }, ...over });
const filter = (...conditions: Json[]) => ({ filter_by: { enabled: true, conditions } });
const run = async (list: unknown, over: Json = {}, extra: Json = {}) => (await runNode("list-operator", data(over), { start: { list, ...extra } })).outputs;
const result = async (list: unknown, over: Json = {}, extra: Json = {}) => (await run(list, over, extra)).result;

async function failure(list: unknown, over: Json): Promise<{ message: string; errorType: string }> {
  try {
    await run(list, over);
  } catch (err) {
    return { message: (err as Error).message, errorType: (err as { errorType: string }).errorType };
  }
  throw new Error("expected the node to fail");
}

const file = (name: string, over: Partial<FileValue> = {}) => fileValue(name, { size: 10, ...over });

describe("list-operator: strings", () => {
  const words = ["apple", "banana", "", "grape", "pineapple"];

  it("each string operator, with Dify's meaning", async () => {
    const op = (comparison_operator: string, value: string) => result(words, filter({ comparison_operator, value }));
    expect(await op("contains", "apple")).toEqual(["apple", "pineapple"]);
    expect(await op("not contains", "apple")).toEqual(["banana", "", "grape"]);
    expect(await op("start with", "gr")).toEqual(["grape"]);
    expect(await op("end with", "na")).toEqual(["banana"]);
    expect(await op("is", "grape")).toEqual(["grape"]);
    expect(await op("is not", "grape")).toEqual(["apple", "banana", "", "pineapple"]);
    // in / not in: the element is a substring of the value (not list membership as in if-else).
    expect(await op("in", "a grape and an apple")).toEqual(["apple", "", "grape"]);
    expect(await op("not in", "a grape and an apple")).toEqual(["banana", "pineapple"]);
    expect(await op("empty", "")).toEqual([""]);
    expect(await op("not empty", "")).toEqual(["apple", "banana", "grape", "pineapple"]);
    // An empty value: "" contains "" (if-else's contains would say false for an empty element).
    expect(await op("contains", "")).toEqual(words);
  });

  it("values are templates; conditions all apply in order", async () => {
    expect(await result(words, filter({ comparison_operator: "contains", value: "{{#start.q#}}" }, { comparison_operator: "start with", value: "p" }), { q: "apple" })).toEqual(["pineapple"]);
  });

  it("a list value or an unknown operator fails", async () => {
    expect(await failure(words, filter({ comparison_operator: "contains", value: ["a"] }))).toEqual({ message: "Invalid filter value: ['a']", errorType: "InvalidFilterValueError" });
    expect(await failure(words, filter({ comparison_operator: "=", value: "1" }))).toEqual({ message: "Invalid condition: =", errorType: "InvalidConditionError" });
  });
});

describe("list-operator: numbers and booleans", () => {
  it("number operators compare as floats", async () => {
    const nums = [3, 1.5, -2, 10, 3];
    const op = (comparison_operator: string, value: string) => result(nums, filter({ comparison_operator, value }));
    expect(await op("=", "3")).toEqual([3, 3]);
    expect(await op("≠", "3.0")).toEqual([1.5, -2, 10]);
    expect(await op("<", "1.5")).toEqual([-2]);
    expect(await op("≤", "1.5")).toEqual([1.5, -2]);
    expect(await op(">", " 3 ")).toEqual([10]);
    expect(await op("≥", "1e1")).toEqual([10]);
    expect(await failure(nums, filter({ comparison_operator: ">", value: "ten" }))).toMatchObject({ message: "could not convert string to float: 'ten'" });
    expect(await failure(nums, filter({ comparison_operator: "contains", value: "1" }))).toMatchObject({ message: "Invalid condition: contains" });
  });

  it("booleans: is / is not with a boolean value", async () => {
    expect(await result([true, false, true], filter({ comparison_operator: "is", value: true }))).toEqual([true, true]);
    expect(await result([true, false, true], filter({ comparison_operator: "is not", value: true }))).toEqual([false]);
    expect(await failure([true], filter({ comparison_operator: "is", value: "true" }))).toEqual({ message: "Boolean filter expects a boolean value, got <class 'str'>", errorType: "TypeError" });
  });
});

describe("list-operator: files", () => {
  const files = [
    file("report.pdf", { type: "document", size: 300, mime_type: "application/pdf" }),
    file("photo.png", { type: "image", size: 50, mime_type: "image/png", transfer_method: "remote_url", remote_url: "https://img.example.com/photo.png" }),
    file("notes.txt", { type: "document", size: 120, mime_type: "text/plain" }),
  ];
  const names = (list: unknown) => (list as FileValue[]).map((f) => f.filename);

  it("filters by name, extension, mime_type, url, type, transfer_method and size", async () => {
    const by = async (key: string, comparison_operator: string, value: unknown) => names(await result(files, filter({ key, comparison_operator, value })));
    expect(await by("name", "start with", "re")).toEqual(["report.pdf"]);
    expect(await by("extension", "is", ".txt")).toEqual(["notes.txt"]);
    expect(await by("mime_type", "contains", "image/")).toEqual(["photo.png"]);
    expect(await by("url", "contains", "img.example.com")).toEqual(["photo.png"]);
    expect(await by("type", "in", ["image", "video"])).toEqual(["photo.png"]);
    expect(await by("type", "not in", ["image"])).toEqual(["report.pdf", "notes.txt"]);
    expect(await by("transfer_method", "in", ["local_file"])).toEqual(["report.pdf", "notes.txt"]);
    expect(await by("size", "≥", "120")).toEqual(["report.pdf", "notes.txt"]);
    expect(await failure(files, filter({ key: "owner", comparison_operator: "is", value: "x" }))).toEqual({ message: "Invalid key: owner", errorType: "InvalidKeyError" });
    expect(await failure(files, filter({ key: "type", comparison_operator: "is", value: "image" }))).toMatchObject({ message: "Invalid condition: is" });
  });

  it("orders files by a key, ascending and descending", async () => {
    const ordered = async (key: string, value: string) => names(await result(files, { order_by: { enabled: true, key, value } }));
    expect(await ordered("size", "asc")).toEqual(["photo.png", "notes.txt", "report.pdf"]);
    expect(await ordered("name", "desc")).toEqual(["report.pdf", "photo.png", "notes.txt"]);
    expect(await failure(files, { order_by: { enabled: true, key: "colour", value: "asc" } })).toEqual({ message: "Invalid order key: colour", errorType: "InvalidKeyError" });
  });
});

describe("list-operator: extract, order, limit", () => {
  it("extract takes the serial-th item (1-based, templated) after the filter", async () => {
    const out = await run(["a", "bb", "ccc", "dd"], { ...filter({ comparison_operator: "not contains", value: "a" }), extract_by: { enabled: true, serial: "{{#start.n#}}" } }, { n: 2 });
    expect(out).toEqual({ result: ["ccc"], first_record: "ccc", last_record: "ccc" });
    expect(await failure(["a"], { extract_by: { enabled: true, serial: "0" } })).toMatchObject({ message: "Invalid serial index: must be >= 1, got 0" });
    expect(await failure(["a"], { extract_by: { enabled: true, serial: "2" } })).toEqual({ message: "Invalid serial index: must be <= 1, got 2", errorType: "InvalidKeyError" });
    expect(await failure(["a"], { extract_by: { enabled: true, serial: "1.0" } })).toMatchObject({ message: "invalid literal for int() with base 10: '1.0'" });
  });

  it("orders strings by code point, numbers by value, booleans false first; stable descending", async () => {
    expect(await result(["b", "B", "a", "é", "😀", "\uffff"], { order_by: { enabled: true, value: "asc" } })).toEqual(["B", "a", "b", "é", "\uffff", "😀"]);
    expect(await result([10, 2, 33, 2.5], { order_by: { enabled: true, value: "desc" } })).toEqual([33, 10, 2.5, 2]);
    expect(await result([true, false, true], { order_by: { enabled: true, value: "asc" } })).toEqual([false, true, true]);
  });

  it("limit keeps the first N after ordering; Dify's default size -1 drops the last (Python slicing)", async () => {
    const out = await run([5, 3, 9, 1], { order_by: { enabled: true, value: "asc" }, limit: { enabled: true, size: 2 } });
    expect(out).toEqual({ result: [1, 3], first_record: 1, last_record: 3 });
    expect(await result([1, 2, 3], { limit: { enabled: true } })).toEqual([1, 2]);
  });

  it("an empty list, or a filter that removes everything, gives nulls", async () => {
    expect(await run([])).toEqual({ result: [], first_record: null, last_record: null });
    expect(await run(null)).toEqual({ result: [], first_record: null, last_record: null });
    expect(await run(["a"], filter({ comparison_operator: "is", value: "b" }))).toEqual({ result: [], first_record: null, last_record: null });
  });

  it("array[object] (and other non-arrays) fail clearly; a missing variable fails", async () => {
    const objects = await failure([{ a: 1 }], {});
    expect(objects.errorType).toBe("ListOperatorError");
    expect(objects.message).toMatch(/^Variable \['start', 'list'\] is not a supported array type, actual type: array\[object\]/);
    expect((await failure("text", {})).message).toMatch(/actual type: string/);
    await expect(runNode("list-operator", data({ variable: ["start", "nope"] }), { start: {} })).rejects.toThrow("Variable not found for selector: ['start', 'nope']");
  });

  it("runs in a graph: its outputs feed an End node", async () => {
    const run = await runGraph(
      {
        nodes: [
          { id: "start", data: { type: "start", variables: [] } },
          { id: "list", data: { type: "list-operator", ...data({ ...filter({ comparison_operator: ">", value: "1" }), order_by: { enabled: true, value: "desc" } }) } },
          { id: "end", data: { type: "end", outputs: [{ variable: "top", value_selector: ["list", "first_record"] }, { variable: "all", value_selector: ["list", "result"] }] } },
        ],
        edges: [
          { source: "start", target: "list" },
          { source: "list", target: "end" },
        ],
      },
      { inputs: { list: [1, 4, 2] } },
    );
    expect(run.outputs).toEqual({ top: 4, all: [4, 2] });
  });

  it("check: configurations that can never run", () => {
    const check = listOperatorNode.check!;
    expect(check(data())).toBeNull();
    expect(check(data({ variable: [] }))).toMatch(/not set/);
    expect(check(data(filter({ comparison_operator: "matches", value: "x" })))).toMatch(/unknown filter operator/);
    expect(check(data({ order_by: { enabled: true, value: "random" } }))).toMatch(/asc or desc/);
    expect(check(data({ limit: { enabled: true, size: "ten" } }))).toMatch(/integer/);
    expect(check(data({ extract_by: { enabled: true, serial: "" } }))).toMatch(/serial/);
  });
});

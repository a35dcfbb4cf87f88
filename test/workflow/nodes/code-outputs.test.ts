// A code node's result checked against its declared outputs with graphon's CodeNode rules and
// messages (Dify 1.14.2): what is missing or extra, each type, nested schemas and paths, string
// length, number range and precision, nesting depth, array lengths, and where null is accepted. The
// results come out of real JavaScript runs; check() refuses configurations Dify would not load.
import { describe, expect, it } from "vitest";
import { nodeDefinition } from "../../../src/workflow/nodes";
import { NodeError, type WorkflowSettings } from "../../../src/workflow/types";
import { fakeServices, runNode, SETTINGS } from "../../helpers/workflow";

/** Runs a javascript node whose main returns `result` (as a JS literal) under the declared outputs. */
function returning(result: string, outputs: Record<string, unknown>, settings: Partial<WorkflowSettings> = {}) {
  const data = { code_language: "javascript", code: `function main() { return ${result} }`, outputs, variables: [] };
  return runNode("code", data, {}, fakeServices({ settings: { ...SETTINGS, ...settings } }));
}

async function rejected(result: string, outputs: Record<string, unknown>, settings: Partial<WorkflowSettings> = {}): Promise<NodeError> {
  const err = await returning(result, outputs, settings).catch((e) => e);
  expect(err).toBeInstanceOf(NodeError);
  return err as NodeError;
}
const message = async (result: string, outputs: Record<string, unknown>, settings: Partial<WorkflowSettings> = {}) =>
  (await rejected(result, outputs, settings)).message;

const one = (type: string, children?: Record<string, unknown>) => ({ result: children ? { type, children } : { type } });

describe("code node output validation (Dify's rules and messages)", () => {
  it("every declared output must be there, and nothing else", async () => {
    const missing = await rejected("{ other: 1 }", one("number"));
    expect([missing.message, missing.errorType]).toEqual(["Output result is missing.", "OutputValidationError"]);
    const extra = await rejected("{ result: 1, other: 2 }", one("number"));
    expect([extra.message, extra.errorType]).toEqual(["Not all output parameters are validated.", "CodeNodeError"]);
    expect(await message("{ result: 1 }", {})).toBe("Not all output parameters are validated.");
  });

  it("scalar types, with Python's type names", async () => {
    expect(await message("{ result: 5 }", one("string"))).toBe("Output result must be a string, got int instead.");
    expect(await message("{ result: [1] }", one("string"))).toBe("Output result must be a string, got list instead.");
    expect(await message("{ result: '5' }", one("number"))).toBe("Output result is not a number, got <class 'str'> instead.");
    expect(await message("{ result: {} }", one("number"))).toBe("Output result is not a number, got <class 'dict'> instead.");
    expect(await message("{ result: [] }", one("object"))).toBe("Output result is not an object, got <class 'list'> instead.");
    expect(await message("{ result: 1.5 }", one("object"))).toBe("Output result is not an object, got <class 'float'> instead.");
    // Dify never checks a boolean output's type, and accepts null for every scalar and array.
    expect((await returning("{ result: 'yes' }", one("boolean"))).outputs).toEqual({ result: "yes" });
    for (const type of ["string", "number", "boolean", "object", "array[string]", "array[number]", "array[object]", "array[boolean]"]) {
      expect((await returning("{ result: null }", one(type))).outputs).toEqual({ result: null });
    }
  });

  it("array types and their elements", async () => {
    expect(await message("{ result: {} }", one("array[number]"))).toBe("Output result is not an array, got <class 'dict'> instead.");
    expect(await message("{ result: 'abc' }", one("array[string]"))).toBe("Output result is not an array, got <class 'str'> instead.");
    expect(await message("{ result: 1 }", one("array[object]"))).toBe("Output result is not an array, got <class 'int'> instead.");
    expect(await message("{ result: true }", one("array[boolean]"))).toBe("Output result is not an array, got <class 'bool'> instead.");
    expect(await message("{ result: [1, null] }", one("array[number]"))).toBe("The element at index 1 of output variable `result` must be a number.");
    expect(await message("{ result: [1, '2'] }", one("array[number]"))).toBe("The element at index 1 of output variable `result` must be a number.");
    expect(await message("{ result: ['a', 2] }", one("array[string]"))).toBe("Output result[1] must be a string, got int instead.");
    expect(await message("{ result: ['a'] }", one("array[object]"))).toBe("Output result[0] is not an object, got <class 'str'> instead at index 0.");
    expect(await message("{ result: [true, 1] }", one("array[boolean]"))).toBe("Output result[1] is not a boolean, got <class 'int'> instead.");
  });

  it("array lengths: CODE_MAX_STRING_ARRAY_LENGTH, _OBJECT_ARRAY_LENGTH, _NUMBER_ARRAY_LENGTH (the limit itself passes)", async () => {
    const list = (n: number, item: string) => `{ result: Array.from({ length: ${n} }, () => ${item}) }`;
    expect(((await returning(list(30, "'s'"), one("array[string]"))).outputs.result as unknown[]).length).toBe(30);
    expect(await message(list(31, "'s'"), one("array[string]"))).toBe("The length of output variable `result` must be less than 30 elements.");
    expect(await message(list(31, "({})"), one("array[object]"))).toBe("The length of output variable `result` must be less than 30 elements.");
    expect(((await returning(list(1000, "1"), one("array[number]"))).outputs.result as unknown[]).length).toBe(1000);
    expect(await message(list(1001, "1"), one("array[number]"))).toBe("The length of output variable `result` must be less than 1000 elements.");
    expect(await message(list(4, "1"), one("array[number]"), { codeMaxNumberArrayLength: 3 })).toBe("The length of output variable `result` must be less than 3 elements.");
    // Dify sets no length limit on array[boolean].
    expect(((await returning(list(2000, "true"), one("array[boolean]"))).outputs.result as unknown[]).length).toBe(2000);
  });

  it("string length (CODE_MAX_STRING_LENGTH), number range (CODE_MIN/MAX_NUMBER) and precision (CODE_MAX_PRECISION)", async () => {
    expect((await returning("{ result: 'abcde' }", one("string"), { codeMaxStringLength: 5 })).outputs).toEqual({ result: "abcde" });
    expect(await message("{ result: 'abcdef' }", one("string"), { codeMaxStringLength: 5 })).toBe("The length of output variable `result` must be less than 5 characters");
    expect(await message("{ result: ['ok', 'too long'] }", one("array[string]"), { codeMaxStringLength: 5 })).toBe("The length of output variable `result[1]` must be less than 5 characters");
    const range = "Output variable `result` is out of range, it must be between -9223372036854775808 and 9223372036854775807.";
    expect(await message("{ result: 1e19 }", one("number"))).toBe(range);
    expect(await message("{ result: -1e19 }", one("number"))).toBe(range);
    expect(await message("{ result: 11 }", one("number"), { codeMaxNumber: 10, codeMinNumber: -10 })).toBe("Output variable `result` is out of range, it must be between -10 and 10.");
    expect((await returning("{ result: 0.12345678901234568 }", one("number"))).outputs).toEqual({ result: 0.12345678901234568 });
    const precision = "Output variable `result` has too high precision, it must be less than 20 digits.";
    expect(await message("{ result: 1.5e-21 }", one("number"))).toBe(precision);
    expect(await message("{ result: -1.5e-21 }", one("number"))).toBe(precision);
    expect((await returning("{ result: 1.5e-19 }", one("number"))).outputs).toEqual({ result: 1.5e-19 });
    expect(await message("{ result: 0.125 }", one("number"), { codeMaxPrecision: 2 })).toBe("Output variable `result` has too high precision, it must be less than 2 digits.");
  });

  it("nested schemas name the path; children are validated, undeclared nested keys pass untyped", async () => {
    const schema = { o: { type: "object", children: { name: { type: "string" }, items: { type: "array[object]", children: { k: { type: "number" } } } } } };
    expect((await returning("{ o: { name: 'x', items: [{ k: 1 }, null] } }", schema)).outputs).toEqual({ o: { name: "x", items: [{ k: 1 }, null] } });
    expect(await message("{ o: { name: 1, items: [] } }", schema)).toBe("Output o.name must be a string, got int instead.");
    expect(await message("{ o: { name: 'x', items: [{ k: 'one' }] } }", schema)).toBe("Output o.items[0].k is not a number, got <class 'str'> instead.");
    expect(await message("{ o: { name: 'x' } }", schema)).toBe("Output o.items is missing.");
    expect(await message("{ o: { name: 'x', items: [], more: 1 } }", schema)).toBe("Not all output parameters are validated.");
    // An object without children is checked untyped: its values' own limits, lists of one kind.
    const loose = { o: { type: "object" } };
    expect(await message("{ o: { list: [1, 'two'] } }", loose)).toBe("Output o.list is not a valid array. make sure all elements are of the same type.");
    expect(await message("{ o: { n: [1, 2e19] } }", loose)).toBe("Output variable `o.n[1]` is out of range, it must be between -9223372036854775808 and 9223372036854775807.");
    expect(await message("{ o: { s: 'abcdef' } }", loose, { codeMaxStringLength: 5 })).toBe("The length of output variable `o.s` must be less than 5 characters");
  });

  it("nesting deeper than CODE_MAX_DEPTH fails", async () => {
    const loose = { o: { type: "object" } };
    expect((await returning("{ o: { a: { b: { c: {} } } } }", loose)).outputs).toEqual({ o: { a: { b: { c: {} } } } });
    const deep = await rejected("{ o: { a: { b: { c: { d: {} } } } } }", loose);
    expect([deep.message, deep.errorType]).toEqual(["Depth limit 5 reached, object too deep.", "DepthLimitError"]);
    expect(await message("{ o: { a: {} } }", loose, { codeMaxDepth: 2 })).toBe("Depth limit 2 reached, object too deep.");
  });

  it("check() refuses configurations Dify would not load", () => {
    const check = nodeDefinition("code")!.check!;
    const ok = { code_language: "javascript", code: "function main() {}", outputs: { r: { type: "array[object]", children: { k: { type: "string" } } } }, variables: [] };
    expect(check(ok)).toBeNull();
    expect(check({ ...ok, code_language: "ruby" })).toBe('code_language must be python3 or javascript, not "ruby"');
    expect(check({ ...ok, code: 1 })).toBe("code must be a string");
    expect(check({ ...ok, outputs: { r: { type: "file" } } })).toMatch(/^invalid type for code output r, expected one of string, number/);
    expect(check({ ...ok, outputs: { r: { type: "object", children: { x: { type: "array[file]" } } } } })).toMatch(/^invalid type for code output x/);
    expect(check({ ...ok, outputs: [] })).toBe("outputs must be a mapping of output names to {type, children}");
    expect(check({ ...ok, variables: [{ variable: "a", value_selector: "start.a" }] })).toBe('variable "a" needs a value_selector (a list of names)');
  });
});

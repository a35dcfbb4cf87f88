// Dify's built-in code tool (simple_code): a snippet run for what it prints. JavaScript in the
// workflow's QuickJS sandbox, python3 through the fake dify-sandbox on loopback (real HTTP), failures
// as ToolErrors carrying the executor's message.
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { builtinTools, resolveArguments } from "../../src/tools/registry";
import { type Tool, ToolError } from "../../src/tools/types";
import { fakeSandbox } from "../helpers/fake-sandbox";
import { toolContext } from "./context";

const codeTool = (): Tool => builtinTools().find((t) => t.provider === "code" && t.name === "simple_code")!;
const run = (args: Record<string, unknown>, context = toolContext()) => {
  const tool = codeTool();
  return tool.call(resolveArguments(tool, { toolParameters: args, toolConfigurations: {} }), context);
};
const failure = async (promise: Promise<unknown>): Promise<ToolError> => {
  const err = await promise.catch((e) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};

describe("code tool (simple_code)", () => {
  it("declares Dify's parameters, both filled by the model", () => {
    const tool = codeTool();
    expect(tool.label).toBe("Code Interpreter");
    expect(tool.parameters.map((p) => [p.name, p.type, p.required, p.form, p.options ?? null])).toEqual([
      ["language", "string", true, "llm", ["python3", "javascript"]],
      ["code", "string", true, "llm", null],
    ]);
  });

  it("returns what a JavaScript snippet printed, promise jobs included", async () => {
    const result = await run({ language: "javascript", code: 'const xs = [3, 1, 2].sort();\nconsole.log("sorted", xs, { n: xs.length });\nPromise.resolve(7).then((v) => console.log(v * 6));' });
    expect(result).toEqual({ text: 'sorted [1,2,3] {"n":3}\n42\n', json: [], files: [] });
    expect((await run({ language: "javascript", code: "1 + 1" })).text).toBe("");
  });

  it("keeps the sandbox's walls: no fetch, nothing of the Worker, an endless loop stopped", async () => {
    expect((await run({ language: "javascript", code: "console.log(typeof fetch, typeof caches, typeof process)" })).text).toBe("undefined undefined undefined\n");
    const thrown = await failure(run({ language: "javascript", code: 'throw new TypeError("bad input")' }));
    expect(thrown.message).toMatch(/^TypeError: bad input/);
    const endless = await failure(run({ language: "javascript", code: "for (;;) {}" }));
    expect(endless.message).toMatch(/JavaScript code stopped: it ran longer than \d+ s of CPU/);
    // The next run is unharmed.
    expect((await run({ language: "javascript", code: "console.log('after')" })).text).toBe("after\n");
  });

  it("sends a python3 snippet to the sandbox as it is and returns its stdout", async () => {
    const script = "print(sum(range(10)))";
    const sandbox = await fakeSandbox([{ code: script, stdout: "45\n" }]);
    const context = { ...toolContext(), env: { ...toolContext().env, CODE_EXECUTION_ENDPOINT: sandbox.endpoint, CODE_EXECUTION_API_KEY: sandbox.apiKey } };
    expect((await run({ language: "python3", code: script }, context)).text).toBe("45\n");
    expect(await sandbox.calls()).toEqual([{ language: "python3", preload: "", enable_network: true, contentType: "application/json", userCode: script, inputs: null }]);
  });

  it("turns the sandbox's errors and a missing sandbox into the tool's error", async () => {
    const sandbox = await fakeSandbox([{ code: "1/0", error: "ZeroDivisionError: division by zero\n" }]);
    const context = { ...toolContext(), env: { ...toolContext().env, CODE_EXECUTION_ENDPOINT: sandbox.endpoint, CODE_EXECUTION_API_KEY: sandbox.apiKey } };
    expect((await failure(run({ language: "python3", code: "1/0" }, context))).message).toBe("ZeroDivisionError: division by zero\n");
    const unconfigured = { ...toolContext(), env: { ...toolContext().env, CODE_EXECUTION_ENDPOINT: "" } };
    expect((await failure(run({ language: "python3", code: "print(1)" }, unconfigured))).message).toMatch(/set CODE_EXECUTION_ENDPOINT/);
    const wrongKey = { ...toolContext(), env: { ...toolContext().env, CODE_EXECUTION_ENDPOINT: inject("fakeSandboxUrl"), CODE_EXECUTION_API_KEY: "nope" } };
    expect((await failure(run({ language: "python3", code: "print(1)" }, wrongKey))).message).toMatch(/got status code 401/);
  });

  it("refuses a language other than python3 and javascript", async () => {
    const tool = codeTool();
    const err = await failure(tool.call({ language: "ruby", code: "puts 1" }, toolContext()));
    expect(err.message).toBe("Only python3 and javascript are supported, not ruby");
  });
});

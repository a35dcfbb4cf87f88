// JavaScript code nodes in QuickJS: main(args) with one object argument, async main awaited, outputs
// of every declared type, and the sandbox's walls: nothing of the Worker reachable, nothing kept
// between runs, an endless loop stopped by its CPU budget (also when the clock stands still, as on
// deployed Workers), a memory bomb stopped by the capped heap, runaway recursion by the stack limit;
// after each of these the next run works.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeError } from "../../../src/workflow/types";
import { fakeServices, runNode, SETTINGS } from "../../helpers/workflow";

const js = (code: string, outputs: Record<string, unknown> = { result: { type: "string" } }, variables: unknown[] = []) => ({
  code_language: "javascript",
  code,
  outputs,
  variables,
});

/** One second of CPU budget keeps the endless-loop tests short. */
const oneSecond = () => fakeServices({ settings: { ...SETTINGS, codeJsTimeout: 1 } });

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const err = await promise.catch((e) => e);
  expect(err).toBeInstanceOf(NodeError);
  return err as NodeError;
}

const works = async () => {
  const out = await runNode("code", js("function main({a, b}) { return { result: a + b } }", { result: { type: "string" } }, [
    { variable: "a", value_selector: ["start", "a"] },
    { variable: "b", value_selector: ["start", "b"] },
  ]), { start: { a: "x", b: "y" } });
  expect(out.outputs).toEqual({ result: "xy" });
};

afterEach(() => vi.restoreAllMocks());

describe("javascript code node", () => {
  it("calls main with one object of the variables; inputs are the variables", async () => {
    const out = await runNode(
      "code",
      js("function main({ n, list, obj, missing }) {\n  return { sum: n + list.length, kind: typeof obj, missing: missing === null }\n}", {
        sum: { type: "number" },
        kind: { type: "string" },
        missing: { type: "boolean" },
      }, [
        { variable: "n", value_selector: ["start", "n"] },
        { variable: "list", value_selector: ["start", "list"] },
        { variable: "obj", value_selector: ["start", "obj"] },
        { variable: "missing", value_selector: ["start", "nope"] },
      ]),
      { start: { n: 2, list: [1, 2, 3], obj: { a: 1 } } },
    );
    expect(out.outputs).toEqual({ sum: 5, kind: "object", missing: true });
    expect(out.inputs).toEqual({ n: 2, list: [1, 2, 3], obj: { a: 1 }, missing: null });
  });

  it("returns outputs of every declared type", async () => {
    const code = `function main() {
      return {
        s: "héllo\\u0000 😀", n: 3.25, i: -7, b: false, yes: true,
        o: { name: "x", inner: { deep: [1, 2, null] } },
        as: ["a", null, "c"], an: [1, 2.5, true], ao: [{ k: 1 }, null, { k: 2 }], ab: [true, null, false],
        nothing: null, empty: [],
      };
    }`;
    const outputs = {
      s: { type: "string" },
      n: { type: "number" },
      i: { type: "number" },
      b: { type: "boolean" },
      yes: { type: "number" },
      o: { type: "object", children: { name: { type: "string" }, inner: { type: "object" } } },
      as: { type: "array[string]" },
      an: { type: "array[number]" },
      ao: { type: "array[object]", children: { k: { type: "number" } } },
      ab: { type: "array[boolean]" },
      nothing: { type: "string" },
      empty: { type: "array[object]" },
    };
    const out = await runNode("code", js(code, outputs));
    expect(out.outputs).toEqual({
      s: "héllo 😀", // NUL characters are stripped
      n: 3.25,
      i: -7,
      b: false,
      yes: 1, // a boolean declared as a number becomes 0/1
      o: { name: "x", inner: { deep: [1, 2, null] } },
      as: ["a", null, "c"],
      an: [1, 2.5, 1],
      ao: [{ k: 1 }, null, { k: 2 }],
      ab: [true, null, false],
      nothing: null,
      empty: [],
    });
  });

  it("awaits an async main and accepts arrow functions and const declarations", async () => {
    expect((await runNode("code", js("async function main() { await null; return { result: 'later' } }"))).outputs).toEqual({ result: "later" });
    expect((await runNode("code", js("const main = () => ({ result: 'arrow' })"))).outputs).toEqual({ result: "arrow" });
  });

  it("turns scientific-notation strings back into numbers, as Dify's post-processing does", async () => {
    const code = "function main() { return { result: '1.5e-05', list: ['2E+3', '1e+5'], text: '1e5' } }";
    const out = await runNode("code", js(code, { result: { type: "number" }, list: { type: "array[number]" }, text: { type: "string" } }));
    expect(out.outputs).toEqual({ result: 0.000015, list: [2000, 100000], text: "1e5" });
  });

  it("reports the user's exception, a syntax error and a missing main", async () => {
    expect((await failure(runNode("code", js("function main() { throw new TypeError('bad input') }")))).message).toMatch(/^TypeError: bad input\n\s+at main \(main\.js/);
    expect((await failure(runNode("code", js("function main() { throw 'plain' }")))).message).toBe('Uncaught "plain"');
    const syntax = await failure(runNode("code", js("function main( {\n  return 1\n}")));
    expect(syntax.message).toMatch(/^SyntaxError: [^\n]+\n\s+at main\.js:\d+/);
    expect(syntax.errorType).toBe("CodeExecutionError");
    expect((await failure(runNode("code", js("function other() {}")))).message).toMatch(/^ReferenceError: 'main' is not defined/);
    expect((await failure(runNode("code", js("async function main() { throw new Error('async boom') }")))).message).toMatch(/^Error: async boom/);
    expect((await failure(runNode("code", js("function main() { return new Promise(() => {}) }")))).message).toBe("main() returned a promise that never settled.");
    await works();
  });

  it("requires an object result, as Dify does", async () => {
    expect((await failure(runNode("code", js("function main() { return [1] }")))).message).toBe("Result must be a dict, got list");
    expect((await failure(runNode("code", js("function main() { return 'x' }")))).message).toBe("Result must be a dict, got str");
    expect((await failure(runNode("code", js("function main() {}")))).message).toMatch(/^Failed to parse JSON response/);
    const err = await failure(runNode("code", js("function main() { const a = {}; a.a = a; return { result: a } }")));
    expect(err.message).toMatch(/^TypeError: circular reference/);
  });

  it("sees nothing of the Worker: no fetch, env, bindings, timers, WebAssembly or require", async () => {
    (globalThis as Record<string, unknown>).__leak = "worker global";
    const probe = `function main() {
      const names = ["fetch", "process", "require", "env", "setTimeout", "setInterval", "WebAssembly", "caches", "crypto", "Request", "Response", "navigator", "DB", "KV", "FILES", "TASKS", "__leak", "__dify_inputs__", "scheduler", "importScripts", "Buffer"];
      return { result: names.filter((n) => typeof globalThis[n] !== "undefined").join(",") };
    }`;
    expect((await runNode("code", js(probe))).outputs).toEqual({ result: "" });
    expect(Object.keys(env).length).toBeGreaterThan(0);
    const call = await failure(runNode("code", js("async function main() { await fetch('https://example.com'); return { result: 'fetched' } }")));
    expect(call.message).toMatch(/^ReferenceError: 'fetch' is not defined/);
    // console exists (a no-op), so debugging calls do not fail the node.
    expect((await runNode("code", js("function main() { console.log('x'); console.error('y'); return { result: 'ok' } }"))).outputs).toEqual({ result: "ok" });
  });

  it("keeps nothing between runs: globals, prototypes and the inputs' objects are fresh each time", async () => {
    await runNode("code", js("globalThis.leftover = 1; Array.prototype.sneaky = 1; Object.freeze(JSON); function main() { return { result: 'set' } }"));
    const probe = "function main() { return { result: [typeof leftover, typeof [].sneaky, Object.isFrozen(JSON)].join() } }";
    expect((await runNode("code", js(probe))).outputs).toEqual({ result: "undefined,undefined,false" });
  });

  it("stops an endless loop by its CPU budget, and the next run works", async () => {
    const started = Date.now();
    const err = await failure(runNode("code", js("function main() { for (;;) {} }"), {}, oneSecond()));
    expect(err.message).toBe("JavaScript code stopped: it ran longer than 1 s of CPU (CODE_EXECUTION_JS_TIMEOUT). Does a loop never end?");
    expect(err.errorType).toBe("CodeExecutionError");
    expect(Date.now() - started).toBeLessThan(5000);
    const async = await failure(runNode("code", js("async function main() { for (;;) { await null } }"), {}, oneSecond()));
    expect(async.message).toMatch(/^JavaScript code stopped: it ran longer than 1 s/);
    const caught = await failure(runNode("code", js("function main() { for (;;) { try { for (;;) {} } catch (e) {} } }"), {}, oneSecond()));
    expect(caught.message).toMatch(/^JavaScript code stopped/);
    await works();
  });

  it("the budget stops a loop even when the clock stands still, as it does on deployed Workers", async () => {
    vi.spyOn(Date, "now").mockReturnValue(1_700_000_000_000);
    const err = await failure(runNode("code", js("function main() { let i = 0; for (;;) i++ }"), {}, oneSecond()));
    expect(err.message).toMatch(/^JavaScript code stopped/);
    vi.restoreAllMocks();
    await works();
  });

  it("stops a memory bomb at the heap cap, and the next run works", async () => {
    const message = "JavaScript code ran out of memory (limit 16 MiB, CODE_EXECUTION_JS_MEMORY_LIMIT_MB).";
    const bomb = await failure(runNode("code", js("function main() { const a = []; for (;;) a.push('x'.repeat(1000) + a.length) }")));
    expect(bomb.message).toBe(message);
    const big = await failure(runNode("code", js("function main() { return { result: 'x'.repeat(64 * 1024 * 1024) } }")));
    expect(big.message).toBe(message);
    await works();
    const small = fakeServices({ settings: { ...SETTINGS, codeJsMemoryLimitMb: 2 } });
    const capped = await failure(runNode("code", js("function main() { return { result: 'x'.repeat(4 * 1024 * 1024) } }"), {}, small));
    expect(capped.message).toBe("JavaScript code ran out of memory (limit 2 MiB, CODE_EXECUTION_JS_MEMORY_LIMIT_MB).");
    expect((await runNode("code", js("function main() { return { result: 'x'.repeat(1024 * 1024).length + '' } }"), {}, small)).outputs).toEqual({ result: "1048576" });
  });

  it("stops runaway recursion at the stack limit, and the next run works", async () => {
    const err = await failure(runNode("code", js("function f(n) { return f(n + 1) + 1 } function main() { return { result: f(0) } }")));
    expect(err.message).toMatch(/stack overflow/);
    await works();
  });

  it("an unknown language fails the node", async () => {
    const err = await failure(runNode("code", { ...js("x"), code_language: "ruby" }));
    expect(err.message).toBe("Unsupported code language: ruby");
  });
});

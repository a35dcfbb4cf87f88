// python3 code nodes go to a dify-sandbox exactly as Dify's CodeExecutor sends them, here the fake one
// on loopback (real HTTP): the request (path, X-Api-Key, JSON body, the runner with the user's code
// and base64 inputs), the result read back, and every way the call can fail with Dify's messages.
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeError } from "../../../src/workflow/types";
import { fakeSandbox } from "../../helpers/fake-sandbox";
import { fakeServices, runNode, SETTINGS } from "../../helpers/workflow";

const SOURCE = "def main(name: str, n: int) -> dict:\n    return {'greeting': 'hi ' + name, 'double': n * 2}\n";
const node = (code = SOURCE, outputs: Record<string, unknown> = { greeting: { type: "string" }, double: { type: "number" } }) => ({
  code_language: "python3",
  code,
  outputs,
  variables: [
    { variable: "name", value_selector: ["start", "name"] },
    { variable: "n", value_selector: ["start", "n"] },
  ],
});
const values = { start: { name: "Zoë 😀", n: 21 } };

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const err = await promise.catch((e) => e);
  expect(err).toBeInstanceOf(NodeError);
  expect((err as NodeError).errorType).toBe("CodeExecutionError");
  return err as NodeError;
}

afterEach(() => vi.restoreAllMocks());

const NETWORK = "Failed to execute code, which is likely a network issue, please check if the sandbox service is running.";

describe("python3 code node through a dify-sandbox", () => {
  it("sends Dify's request and returns the validated result", async () => {
    const sandbox = await fakeSandbox([{ code: SOURCE, inputs: { name: "Zoë 😀", n: 21 }, result: { greeting: "hi Zoë 😀", double: 42 } }]);
    const out = await runNode("code", node(), values, sandbox.services());
    expect(out.outputs).toEqual({ greeting: "hi Zoë 😀", double: 42 });
    expect(out.inputs).toEqual({ name: "Zoë 😀", n: 21 });
    // The fake decoded the inputs from the runner's base64 JSON and found the user's code before it.
    expect(await sandbox.calls()).toEqual([
      { language: "python3", preload: "", enable_network: true, contentType: "application/json", userCode: SOURCE, inputs: { name: "Zoë 😀", n: 21 } },
    ]);
  });

  it("turns scientific-notation strings of the result back into numbers", async () => {
    const sandbox = await fakeSandbox([{ code: SOURCE, result: { greeting: "x", double: "1.5e-07" } }]);
    expect((await runNode("code", node(), values, sandbox.services())).outputs).toEqual({ greeting: "x", double: 1.5e-7 });
  });

  it("the sandbox's data.error (the program's stderr) is the node's error", async () => {
    const traceback = 'Traceback (most recent call last):\n  File "/tmp/code.py", line 2, in main\nZeroDivisionError: division by zero\n';
    const sandbox = await fakeSandbox([{ code: SOURCE, stdout: "", error: traceback }]);
    expect((await failure(runNode("code", node(), values, sandbox.services()))).message).toBe(traceback);
  });

  it("a non-zero answer code fails with the sandbox's code and message", async () => {
    const sandbox = await fakeSandbox([{ code: SOURCE, status: 200, body: { code: -500, message: "runner crashed", data: null } }]);
    expect((await failure(runNode("code", node(), values, sandbox.services()))).message).toBe("Got error code: -500. Got error msg: runner crashed");
  });

  it("HTTP 5xx: 503 is 'unavailable', any other status a network failure naming it", async () => {
    const sandbox = await fakeSandbox([
      { code: SOURCE, inputs: { name: "a", n: 1 }, status: 503, body: { code: -503, message: "Too many requests", data: null } },
      { code: SOURCE, inputs: { name: "b", n: 1 }, status: 500, body: "Internal Server Error" },
    ]);
    const services = sandbox.services();
    expect((await failure(runNode("code", node(), { start: { name: "a", n: 1 } }, services))).message).toBe("Code execution service is unavailable");
    expect((await failure(runNode("code", node(), { start: { name: "b", n: 1 } }, services))).message).toBe(
      `${NETWORK} ( Error: Failed to execute code, got status code 500, please check if the sandbox service is running )`,
    );
  });

  it("a wrong API key gets the sandbox's 401", async () => {
    const sandbox = await fakeSandbox([{ code: SOURCE, result: { greeting: "x", double: 1 } }]);
    const err = await failure(runNode("code", node(), values, sandbox.services({ codeExecutionApiKey: "wrong-key" })));
    expect(err.message).toBe(`${NETWORK} ( Error: Failed to execute code, got status code 401, please check if the sandbox service is running )`);
    expect(await sandbox.calls()).toEqual([]);
  });

  it("an unreachable sandbox is a network failure with fetch's reason", async () => {
    // The pool's outbound service answers a refused loopback connection with a 500, so the refusal
    // workerd's fetch reports is stubbed here (the end-to-end test closes a real port).
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) =>
      new Request(input as RequestInfo, init).url.startsWith("http://127.0.0.1:1/") ? Promise.reject(new TypeError("Network connection lost.")) : real(input, init),
    );
    const services = fakeServices({ settings: { ...SETTINGS, codeExecutionEndpoint: "http://127.0.0.1:1", codeExecutionApiKey: "k" } });
    expect((await failure(runNode("code", node(), values, services))).message).toBe(`${NETWORK} ( Error: Network connection lost. )`);
  });

  it("a sandbox slower than the timeouts is a network failure (timed out)", async () => {
    const sandbox = await fakeSandbox([{ code: SOURCE, delayMs: 3000, result: { greeting: "late", double: 1 } }]);
    const services = sandbox.services({ codeConnectTimeout: 0, codeReadTimeout: 1, codeWriteTimeout: 0 });
    const started = Date.now();
    expect((await failure(runNode("code", node(), values, services))).message).toBe(`${NETWORK} ( Error: timed out )`);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("answers that are not Dify's protocol or hold no result", async () => {
    const sandbox = await fakeSandbox([
      { code: SOURCE, inputs: { name: "a", n: 1 }, status: 200, body: "<html>proxy error</html>" },
      { code: SOURCE, inputs: { name: "b", n: 1 }, stdout: "printed, but no result\n" },
      { code: SOURCE, inputs: { name: "c", n: 1 }, stdout: "<<RESULT>>[1, 2]<<RESULT>>\n" },
      { code: SOURCE, inputs: { name: "d", n: 1 }, stdout: "<<RESULT>>{'a': 1}<<RESULT>>\n" },
    ]);
    const run = (name: string) => failure(runNode("code", node(), { start: { name, n: 1 } }, sandbox.services()));
    expect((await run("a")).message).toBe("Failed to parse response");
    expect((await run("b")).message).toBe("Failed to parse result: no result tag found in response. Response: printed, but no result\n...");
    expect((await run("c")).message).toBe("Result must be a dict, got list");
    expect((await run("d")).message).toMatch(/^Failed to parse JSON response: /);
  });

  it("without CODE_EXECUTION_ENDPOINT the node fails saying what to set", async () => {
    const err = await failure(runNode("code", node(), values));
    expect(err.message).toContain("CODE_EXECUTION_ENDPOINT");
  });
});

// Code and template nodes in the real bundle under `wrangler dev`: the vitest pool loads any .wasm
// by itself, the bundle only through wrangler.toml's CompiledWasm rule, so this is where QuickJS is
// proven to load and run (and the Jinja2 renderer, which must not generate code: the deployed
// runtime refuses eval). A workflow app (javascript code → template-transform → python3 code in a
// fake dify-sandbox on loopback → end) runs through POST /api/workflows/run; then the JavaScript
// CPU budget, and a sandbox whose port has closed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSandbox } from "../../scripts/lib/fake-sandbox-server.mjs";
import { getPassport, importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { sseEvents } from "../../scripts/lib/sse-client.mjs";

const PYTHON = "def main(text: str) -> dict:\n    return {'shout': text.upper()}\n";

const JAVASCRIPT = `function main({ name, count }) {
  const squares = Array.from({ length: count }, (_, i) => (i + 1) ** 2);
  return { greeting: "Hello, " + name, squares, info: { letters: name.length, even: count % 2 === 0 } };
}`;

function appYaml(name: string, code: string) {
  return `
app: { mode: workflow, name: ${JSON.stringify(name)}, icon: "🧪", icon_background: "#FFEAD5", icon_type: emoji }
kind: app
version: 0.6.0
workflow:
  conversation_variables: []
  environment_variables: []
  features: {}
  graph:
    edges:
      - { source: start, sourceHandle: source, target: js }
      - { source: js, sourceHandle: source, target: tpl }
      - { source: tpl, sourceHandle: source, target: py }
      - { source: py, sourceHandle: source, target: end }
    nodes:
      - id: start
        data:
          type: start
          title: Start
          variables:
            - { variable: name, label: Name, type: text-input, required: true }
            - { variable: count, label: Count, type: number, required: true }
      - id: js
        data:
          type: code
          title: JavaScript
          code_language: javascript
          code: ${JSON.stringify(code)}
          variables:
            - { variable: name, value_selector: [start, name] }
            - { variable: count, value_selector: [start, count] }
          outputs:
            greeting: { type: string }
            squares: { type: "array[number]" }
            info: { type: object, children: { letters: { type: number }, even: { type: boolean } } }
      - id: tpl
        data:
          type: template-transform
          title: Template
          template: "{{ greeting }}! Squares: {{ squares | join(', ') }} (sum {{ squares | sum }}); {{ info }}{% if info.even %} even{% endif %}"
          variables:
            - { variable: greeting, value_selector: [js, greeting] }
            - { variable: squares, value_selector: [js, squares] }
            - { variable: info, value_selector: [js, info] }
      - id: py
        data:
          type: code
          title: Python
          code_language: python3
          code: ${JSON.stringify(PYTHON)}
          variables:
            - { variable: text, value_selector: [tpl, output] }
          outputs:
            shout: { type: string }
      - id: end
        data:
          type: end
          title: End
          outputs:
            - { variable: text, value_selector: [tpl, output], value_type: string }
            - { variable: squares, value_selector: [js, squares], value_type: "array[number]" }
            - { variable: shout, value_selector: [py, shout], value_type: string }
            - { variable: info, value_selector: [js, info], value_type: object }
`;
}

const TEXT = "Hello, Ada! Squares: 1, 4, 9, 16 (sum 30); {'letters': 3, 'even': True} even";

let sandbox: Awaited<ReturnType<typeof startFakeSandbox>>;
let server: LocalServer;
let apiKey: string;

beforeAll(async () => {
  sandbox = await startFakeSandbox();
  apiKey = await sandbox.session([{ code: PYTHON, inputs: { text: TEXT }, result: { shout: TEXT.toUpperCase() } }]);
  server = await startServer({ vars: { CODE_EXECUTION_ENDPOINT: sandbox.url, CODE_EXECUTION_API_KEY: apiKey, CODE_EXECUTION_JS_TIMEOUT: "1" } });
});

afterAll(async () => {
  await server?.stop();
  await sandbox?.close();
});

async function session(name: string, code = JAVASCRIPT) {
  const app = await importApp(server, appYaml(name, code));
  const token = await getPassport(server, app.site_code, "e2e-user");
  return { "Content-Type": "application/json", "X-App-Code": app.site_code, "X-App-Passport": token };
}

async function runWorkflow(headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await fetch(`${server.base}/api/workflows/run`, { method: "POST", headers, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: Record<string, any>[] = [];
  for await (const event of sseEvents(res.body!)) events.push(event);
  return events;
}

const finishedNodes = (events: Record<string, any>[]) =>
  Object.fromEntries(events.filter((e) => e.event === "node_finished").map((e) => [e.data.node_id, e.data]));

describe("code and template-transform nodes in the real bundle (wrangler dev)", () => {
  it("streams a run: QuickJS outputs, the Jinja2 template, the python sandbox, the End outputs", async () => {
    const headers = await session("Code e2e");
    const events = await runWorkflow(headers, { inputs: { name: "Ada", count: 4 }, response_mode: "streaming" });
    expect(events[0].event).toBe("workflow_started");
    // The web API strips node details (Dify's simple payloads): statuses and types only.
    const nodes = finishedNodes(events);
    expect(nodes.js).toMatchObject({ status: "succeeded", node_type: "code", outputs: null });
    expect(nodes.tpl).toMatchObject({ status: "succeeded", node_type: "template-transform", outputs: null });
    expect(nodes.py).toMatchObject({ status: "succeeded", node_type: "code" });
    const finished = events.at(-1)!;
    expect(finished.event).toBe("workflow_finished");
    expect(finished.data).toMatchObject({
      status: "succeeded",
      error: null,
      outputs: { text: TEXT, squares: [1, 4, 9, 16], shout: TEXT.toUpperCase(), info: { letters: 3, even: true } },
    });
    // The End node streamed its text output as it became available.
    expect(events.filter((e) => e.event === "text_chunk").map((e) => e.data.text).join("")).toContain(TEXT);
    const [call] = sandbox.calls(apiKey);
    expect(call).toMatchObject({ language: "python3", preload: "", enable_network: true, userCode: PYTHON, inputs: { text: TEXT } });
  });

  it("a blocking request is answered the same way: the web API always streams a workflow run", async () => {
    const headers = await session("Code e2e blocking");
    const events = await runWorkflow(headers, { inputs: { name: "Ada", count: 4 }, response_mode: "blocking" });
    expect(events.at(-1)).toMatchObject({ event: "workflow_finished", data: { status: "succeeded", outputs: { text: TEXT, shout: TEXT.toUpperCase() } } });
  });

  it("an endless JavaScript loop fails its node within the CPU budget, and the next run works", async () => {
    const headers = await session("Code e2e loop", "function main() { let i = 0; for (;;) i++ }");
    const started = Date.now();
    const events = await runWorkflow(headers, { inputs: { name: "Ada", count: 4 } });
    const elapsed = Date.now() - started;
    expect(finishedNodes(events).js).toMatchObject({ status: "failed" });
    expect(events.at(-1)).toMatchObject({
      event: "workflow_finished",
      data: { status: "failed", error: "JavaScript code stopped: it ran longer than 1 s of CPU (CODE_EXECUTION_JS_TIMEOUT). Does a loop never end?" },
    });
    expect(elapsed).toBeLessThan(10_000);
    console.log(`javascript loop under wrangler dev stopped after ${elapsed} ms (budget 1 s)`);
    const again = await runWorkflow(await session("Code e2e after loop"), { inputs: { name: "Ada", count: 4 } });
    expect(again.at(-1)!.data.status).toBe("succeeded");
  });

  it("a sandbox whose port has closed fails the python node as a network issue", async () => {
    const headers = await session("Code e2e no sandbox");
    await sandbox.close();
    const events = await runWorkflow(headers, { inputs: { name: "Ada", count: 4 } });
    expect(finishedNodes(events).py).toMatchObject({ status: "failed" });
    const finished = events.at(-1)!;
    expect(finished).toMatchObject({ event: "workflow_finished", data: { status: "failed" } });
    expect(finished.data.error).toMatch(/^Failed to execute code, which is likely a network issue, please check if the sandbox service is running\. \( Error: .+ \)$/);
    expect(finished.data.error).not.toContain("status code");
    console.log(`unreachable sandbox under wrangler dev: ${finished.data.error}`);
  });
});

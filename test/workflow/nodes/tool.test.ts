// The tool node on the real engine and registry: arguments from the variable pool, Dify's outputs
// (text streamed to answers, files, json, declared variables), failures as node errors so retries,
// default values and the fail branch apply; MCP tools through a fake MCP server; DSL import checks.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeMcpHandler, type FakeMcpTool } from "../../../scripts/lib/fake-mcp-server.mjs";
import { getDb } from "../../../src/db/client";
import { forgetMcpSessions } from "../../../src/tools/mcp/client";
import { putServer } from "../../../src/tools/mcp/servers";
import type { Json } from "../../../src/workflow/segments";
import { agentYaml, timeTool } from "../../helpers/agent";
import { admin, expectError, SECRET_KEY } from "../../helpers/api";
import { fakeInternet } from "../../helpers/fake-internet";
import { demoApp } from "../../helpers/fixtures";
import { fakeServices, runGraph, runNode } from "../../helpers/workflow";
import { guardedFetch } from "../../../src/workflow/run-services";
import { testPolicy } from "../../tools/context";

const time = (tool_name: string, data: Json = {}): Json => ({ provider_type: "builtin", provider_id: "time", provider_name: "time", tool_name, tool_label: tool_name, tool_configurations: {}, tool_parameters: {}, ...data });
const mcpNode = (tool_name: string, data: Json = {}): Json => ({ provider_type: "mcp", provider_id: "fake", provider_name: "fake", tool_name, tool_configurations: {}, tool_parameters: {}, ...data });

/** Services whose fetch goes through the real SSRF guard to a fake MCP server. */
function mcpWorld(tools?: FakeMcpTool[]) {
  const fake = fakeMcpHandler(tools ? { tools } : {});
  fakeInternet({ "mcp.example": (request) => fake.handle(request) });
  const services = fakeServices({ fetch: (url, init) => guardedFetch(url, init, testPolicy()) });
  return { fake, services };
}

async function nodeFailure(promise: Promise<unknown>): Promise<{ message: string; errorType: string }> {
  const err = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as { message: string; errorType: string } | null;
  expect(err, "expected the node to fail").not.toBeNull();
  return { message: err!.message, errorType: err!.errorType };
}

type Spec = { id: string; type: string; [key: string]: unknown };
const graph = (nodes: Spec[], edges: [string, string, string?][]) => ({
  nodes: nodes.map(({ id, ...data }) => ({ id, type: "custom", data: { title: id, ...data } })),
  edges: edges.map(([source, target, handle]) => ({ source, target, sourceHandle: handle ?? "source" })),
});

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("tool node: a built-in", () => {
  it("resolves variable, mixed and constant arguments and outputs text, files and json, streaming the text", async () => {
    const out = await runNode(
      "tool",
      time("timestamp_to_localtime", {
        tool_parameters: { timestamp: { type: "variable", value: ["start", "ts"] }, timezone: { type: "mixed", value: "{{#start.region#}}/{{#start.city#}}" } },
      }),
      { start: { ts: 1705321845, region: "Asia", city: "Shanghai" } },
    );
    expect(out.outputs).toEqual({ text: "2024-01-15 20:30:45", files: [], json: [] });
    expect(out.inputs).toEqual({ timestamp: 1705321845, timezone: "Asia/Shanghai" });
    expect(out.streamed).toEqual({ text: "2024-01-15 20:30:45" });

    const weekday = await runNode("tool", time("weekday", { tool_parameters: { year: { type: "constant", value: 2024 }, month: { type: "mixed", value: "2" }, day: { type: "constant", value: "29" } } }));
    expect(weekday.outputs.text).toBe("February 29, 2024 is Thursday.");
    // Form values come from tool_configurations.
    const now = await runNode("tool", time("current_time", { tool_configurations: { format: "%Y", timezone: "UTC" } }));
    expect(now.outputs.text).toBe(String(new Date().getUTCFullYear()));
  });

  it("streams the tool's text into an answer and publishes the outputs to later nodes", async () => {
    const g = graph(
      [
        { id: "start", type: "start", variables: [{ variable: "ts", type: "number" }] },
        { id: "clock", type: "tool", ...time("timestamp_to_localtime", { tool_parameters: { timestamp: { type: "variable", value: ["start", "ts"] }, timezone: { type: "constant", value: "UTC" } } }) },
        { id: "answer", type: "answer", answer: "It was {{#clock.text#}}." },
      ],
      [["start", "clock"], ["clock", "answer"]],
    );
    const run = await runGraph(g, { inputs: { ts: 0 } });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("It was 1970-01-01 00:00:00.");
    expect(run.chunks.find((c) => c.selector.join(".") === "clock.text")?.text).toBe("1970-01-01 00:00:00");
    const record = run.records.find((r) => r.node.id === "clock")!;
    expect(record).toMatchObject({ status: "succeeded", inputs: { timestamp: 0, timezone: "UTC" }, outputs: { text: "1970-01-01 00:00:00", files: [], json: [] } });
    expect(run.pool.value(["clock", "text"])).toBe("1970-01-01 00:00:00");
  });

  it("fails as the node: an unknown tool, a missing variable, a bad argument, a tool error", async () => {
    expect(await nodeFailure(runNode("tool", time("sundial")))).toEqual({ message: "Failed to get tool runtime: tool time/sundial not found", errorType: "ToolNodeError" });
    expect(await nodeFailure(runNode("tool", time("timestamp_to_localtime", { tool_parameters: { timestamp: { type: "variable", value: ["start", "nope"] } } }), { start: {} }))).toEqual({
      message: "Variable ['start', 'nope'] does not exist",
      errorType: "ToolParameterError",
    });
    expect(await nodeFailure(runNode("tool", time("weekday", { tool_parameters: { year: { type: "mixed", value: "soon" }, month: { type: "constant", value: 1 }, day: { type: "constant", value: 1 } } })))).toEqual({
      message: "invalid literal for int() with base 10: 'soon'",
      errorType: "ToolParameterError",
    });
    expect(await nodeFailure(runNode("tool", time("localtime_to_timestamp", { tool_parameters: { localtime: { type: "constant", value: "2024-01-01 00:00:00" }, timezone: { type: "constant", value: "Mars/Base" } } })))).toEqual({
      message: "Failed to invoke tool time: Invalid timezone: 'Mars/Base'",
      errorType: "ToolInvokeError",
    });
  });

  it("a failing tool takes the fail branch, or the default values, as Dify's error strategies say", async () => {
    const failing = time("localtime_to_timestamp", { tool_parameters: { localtime: { type: "constant", value: "not a time" } } });
    const withStrategy = (extra: Json) =>
      graph(
        [
          { id: "start", type: "start" },
          { id: "clock", type: "tool", ...failing, ...extra },
          { id: "ok", type: "answer", answer: "ok {{#clock.text#}}" },
          { id: "failed", type: "answer", answer: "failed: {{#clock.error_type#}} / {{#clock.error_message#}}" },
        ],
        [["start", "clock"], ["clock", "ok", "source"], ["clock", "failed", "fail-branch"]],
      );
    const branch = await runGraph(withStrategy({ error_strategy: "fail-branch" }));
    expect(branch.status).toBe("partial-succeeded");
    expect(branch.text).toBe("failed: ToolInvokeError / Failed to invoke tool time: time data 'not a time' does not match format '%Y-%m-%d %H:%M:%S'");
    const fallback = await runGraph(withStrategy({ error_strategy: "default-value", default_value: [{ key: "text", type: "string", value: "unknown" }] }));
    expect(fallback.status).toBe("partial-succeeded");
    expect(fallback.pool.value(["clock", "text"])).toBe("unknown");
    const none = await runGraph(withStrategy({}));
    expect(none).toMatchObject({ status: "failed", error: "Failed to invoke tool time: time data 'not a time' does not match format '%Y-%m-%d %H:%M:%S'" });
  });
});

describe("tool node: an MCP tool", () => {
  it("calls the registered server's tool: JSON, declared variables and files", async () => {
    const { fake, services } = mcpWorld();
    await putServer(getDb(env.DB), SECRET_KEY, "fake", { url: "https://mcp.example/mcp" });
    const add = await runNode("tool", mcpNode("add", { tool_parameters: { a: { type: "variable", value: ["start", "a"] }, b: { type: "mixed", value: "{{#start.b#}}" } } }), { start: { a: 2, b: "40" } }, services);
    expect(add.outputs).toEqual({ text: "", files: [], json: [{ sum: 42 }], sum: 42 });
    expect(fake.state.calls.at(-1)!.arguments).toEqual({ a: 2, b: 40 });

    const drawn = await runNode("tool", mcpNode("draw"), {}, services);
    expect(drawn.outputs.text).toBe("a red dot");
    expect(drawn.outputs.files).toEqual([expect.objectContaining({ mime_type: "image/png", transfer_method: "tool_file", extension: ".png" })]);
    expect(drawn.streamed.text).toBe("a red dot");
  });

  it("retries a flaky MCP tool; an isError result and an unregistered server fail the node", async () => {
    let calls = 0;
    const flaky: FakeMcpTool = {
      name: "flaky",
      inputSchema: { type: "object", properties: {} },
      call: () => {
        if (++calls < 3) throw new Error(`not yet (${calls})`);
        return { content: [{ type: "text", text: "finally" }] };
      },
    };
    const { services } = mcpWorld([flaky]);
    await putServer(getDb(env.DB), SECRET_KEY, "fake", { url: "https://mcp.example/mcp" });
    const g = graph(
      [
        { id: "start", type: "start" },
        { id: "mcp", type: "tool", ...mcpNode("flaky"), retry_config: { retry_enabled: true, max_retries: 3, retry_interval: 1 } },
        { id: "answer", type: "answer", answer: "{{#mcp.text#}}" },
      ],
      [["start", "mcp"], ["mcp", "answer"]],
    );
    const run = await runGraph(g, { services });
    expect(run.status).toBe("succeeded");
    expect(run.events.filter((e) => e.event === "node_retry").map((e) => [e.data.retry_index, e.data.error])).toEqual([
      [1, "Failed to invoke tool fake: not yet (1)"],
      [2, "Failed to invoke tool fake: not yet (2)"],
    ]);
    expect(run.text).toBe("finally");

    const broken = mcpWorld();
    await putServer(getDb(env.DB), SECRET_KEY, "fake", { url: "https://mcp.example/mcp" });
    expect(await nodeFailure(runNode("tool", mcpNode("fail"), {}, broken.services))).toEqual({ message: "Failed to invoke tool fake: the tool broke", errorType: "ToolInvokeError" });
    expect(await nodeFailure(runNode("tool", { ...mcpNode("echo"), provider_id: "ghost" }, {}, broken.services))).toEqual({ message: "Failed to get tool runtime: tool ghost/echo not found", errorType: "ToolNodeError" });
    await putServer(getDb(env.DB), SECRET_KEY, "down", { url: "https://down.example/mcp" });
    expect(await nodeFailure(runNode("tool", { ...mcpNode("echo"), provider_id: "down" }, {}, broken.services))).toEqual({
      message: "Failed to get tool runtime: Failed to connect to MCP server: the server could not be reached",
      errorType: "ToolNodeError",
    });
  });
});

describe("DSL import of tool nodes", () => {
  const workflowWith = (tool: Json) =>
    demoApp("workflow").replace(/\n {4}nodes:\n/, `\n    nodes:\n      - id: tool1\n        type: custom\n        data: ${JSON.stringify({ type: "tool", title: "Tool", ...tool })}\n`);

  it("accepts the built-ins the registry runs and MCP tools; refuses others by name", async () => {
    const importYaml = (yaml: string) => admin("/admin/apps/import", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: yaml });
    const first = await importYaml(workflowWith(time("current_time")));
    expect(first.status, await first.clone().text()).toBe(201);
    expect((await importYaml(workflowWith({ ...time("weekday"), provider_id: "langgenius/time/time" }))).status).toBe(201);
    expect((await importYaml(workflowWith(mcpNode("echo")))).status).toBe(201);
    await expectError(await importYaml(workflowWith({ ...time("x"), provider_id: "yahoo", tool_name: "ticker" })), 400, "invalid_dsl", /tool node "Tool" \(tool1\): tool yahoo\/ticker is a plugin tool, which this server cannot run/);
    await expectError(await importYaml(workflowWith(time("sundial"))), 400, "invalid_dsl", /tool time\/sundial is not a tool of the built-in provider time/);
    expect((await importYaml(workflowWith({ ...time("x"), provider_id: "code", tool_name: "simple_code" }))).status).toBe(201);
    await expectError(await importYaml(workflowWith({ ...time("x"), provider_id: "code", tool_name: "run" })), 400, "invalid_dsl", /tool code\/run is not a tool of the built-in provider code/);
    await expectError(await importYaml(workflowWith({ ...time("x"), provider_type: "api", provider_id: "weather", tool_name: "now" })), 400, "invalid_dsl", /tool weather\/now of provider type "api" cannot run on this server/);
  });

  it("applies the same rule to an agent's tools", async () => {
    const importYaml = (yaml: string) => admin("/admin/apps/import", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: yaml });
    const ok = await importYaml(agentYaml({ tools: [timeTool("current_time"), { enabled: true, provider_type: "mcp", provider_id: "team", tool_name: "search" }, { enabled: true, provider_type: "builtin", provider_id: "webscraper", tool_name: "webscraper" }] }));
    expect(ok.status, await ok.clone().text()).toBe(201);
    await expectError(await importYaml(agentYaml({ tools: [timeTool("sundial")] })), 400, "invalid_dsl", /agent tool time\/sundial is not a tool of the built-in provider time/);
    await expectError(await importYaml(agentYaml({ tools: [{ enabled: true, provider_type: "mcp", provider_id: "", tool_name: "search" }] })), 400, "invalid_dsl", /MCP tool \/search must name its server/);
    // A disabled tool is not checked.
    expect((await importYaml(agentYaml({ tools: [{ ...timeTool("sundial"), enabled: false }] }))).status).toBe(201);
  });
});

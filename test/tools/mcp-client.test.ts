// The MCP Streamable HTTP client against a fake MCP server that speaks the transport (JSON-RPC over
// POST, JSON or SSE answers, Mcp-Session-Id, MCP-Protocol-Version, 202 for notifications, 404 for an
// ended session), reached through the real SSRF guard over a fetch stub.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeMcpHandler, LATEST_VERSION } from "../../scripts/lib/fake-mcp-server.mjs";
import { forgetMcpSessions, McpClient, McpError } from "../../src/tools/mcp/client";
import { toToolResult } from "../../src/tools/mcp/result";
import { ToolError } from "../../src/tools/types";
import { fakeInternet } from "../helpers/fake-internet";
import { toolContext } from "./context";

const URL = "https://mcp.example/mcp";

function setup(options: Parameters<typeof fakeMcpHandler>[0] = {}) {
  const fake = fakeMcpHandler(options);
  const internet = fakeInternet({ "mcp.example": (request) => fake.handle(request) });
  const context = toolContext();
  const client = (extra: { headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {}) =>
    new McpClient({ url: URL, headers: extra.headers ?? {}, fetch: context.fetch, timeoutMs: extra.timeoutMs, signal: extra.signal });
  return { fake, internet, context, client };
}

async function mcpFailure(promise: Promise<unknown>): Promise<McpError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(McpError);
  return err as McpError;
}

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("MCP client: the session", () => {
  it("initialises, confirms with notifications/initialized, then sends the session id and version on every request", async () => {
    const { fake, client } = setup({ requiredHeaders: { Authorization: "Bearer s3cret" } });
    const tools = await client({ headers: { Authorization: "Bearer s3cret" } }).listTools();
    expect(tools.map((t) => t.name)).toEqual(["echo", "add", "draw", "fail", "sleep"]);
    const [init, initialized, ...lists] = fake.state.requests;
    expect(init).toMatchObject({ method: "initialize", sessionId: null, version: null });
    expect(init.headers.accept).toBe("application/json, text/event-stream");
    expect(init.headers["content-type"]).toBe("application/json");
    const session = [...fake.state.live.keys()][0];
    expect(initialized).toMatchObject({ method: "notifications/initialized", sessionId: session, version: LATEST_VERSION });
    // Five tools in pages of two: three tools/list requests, each in the session.
    expect(lists.map((r) => [r.method, r.sessionId, r.version])).toEqual([
      ["tools/list", session, LATEST_VERSION],
      ["tools/list", session, LATEST_VERSION],
      ["tools/list", session, LATEST_VERSION],
    ]);
    expect(fake.state.requests.every((r) => r.headers.authorization === "Bearer s3cret")).toBe(true);
    expect(tools[1]).toEqual({
      name: "add",
      title: "Adder",
      description: "Adds two integers.",
      inputSchema: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"] },
      outputSchema: { type: "object", properties: { sum: { type: "integer" } }, required: ["sum"] },
    });
  });

  it("reuses a recent session for the next call, and opens a new one once when the server ended it (404)", async () => {
    const { fake, client } = setup();
    await client().listTools();
    expect(fake.state.initializations).toBe(1);
    expect(await client().callTool("echo", { text: "hi" })).toEqual({ content: [{ type: "text", text: "echo: hi" }] });
    expect(fake.state.initializations).toBe(1);

    fake.expireSessions();
    const before = fake.state.requests.length;
    expect((await client().callTool("echo", { text: "again" })).content).toEqual([{ type: "text", text: "echo: again" }]);
    expect(fake.state.requests.slice(before).map((r) => r.method)).toEqual(["tools/call", "initialize", "notifications/initialized", "tools/call"]);
    expect(fake.state.initializations).toBe(2);
    expect(fake.state.calls.at(-1)).toMatchObject({ name: "echo", session: [...fake.state.live.keys()][0] });
  });

  it("works with a server that keeps no sessions (initialising every new client)", async () => {
    const { fake, client } = setup({ sessions: false });
    await client().callTool("echo", { text: "a" });
    await client().callTool("echo", { text: "b" });
    expect(fake.state.initializations).toBe(2);
    expect(fake.state.requests.every((r) => r.sessionId === null)).toBe(true);
  });

  it("reads SSE answers, ignores the server's notifications and answers its ping", async () => {
    const { fake, client } = setup({ mode: "sse", chatty: true });
    expect((await client().listTools()).length).toBe(5);
    expect(await client().callTool("add", { a: 2, b: 3 })).toEqual({ content: [{ type: "text", text: '{"sum":5}' }], structuredContent: { sum: 5 } });
    // initialize, three tools/list pages and the call each pinged once; every ping was answered in the session.
    expect(fake.state.pings).toHaveLength(5);
    await vi.waitFor(() => expect(fake.state.replies).toHaveLength(5));
    expect(fake.state.replies.map((r) => r.id).sort()).toEqual([...fake.state.pings].sort());
    expect(fake.state.replies.every((r) => JSON.stringify(r.result) === "{}" && r.jsonrpc === "2.0")).toBe(true);
    expect(fake.state.requests.filter((r) => r.method === "reply").every((r) => r.sessionId === [...fake.state.live.keys()][0])).toBe(true);
  });
});

describe("MCP client: failures", () => {
  it("reports a JSON-RPC error with its code", async () => {
    const { client } = setup();
    const err = await mcpFailure(client().callTool("nope", {}));
    expect(err).toMatchObject({ failure: "rpc", code: -32602, message: "Tool nope not found (JSON-RPC error -32602)" });
  });

  it("reports the HTTP status of a refused request", async () => {
    const { client } = setup({ requiredHeaders: { Authorization: "Bearer right" } });
    const err = await mcpFailure(client({ headers: { Authorization: "Bearer wrong" } }).listTools());
    expect(err).toMatchObject({ failure: "http", code: 401, message: "HTTP 401" });
  });

  it("gives up on a slow server at the deadline", async () => {
    const { fake, client } = setup();
    await client().listTools();
    fake.state.delayMs = 5_000;
    const started = Date.now();
    const err = await mcpFailure(client({ timeoutMs: 150 }).callTool("echo", { text: "x" }));
    expect(err).toMatchObject({ failure: "timeout", message: "no answer within 0.15 s" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stops with the caller's signal, not as a timeout", async () => {
    const { client } = setup();
    const stop = new AbortController();
    const pending = client({ signal: stop.signal }).callTool("sleep", { ms: 10_000 });
    setTimeout(() => stop.abort(new Error("stopped by the user")), 50);
    await expect(pending).rejects.toThrow("stopped by the user");
  });

  it("reports a server that cannot be reached", async () => {
    const context = toolContext();
    fakeInternet({});
    const err = await mcpFailure(new McpClient({ url: URL, headers: {}, fetch: context.fetch }).listTools());
    expect(err).toMatchObject({ failure: "unreachable", message: "the server could not be reached" });
  });

  it("refuses an internal address before anything is sent", async () => {
    const { internet, context } = setup();
    for (const url of ["http://10.0.0.1/mcp", "http://169.254.169.254/latest", "http://localhost:3000/mcp"]) {
      const err = await mcpFailure(new McpClient({ url, headers: {}, fetch: context.fetch }).listTools());
      expect(err.failure).toBe("blocked");
      expect(err.message).toMatch(/^The MCP server URL is not allowed: /);
    }
    expect(internet.requests).toHaveLength(0);
  });
});

describe("MCP tool results", () => {
  it("maps text, JSON text, images and structured content as Dify's MCPTool does", async () => {
    const { client, context } = setup();
    const drawn = await toToolResult(await client().callTool("draw", {}), context, false);
    expect(drawn.text).toBe("a red dot");
    expect(drawn.files).toHaveLength(1);
    expect(drawn.files[0]).toMatchObject({ type: "image", mime_type: "image/png", extension: ".png" });
    expect(context.saved[0].bytes.slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));

    const added = await toToolResult(await client().callTool("add", { a: 1, b: 2 }), context, true);
    expect(added).toEqual({ text: "", json: [{ sum: 3 }], files: [], variables: { sum: 3 } });
    // Without an output schema structuredContent is not a variable.
    expect((await toToolResult(await client().callTool("add", { a: 1, b: 2 }), context, false)).variables).toBeUndefined();
  });

  it("turns an isError result into a ToolError with the tool's text", async () => {
    const { client, context } = setup();
    const result = await client().callTool("fail", {});
    expect(result.isError).toBe(true);
    const err = await toToolResult(result, context, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toBe("the tool broke");
  });
});

// The one tool registry: built-ins by provider id and tool name, and tools of registered MCP servers
// (headers decrypted only for the request, tools/list cached, a stale list while a server is down),
// and the servers an app was given. MCP servers are fakes that speak the protocol.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeMcpHandler } from "../../scripts/lib/fake-mcp-server.mjs";
import { getDb } from "../../src/db/client";
import { forgetMcpSessions } from "../../src/tools/mcp/client";
import { grantServer, putServer } from "../../src/tools/mcp/servers";
import { appMcpTools, resolveTool } from "../../src/tools/registry";
import { ToolError, toolSchema } from "../../src/tools/types";
import { importDsl, SECRET_KEY } from "../helpers/api";
import { fakeInternet } from "../helpers/fake-internet";
import { demoApp } from "../helpers/fixtures";
import { toolContext } from "./context";

const db = () => getDb(env.DB);
const SETTINGS = { mcpTimeoutSeconds: 2, mcpToolsCacheTtl: 300, webscraperMaxBytes: 1024, webscraperTimeoutSeconds: 1 };

function world() {
  const fake = fakeMcpHandler({ requiredHeaders: { Authorization: "Bearer s3cret" } });
  const internet = fakeInternet({ "mcp.example": (request) => fake.handle(request) });
  const context = toolContext();
  const options = { fetch: context.fetch, settings: SETTINGS };
  return { fake, internet, context, options };
}

const lists = (fake: ReturnType<typeof fakeMcpHandler>) => fake.state.requests.filter((r) => r.method === "tools/list").length;

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("built-in tools", () => {
  it("resolves Dify's in-core providers by id (also in plugin spelling), and nothing else", async () => {
    const { options } = world();
    const resolve = (ref: Record<string, unknown>) => resolveTool(db(), SECRET_KEY, ref, options);
    expect((await resolve({ provider_type: "builtin", provider_id: "time", tool_name: "current_time" }))?.label).toBe("Current Time");
    expect((await resolve({ provider_id: "langgenius/time/time", tool_name: "weekday" }))?.name).toBe("weekday");
    expect((await resolve({ provider_type: "builtin", provider_name: "webscraper", tool_name: "webscraper" }))?.provider).toBe("webscraper");
    expect((await resolve({ provider_type: "builtin", provider_id: "audio", tool_name: "tts" }))?.label).toBe("Text To Speech");
    expect(await resolve({ provider_type: "builtin", provider_id: "time", tool_name: "sundial" })).toBeNull();
    expect(await resolve({ provider_type: "builtin", provider_id: "yahoo", tool_name: "ticker" })).toBeNull();
    expect(await resolve({ provider_type: "builtin", provider_id: "code", tool_name: "simple_code" })).toBeNull();
    expect(await resolve({ provider_type: "api", provider_id: "time", tool_name: "current_time" })).toBeNull();
    expect(await resolve({ provider_type: "builtin", provider_id: "time" })).toBeNull();
  });
});

describe("MCP tools", () => {
  it("resolves a registered server's tool, with its schema, and calls it with the stored headers", async () => {
    const { fake, context, options } = world();
    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    const stored = await env.DB.prepare("SELECT headers_encrypted FROM mcp_servers WHERE id = 'fake'").first<{ headers_encrypted: string }>();
    expect(stored!.headers_encrypted).not.toContain("s3cret");

    const echo = (await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "fake", tool_name: "echo" }, options))!;
    expect(echo).toMatchObject({ provider: "fake", providerType: "mcp", name: "echo", label: "echo", description: "Echoes the text back." });
    expect(echo.parameters).toEqual([{ name: "text", type: "string", required: true, form: "llm", label: "text", description: "What to echo" }]);
    expect(toolSchema(echo)).toEqual({ type: "object", properties: { text: { type: "string", description: "What to echo" } }, required: ["text"] });
    expect(await echo.call({ text: "hi" }, context)).toEqual({ text: "echo: hi", json: [], files: [] });
    // Dify leaves null and blank arguments out of the call.
    const add = (await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "fake", tool_name: "add" }, options))!;
    expect(add.label).toBe("Adder");
    expect(await add.call({ a: 2, b: 5, note: " ", other: null }, context)).toEqual({ text: "", json: [{ sum: 7 }], files: [], variables: { sum: 7 } });
    expect(fake.state.calls.at(-1)!.arguments).toEqual({ a: 2, b: 5 });
  });

  it("lists a server's tools once per MCP_TOOLS_CACHE_TTL", async () => {
    const { fake, options } = world();
    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    const ref = { provider_type: "mcp", provider_id: "fake", tool_name: "echo" };
    await resolveTool(db(), SECRET_KEY, ref, options);
    const after = lists(fake);
    expect(after).toBe(3); // three pages
    await resolveTool(db(), SECRET_KEY, ref, options);
    expect(lists(fake)).toBe(after);
    await resolveTool(db(), SECRET_KEY, ref, { ...options, settings: { ...SETTINGS, mcpToolsCacheTtl: 0 } });
    expect(lists(fake)).toBe(after + 3);
  });

  it("answers null for an unregistered server or a tool the server does not have", async () => {
    const { options } = world();
    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    expect(await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "ghost", tool_name: "echo" }, options)).toBeNull();
    expect(await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "fake", tool_name: "teleport" }, options)).toBeNull();
  });

  it("a server down: ToolError without a cached list; the cached tools with one, whose calls fail as ToolErrors", async () => {
    const { options, context } = world();
    await putServer(db(), SECRET_KEY, "down", { url: "https://down.example/mcp" });
    const err = await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "down", tool_name: "echo" }, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toBe("Failed to connect to MCP server: the server could not be reached");

    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    const ref = { provider_type: "mcp", provider_id: "fake", tool_name: "echo" };
    await resolveTool(db(), SECRET_KEY, ref, options);
    vi.restoreAllMocks();
    fakeInternet({}); // the server went away
    forgetMcpSessions();
    const stale = (await resolveTool(db(), SECRET_KEY, ref, { ...options, settings: { ...SETTINGS, mcpToolsCacheTtl: 0 } }))!;
    expect(stale.name).toBe("echo");
    const callErr = await stale.call({ text: "x" }, context).catch((e: unknown) => e);
    expect(callErr).toBeInstanceOf(ToolError);
    expect((callErr as Error).message).toBe("Failed to connect to MCP server: the server could not be reached");
  });

  it("tool failures: isError and JSON-RPC errors are ToolErrors with the server's words", async () => {
    const { options, context, fake } = world();
    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    const fail = (await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "fake", tool_name: "fail" }, options))!;
    await expect(fail.call({}, context)).rejects.toThrow(new ToolError("the tool broke"));
    const echo = (await resolveTool(db(), SECRET_KEY, { provider_type: "mcp", provider_id: "fake", tool_name: "echo" }, options))!;
    fake.state.tools = fake.state.tools.filter((t) => t.name !== "echo"); // removed since it was listed
    await expect(echo.call({ text: "x" }, context)).rejects.toThrow("Failed to invoke tool: Tool echo not found (JSON-RPC error -32602)");
  });
});

describe("the MCP servers an app was given", () => {
  it("offers the granted tools (all, or the named ones) and leaves out a server that is down", async () => {
    const { options } = world();
    const app = await importDsl(demoApp("chat"));
    await putServer(db(), SECRET_KEY, "fake", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer s3cret" } });
    await putServer(db(), SECRET_KEY, "down", { url: "https://down.example/mcp" });
    expect(await appMcpTools(db(), SECRET_KEY, app.app_id, options)).toEqual([]);

    expect(await grantServer(db(), app.app_id, "fake", ["echo", "add"])).toEqual({ app_id: app.app_id, server_id: "fake", tools: ["echo", "add"] });
    expect(await grantServer(db(), app.app_id, "down", null)).toMatchObject({ tools: null });
    expect((await appMcpTools(db(), SECRET_KEY, app.app_id, options)).map((t) => `${t.provider}/${t.name}`)).toEqual(["fake/echo", "fake/add"]);

    await grantServer(db(), app.app_id, "fake", null);
    expect((await appMcpTools(db(), SECRET_KEY, app.app_id, options)).map((t) => t.name)).toEqual(["echo", "add", "draw", "fail", "sleep"]);
  });
});

// Admin API for MCP servers: register/replace, read, list, delete; list a server's tools now (through
// the SSRF guard, against a fake MCP server); give an app's agent a server's tools and take them back.
// Headers are stored encrypted and never returned.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeMcpHandler } from "../../scripts/lib/fake-mcp-server.mjs";
import { appMcpServerList, appMcpServerView, mcpServerList, mcpServerView, mcpToolList } from "../../src/schemas/mcp";
import { forgetMcpSessions } from "../../src/tools/mcp/client";
import { admin, call, expectError, expectShape, importDsl, json } from "../helpers/api";
import { fakeInternet } from "../helpers/fake-internet";
import { demoApp } from "../helpers/fixtures";

const put = (path: string, body: unknown) => admin(path, json(body, { method: "PUT" }));
const del = (path: string) => admin(path, { method: "DELETE" });
const SECRET = "Bearer mcp-s3cret-token";

function mcpWorld() {
  const fake = fakeMcpHandler({ requiredHeaders: { Authorization: SECRET } });
  const internet = fakeInternet({ "mcp.example": (request) => fake.handle(request) }, { "mcp.example": ["93.184.216.34"] });
  return { fake, internet };
}

beforeEach(() => forgetMcpSessions());
afterEach(() => vi.restoreAllMocks());

describe("admin MCP servers", () => {
  it("registers, reads, lists, replaces and deletes a server; its headers never come back", async () => {
    const created = await expectShape(await put("/admin/mcp-servers/tools-1", { url: "https://mcp.example/mcp", headers: { Authorization: SECRET }, name: "Team tools" }), mcpServerView);
    expect(created).toMatchObject({ id: "tools-1", name: "Team tools", url: "https://mcp.example/mcp", has_headers: true, tools_cached_at: null });
    const stored = await env.DB.prepare("SELECT * FROM mcp_servers WHERE id = 'tools-1'").first<Record<string, unknown>>();
    expect(JSON.stringify(stored)).not.toContain("s3cret");

    const read = await expectShape(await admin("/admin/mcp-servers/tools-1"), mcpServerView);
    expect(read).toEqual(created);
    await put("/admin/mcp-servers/other", { url: "https://mcp.example/other" });
    const list = await expectShape(await admin("/admin/mcp-servers"), mcpServerList);
    expect(list.data.map((s) => [s.id, s.name, s.has_headers])).toEqual([
      ["other", "other", false],
      ["tools-1", "Team tools", true],
    ]);
    for (const res of [await admin("/admin/mcp-servers"), await admin("/admin/mcp-servers/tools-1")]) expect(await res.text()).not.toMatch(/s3cret|Authorization/);

    const replaced = await expectShape(await put("/admin/mcp-servers/tools-1", { url: "https://mcp.example/v2" }), mcpServerView);
    expect(replaced).toMatchObject({ url: "https://mcp.example/v2", has_headers: false, name: "tools-1", created_at: created.created_at });

    expect((await del("/admin/mcp-servers/tools-1")).status).toBe(204);
    await expectError(await admin("/admin/mcp-servers/tools-1"), 404, "not_found", "MCP server not found.");
    await expectError(await del("/admin/mcp-servers/tools-1"), 404, "not_found", "MCP server not found.");
  });

  it("refuses bad ids, URLs, headers and fields with invalid_param, and internal addresses", async () => {
    const bad = async (path: string, body: unknown, message?: RegExp) => expectError(await put(path, body), 400, "invalid_param", message);
    await bad("/admin/mcp-servers/Bad%20Id", { url: "https://mcp.example/mcp" });
    await bad("/admin/mcp-servers/ok", { url: "ftp://mcp.example/mcp" });
    await bad("/admin/mcp-servers/ok", {});
    await bad("/admin/mcp-servers/ok", { url: "https://mcp.example/mcp", headers: { "Mcp-Session-Id": "x" } }, /set by the MCP transport/);
    await bad("/admin/mcp-servers/ok", { url: "https://mcp.example/mcp", headers: { "X-Key": "a\r\nInjected: 1" } }, /line breaks/);
    await bad("/admin/mcp-servers/ok", { url: "https://mcp.example/mcp", token: "x" });
    await bad("/admin/mcp-servers/ok", { url: "http://10.0.0.1/mcp" }, /^url: The MCP server URL is not allowed: 10\.0\.0\.1 is a private address\.$/);
    await bad("/admin/mcp-servers/ok", { url: "http://169.254.169.254/mcp" }, /The MCP server URL is not allowed/);
    await expectError(await admin("/admin/mcp-servers/ok"), 404, "not_found");
  });

  it("lists a server's tools now with its headers, caches them, and answers 502 when it cannot", async () => {
    const { fake } = mcpWorld();
    await put("/admin/mcp-servers/tools-1", { url: "https://mcp.example/mcp", headers: { Authorization: SECRET } });
    const listed = await expectShape(await admin("/admin/mcp-servers/tools-1/tools"), mcpToolList);
    expect(listed.data.map((t) => t.name)).toEqual(["echo", "add", "draw", "fail", "sleep"]);
    expect(listed.data[1]).toEqual({
      name: "add",
      title: "Adder",
      description: "Adds two integers.",
      input_schema: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"] },
      output_schema: { type: "object", properties: { sum: { type: "integer" } }, required: ["sum"] },
    });
    expect(fake.state.requests.every((r) => r.headers.authorization === SECRET)).toBe(true);
    expect((await expectShape(await admin("/admin/mcp-servers/tools-1"), mcpServerView)).tools_cached_at).toBe(listed.cached_at);

    await put("/admin/mcp-servers/wrong-key", { url: "https://mcp.example/mcp", headers: { Authorization: "Bearer nope" } });
    await expectError(await admin("/admin/mcp-servers/wrong-key/tools"), 502, "mcp_server_error", "MCP server wrong-key: HTTP 401");
    await put("/admin/mcp-servers/gone", { url: "https://gone.example/mcp" });
    await expectError(await admin("/admin/mcp-servers/gone/tools"), 502, "mcp_server_error", "MCP server gone: the host name does not exist");
    await expectError(await admin("/admin/mcp-servers/nobody/tools"), 404, "not_found", "MCP server not found.");
  });

  it("requires the admin key", async () => {
    await expectError(await call("/admin/mcp-servers"), 401, "unauthorized");
    await expectError(await call("/admin/mcp-servers/x", json({ url: "https://mcp.example/mcp" }, { method: "PUT", headers: { Authorization: "Bearer wrong" } })), 401, "unauthorized");
  });
});

describe("admin: an app's MCP servers", () => {
  it("gives an app a server's tools (all or named), lists and takes them back; deleting the server takes them too", async () => {
    const app = await importDsl(demoApp("chat"));
    await put("/admin/mcp-servers/tools-1", { url: "https://mcp.example/mcp" });
    await put("/admin/mcp-servers/tools-2", { url: "https://mcp.example/two" });
    const base = `/admin/apps/${app.app_id}/mcp-servers`;
    expect(await expectShape(await put(`${base}/tools-1`, { tools: ["echo", "add", "echo"] }), appMcpServerView)).toEqual({ app_id: app.app_id, server_id: "tools-1", tools: ["echo", "add"] });
    expect(await expectShape(await put(`${base}/tools-2`, {}), appMcpServerView)).toEqual({ app_id: app.app_id, server_id: "tools-2", tools: null });
    expect((await expectShape(await admin(base), appMcpServerList)).data.map((g) => [g.server_id, g.tools])).toEqual([
      ["tools-1", ["echo", "add"]],
      ["tools-2", null],
    ]);
    // Given again: the tool list is replaced.
    expect((await expectShape(await put(`${base}/tools-1`, { tools: null }), appMcpServerView)).tools).toBeNull();

    expect((await del(`${base}/tools-1`)).status).toBe(204);
    await expectError(await del(`${base}/tools-1`), 404, "not_found", "The app does not use that MCP server.");
    expect((await del("/admin/mcp-servers/tools-2")).status).toBe(204);
    expect((await expectShape(await admin(base), appMcpServerList)).data).toEqual([]);
  });

  it("answers 404 for an unknown app or server and 400 for a bad body", async () => {
    const app = await importDsl(demoApp("chat"));
    await put("/admin/mcp-servers/tools-1", { url: "https://mcp.example/mcp" });
    const ghost = "00000000-0000-4000-8000-000000000000";
    await expectError(await put(`/admin/apps/${ghost}/mcp-servers/tools-1`, {}), 404, "not_found", "App not found.");
    await expectError(await admin(`/admin/apps/${ghost}/mcp-servers`), 404, "not_found", "App not found.");
    await expectError(await put(`/admin/apps/${app.app_id}/mcp-servers/nobody`, {}), 404, "not_found", "MCP server not found.");
    await expectError(await put(`/admin/apps/${app.app_id}/mcp-servers/tools-1`, { tools: "echo" }), 400, "invalid_param");
    await expectError(await put(`/admin/apps/${app.app_id}/mcp-servers/tools-1`, { tools: [""] }), 400, "invalid_param");
    await expectError(await put(`/admin/apps/${app.app_id}/mcp-servers/tools-1`, { everything: true }), 400, "invalid_param");
  });
});

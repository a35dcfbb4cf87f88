// Admin: MCP servers (PUT/GET/DELETE /admin/mcp-servers/{id}, GET /admin/mcp-servers, GET …/{id}/tools) and the servers an
// app's agent may use (PUT/DELETE /admin/apps/{app_id}/mcp-servers/{id}, GET …/mcp-servers).
import { Hono } from "hono";
import { z } from "zod";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/context";
import { uuidParam } from "../../http/openapi";
import { doc, validate } from "../../http/validate";
import { ApiError, InvalidParam, NotFound, RemoteFileUrlBlocked } from "../../lib/errors";
import { checkRemoteUrl, ssrfPolicy } from "../../lib/ssrf";
import {
  appMcpServerList,
  appMcpServerView,
  mcpServerId,
  mcpServerList,
  mcpServerView,
  mcpToolList,
  putAppMcpServerBody,
  putMcpServerBody,
} from "../../schemas/mcp";
import { McpError } from "../../tools/mcp/client";
import { deleteServer, grantServer, listGrants, listServers, putServer, refreshServerTools, revokeServer, serverView } from "../../tools/mcp/servers";
import { guardedFetch } from "../../workflow/run-services";

export const mcpServerRoutes = new Hono<AppEnv>();
const idParam = z.object({ id: mcpServerId });
const grantParam = z.object({ app_id: z.string(), id: mcpServerId });

const blockedUrl = (message: string) => message.replace("The remote file URL is not allowed", "The MCP server URL is not allowed");

mcpServerRoutes.put(
  "/mcp-servers/:id",
  doc({
    summary: "Register or replace an MCP server (Streamable HTTP); its headers are stored encrypted and never returned",
    tags: ["admin"],
    security: "admin",
    responses: { 200: { description: "Server", schema: mcpServerView } },
  }),
  validate("param", idParam),
  validate("json", putMcpServerBody),
  async (c) => {
    const body = c.req.valid("json");
    const config = c.get("config");
    try {
      await checkRemoteUrl(new URL(body.url), ssrfPolicy(config), c.req.raw.signal);
    } catch (err) {
      // A name that does not resolve now may later; only a refused address is refused here.
      if (err instanceof RemoteFileUrlBlocked) throw new InvalidParam(`url: ${blockedUrl(err.message)}`, "url");
    }
    return c.json(await putServer(getDb(c.env.DB), config.secretKey, c.req.valid("param").id, body));
  },
);

mcpServerRoutes.get(
  "/mcp-servers",
  doc({ summary: "List MCP servers", tags: ["admin"], security: "admin", responses: { 200: { description: "Servers", schema: mcpServerList } } }),
  async (c) => c.json({ data: await listServers(getDb(c.env.DB)) }),
);

mcpServerRoutes.get(
  "/mcp-servers/:id",
  doc({ summary: "An MCP server (without its headers)", tags: ["admin"], security: "admin", responses: { 200: { description: "Server", schema: mcpServerView } } }),
  validate("param", idParam),
  async (c) => {
    const server = await serverView(getDb(c.env.DB), c.req.valid("param").id);
    if (!server) throw new NotFound("MCP server not found.");
    return c.json(server);
  },
);

mcpServerRoutes.delete(
  "/mcp-servers/:id",
  doc({ summary: "Delete an MCP server (and every app's use of it)", tags: ["admin"], security: "admin", responses: { 204: { description: "Deleted" } } }),
  validate("param", idParam),
  async (c) => {
    if (!(await deleteServer(getDb(c.env.DB), c.req.valid("param").id))) throw new NotFound("MCP server not found.");
    return c.body(null, 204);
  },
);

mcpServerRoutes.get(
  "/mcp-servers/:id/tools",
  doc({
    summary: "List an MCP server's tools now (tools/list) and refresh the cached list",
    tags: ["admin"],
    security: "admin",
    responses: { 200: { description: "Tools", schema: mcpToolList } },
  }),
  validate("param", idParam),
  async (c) => {
    const { id } = c.req.valid("param");
    const config = c.get("config");
    const policy = ssrfPolicy(config);
    let listed;
    try {
      listed = await refreshServerTools(getDb(c.env.DB), config.secretKey, id, {
        fetch: (url, init) => guardedFetch(url, init, policy),
        signal: c.req.raw.signal,
        timeoutMs: config.tools.mcpTimeoutSeconds * 1000,
        ttlSeconds: config.tools.mcpToolsCacheTtl,
      });
    } catch (err) {
      if (!(err instanceof McpError)) throw err;
      if (err.failure === "blocked") throw new ApiError(400, "mcp_server_url_blocked", err.message);
      throw new ApiError(502, "mcp_server_error", `MCP server ${id}: ${err.message}`);
    }
    if (!listed) throw new NotFound("MCP server not found.");
    return c.json({ data: listed.tools, cached_at: listed.cachedAt });
  },
);

mcpServerRoutes.get(
  `/apps/${uuidParam("app_id")}/mcp-servers`,
  doc({ summary: "List the MCP servers an app's agent may use", tags: ["admin"], security: "admin", responses: { 200: { description: "Grants", schema: appMcpServerList } } }),
  validate("param", z.object({ app_id: z.string() })),
  async (c) => {
    const grants = await listGrants(getDb(c.env.DB), c.req.valid("param").app_id);
    if (!grants) throw new NotFound("App not found.");
    return c.json({ data: grants });
  },
);

mcpServerRoutes.put(
  `/apps/${uuidParam("app_id")}/mcp-servers/:id`,
  doc({
    summary: "Give an app's agent an MCP server's tools (all, or the named ones)",
    tags: ["admin"],
    security: "admin",
    responses: { 200: { description: "Grant", schema: appMcpServerView } },
  }),
  validate("param", grantParam),
  validate("json", putAppMcpServerBody),
  async (c) => {
    const { app_id, id } = c.req.valid("param");
    const tools = c.req.valid("json").tools ?? null;
    const outcome = await grantServer(getDb(c.env.DB), app_id, id, tools ? [...new Set(tools)] : null);
    if (outcome === "no_app") throw new NotFound("App not found.");
    if (outcome === "no_server") throw new NotFound("MCP server not found.");
    return c.json(outcome);
  },
);

mcpServerRoutes.delete(
  `/apps/${uuidParam("app_id")}/mcp-servers/:id`,
  doc({ summary: "Take an MCP server's tools from an app's agent", tags: ["admin"], security: "admin", responses: { 204: { description: "Removed" } } }),
  validate("param", grantParam),
  async (c) => {
    const { app_id, id } = c.req.valid("param");
    if (!(await revokeServer(getDb(c.env.DB), app_id, id))) throw new NotFound("The app does not use that MCP server.");
    return c.body(null, 204);
  },
);

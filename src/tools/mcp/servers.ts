// Registered MCP servers (admin API) and their tools. A server is a URL and optional headers (stored
// AES-GCM encrypted like provider keys, decrypted only where a request is made); its tools/list is
// cached in mcp_servers.tools_cache for MCP_TOOLS_CACHE_TTL seconds and refreshed after, falling back to
// the stale list while the server is unreachable. An app is given a server's tools (all, or named
// ones) in app_mcp_servers; a DSL tool with provider_type "mcp" names a server by its id.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { appMcpServers, apps, mcpServers } from "../../db/schema";
import { decryptString, encryptString } from "../../lib/crypto";
import { nowSeconds } from "../../lib/ids";
import { isObject } from "../../lib/json";
import { describeError, log } from "../../lib/log";
import type { Json } from "../../workflow/segments";
import { type Tool, ToolError, type ToolParameter } from "../types";
import { forgetMcpSessions, McpClient, McpError, type McpToolInfo } from "./client";
import { toToolResult } from "./result";

export const MCP_HEADERS_PURPOSE = "mcp-server-headers";
/** The default of MCP_TOOLS_CACHE_TTL (config.ts). */
export const MCP_TOOLS_TTL_SECONDS = 300;

type McpServerRow = typeof mcpServers.$inferSelect;

export interface McpOptions {
  /** fetch() through the SSRF guard (a run's services.fetch, or the admin route's). */
  fetch(url: string, init: RequestInit): Promise<Response>;
  signal?: AbortSignal;
  /** Per request (MCP_TIMEOUT); MCP_TIMEOUT_MS when absent. */
  timeoutMs?: number;
  /** MCP_TOOLS_CACHE_TTL; MCP_TOOLS_TTL_SECONDS when absent. */
  ttlSeconds?: number;
}

export interface McpServerView {
  id: string;
  name: string;
  url: string;
  has_headers: boolean;
  tools_cached_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface McpToolView {
  name: string;
  title: string | null;
  description: string;
  input_schema: Json;
  output_schema: Json | null;
}

export interface McpGrantView {
  app_id: string;
  server_id: string;
  tools: string[] | null;
}

const view = (row: McpServerRow): McpServerView => ({
  id: row.id,
  name: row.name,
  url: row.url,
  has_headers: row.headersEncrypted !== null,
  tools_cached_at: row.toolsCachedAt,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

export const toolView = (tool: McpToolInfo): McpToolView => ({
  name: tool.name,
  title: tool.title ?? null,
  description: tool.description ?? "",
  input_schema: tool.inputSchema,
  output_schema: tool.outputSchema ?? null,
});

export async function putServer(db: Db, secretKey: string, id: string, input: { url: string; headers?: Record<string, string> | null; name?: string | null }): Promise<McpServerView> {
  const now = nowSeconds();
  const headers = input.headers && Object.keys(input.headers).length ? input.headers : null;
  const values = {
    url: input.url,
    name: input.name ?? id,
    headersEncrypted: headers ? await encryptString(secretKey, MCP_HEADERS_PURPOSE, JSON.stringify(headers)) : null,
    // A new URL or new credentials may see other tools.
    toolsCache: null,
    toolsCachedAt: null,
    updatedAt: now,
  };
  const previous = await db.select({ url: mcpServers.url }).from(mcpServers).where(eq(mcpServers.id, id)).get();
  if (previous) forgetMcpSessions(previous.url);
  const row = await db
    .insert(mcpServers)
    .values({ id, ...values, createdAt: now })
    .onConflictDoUpdate({ target: mcpServers.id, set: values })
    .returning()
    .get();
  return view(row);
}

export async function listServers(db: Db): Promise<McpServerView[]> {
  return (await db.select().from(mcpServers).orderBy(mcpServers.id).all()).map(view);
}

export async function serverView(db: Db, id: string): Promise<McpServerView | null> {
  const row = await getServer(db, id);
  return row ? view(row) : null;
}

export async function deleteServer(db: Db, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.delete(mcpServers).where(eq(mcpServers.id, id)).returning({ url: mcpServers.url }),
    db.delete(appMcpServers).where(eq(appMcpServers.serverId, id)),
  ]);
  if (deleted.length) forgetMcpSessions(deleted[0].url);
  return deleted.length > 0;
}

const getServer = (db: Db, id: string) => db.select().from(mcpServers).where(eq(mcpServers.id, id)).get();

async function headersOf(row: McpServerRow, secretKey: string): Promise<Record<string, string>> {
  if (!row.headersEncrypted) return {};
  const parsed: unknown = JSON.parse(await decryptString(secretKey, MCP_HEADERS_PURPOSE, row.headersEncrypted));
  return isObject(parsed) ? (parsed as Record<string, string>) : {};
}

function cachedTools(row: McpServerRow): McpToolInfo[] | null {
  return Array.isArray(row.toolsCache) ? (row.toolsCache as McpToolInfo[]) : null;
}

/**
 * The server's tools: from the cache while it is fresh (unless `refresh`), else from tools/list,
 * which is cached. Without `refresh` a stale list serves while the server cannot be listed.
 */
async function toolsOf(db: Db, row: McpServerRow, secretKey: string, options: McpOptions, refresh: boolean): Promise<{ tools: McpToolInfo[]; cachedAt: number }> {
  const cached = cachedTools(row);
  const ttl = options.ttlSeconds ?? MCP_TOOLS_TTL_SECONDS;
  if (!refresh && cached && row.toolsCachedAt !== null && nowSeconds() - row.toolsCachedAt < ttl) return { tools: cached, cachedAt: row.toolsCachedAt };
  try {
    const client = new McpClient({ url: row.url, headers: await headersOf(row, secretKey), fetch: options.fetch, signal: options.signal, timeoutMs: options.timeoutMs });
    const tools = await client.listTools();
    const cachedAt = nowSeconds();
    await db.update(mcpServers).set({ toolsCache: tools, toolsCachedAt: cachedAt }).where(eq(mcpServers.id, row.id)).run();
    return { tools, cachedAt };
  } catch (err) {
    if (refresh || !cached || options.signal?.aborted) throw err;
    log(null, "warn", "mcp tools/list failed; serving the cached list", { server: row.id, error: describeError(err) });
    return { tools: cached, cachedAt: row.toolsCachedAt ?? 0 };
  }
}

/** Lists a server's tools now and caches them; null when no server has that id. Throws McpError. */
export async function refreshServerTools(db: Db, secretKey: string, id: string, options: McpOptions): Promise<{ tools: McpToolView[]; cachedAt: number } | null> {
  const row = await getServer(db, id);
  if (!row) return null;
  const { tools, cachedAt } = await toolsOf(db, row, secretKey, options, true);
  return { tools: tools.map(toolView), cachedAt };
}

const SCHEMA_TYPES: Record<string, string> = { string: "string", number: "number", integer: "number", boolean: "boolean", array: "array", object: "object" };

function parametersOf(schema: Json): ToolParameter[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).map(([name, raw]) => {
    const p = isObject(raw) ? raw : {};
    const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => t !== "null");
    const options = Array.isArray(p.enum) && p.enum.every((v) => typeof v === "string") ? (p.enum as string[]) : undefined;
    return {
      name,
      type: SCHEMA_TYPES[String(types[0])] ?? "string",
      required: required.includes(name),
      form: "llm" as const,
      label: typeof p.title === "string" ? p.title : name,
      description: typeof p.description === "string" ? p.description : "",
      ...(options ? { options } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
    };
  });
}

/** Dify's _handle_none_parameter: null and blank-string arguments are left out of the call. */
const withoutEmpty = (args: Json): Json => Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined && !(typeof v === "string" && !v.trim())));

function toolErrorOf(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof ToolError) return err;
  if (err instanceof McpError && err.failure === "rpc") return new ToolError(`Failed to invoke tool: ${err.message}`);
  if (err instanceof McpError) return new ToolError(`Failed to connect to MCP server: ${err.message}`);
  return new ToolError(`Failed to invoke tool: ${err instanceof Error ? err.message : String(err)}`);
}

function mcpTool(row: McpServerRow, headers: Record<string, string>, info: McpToolInfo, options: McpOptions): Tool {
  const inputSchema: Json = { ...info.inputSchema, type: "object" };
  if (!isObject(inputSchema.properties)) inputSchema.properties = {};
  return {
    provider: row.id,
    providerType: "mcp",
    name: info.name,
    label: info.title ?? info.name,
    description: info.description ?? "",
    parameters: parametersOf(inputSchema),
    inputSchema,
    async call(args, context) {
      const client = new McpClient({ url: row.url, headers, fetch: context.fetch, signal: context.signal, timeoutMs: options.timeoutMs });
      let result;
      try {
        result = await client.callTool(info.name, withoutEmpty(args));
      } catch (err) {
        throw toolErrorOf(err, context.signal);
      }
      return toToolResult(result, context, info.outputSchema !== undefined);
    },
  };
}

async function serverTools(db: Db, secretKey: string, row: McpServerRow, options: McpOptions, only: string[] | null): Promise<Tool[]> {
  const { tools } = await toolsOf(db, row, secretKey, options, false);
  const headers = await headersOf(row, secretKey);
  return tools.filter((t) => only === null || only.includes(t.name)).map((t) => mcpTool(row, headers, t, options));
}

/**
 * The tool `toolName` of the server registered as `serverId`; null when there is no such server or
 * tool. Throws ToolError when the server's tools cannot be listed (and none are cached).
 */
export async function resolveMcpTool(db: Db, secretKey: string, serverId: string, toolName: string, options: McpOptions): Promise<Tool | null> {
  const row = await getServer(db, serverId);
  if (!row) return null;
  try {
    return (await serverTools(db, secretKey, row, options, [toolName]))[0] ?? null;
  } catch (err) {
    throw toolErrorOf(err, options.signal ?? new AbortController().signal);
  }
}

/** The tools of every MCP server the app was given; a server that cannot be listed is left out (and logged). */
export async function appMcpTools(db: Db, secretKey: string, appId: string, options: McpOptions): Promise<Tool[]> {
  const rows = await db
    .select({ server: mcpServers, tools: appMcpServers.tools })
    .from(appMcpServers)
    .innerJoin(mcpServers, eq(mcpServers.id, appMcpServers.serverId))
    .where(eq(appMcpServers.appId, appId))
    .orderBy(appMcpServers.serverId)
    .all();
  const lists = await Promise.all(
    rows.map(async ({ server, tools }) => {
      try {
        return await serverTools(db, secretKey, server, options, Array.isArray(tools) ? tools : null);
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason ?? err;
        log(null, "warn", "mcp server left out of the app's tools", { server: server.id, app: appId, error: describeError(err) });
        return [];
      }
    }),
  );
  return lists.flat();
}

export type GrantOutcome = McpGrantView | "no_app" | "no_server";

export async function grantServer(db: Db, appId: string, serverId: string, tools: string[] | null): Promise<GrantOutcome> {
  const [app, server] = await db.batch([
    db.select({ id: apps.id }).from(apps).where(eq(apps.id, appId)),
    db.select({ id: mcpServers.id }).from(mcpServers).where(eq(mcpServers.id, serverId)),
  ]);
  if (!app.length) return "no_app";
  if (!server.length) return "no_server";
  await db
    .insert(appMcpServers)
    .values({ appId, serverId, tools, createdAt: nowSeconds() })
    .onConflictDoUpdate({ target: [appMcpServers.appId, appMcpServers.serverId], set: { tools } })
    .run();
  return { app_id: appId, server_id: serverId, tools };
}

export async function revokeServer(db: Db, appId: string, serverId: string): Promise<boolean> {
  const deleted = await db
    .delete(appMcpServers)
    .where(and(eq(appMcpServers.appId, appId), eq(appMcpServers.serverId, serverId)))
    .returning({ appId: appMcpServers.appId });
  return deleted.length > 0;
}

export async function listGrants(db: Db, appId: string): Promise<McpGrantView[] | null> {
  const app = await db.select({ id: apps.id }).from(apps).where(eq(apps.id, appId)).get();
  if (!app) return null;
  const rows = await db.select().from(appMcpServers).where(eq(appMcpServers.appId, appId)).orderBy(appMcpServers.serverId).all();
  return rows.map((r) => ({ app_id: r.appId, server_id: r.serverId, tools: Array.isArray(r.tools) ? r.tools : null }));
}

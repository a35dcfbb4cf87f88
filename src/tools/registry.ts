// The one tool registry agents and workflow tool nodes resolve tools from: Dify's in-core built-ins
// by provider id and tool name, and tools of registered MCP servers (a DSL tool with
// provider_type "mcp" names the server by provider_id; agent apps can also be given servers' tools
// through the admin API). Argument resolution lives in arguments.ts and is re-exported here.
import type { Db } from "../db/client";
import { builtinTools } from "./builtin";
import { appMcpTools as serverToolsOfApp, type McpOptions, resolveMcpTool } from "./mcp/servers";
import { lastSegment } from "./refs";
import type { Tool, ToolRef, ToolSettings } from "./types";

export { builtinProviders, builtinTools } from "./builtin";
export { castParameter, type PoolReader, resolveArguments, type ToolInputs } from "./arguments";
export { unsupportedToolReason } from "./refs";

export interface ResolveOptions {
  /** fetch() through the SSRF guard (a run's services.fetch): MCP servers are reached only through it. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** The run's stop signal. */
  signal?: AbortSignal;
  /** config.tools; the documented defaults when absent. */
  settings?: ToolSettings;
}

const mcpOptions = (options: ResolveOptions): McpOptions => ({
  fetch: options.fetch,
  signal: options.signal,
  ...(options.settings ? { timeoutMs: options.settings.mcpTimeoutSeconds * 1000, ttlSeconds: options.settings.mcpToolsCacheTtl } : {}),
});


/**
 * The tool a DSL reference names, or null when nothing here provides it (an unknown built-in, an
 * unregistered MCP server or tool, a provider type this server does not run). An MCP server whose
 * tools cannot be listed (and has none cached) throws ToolError("Failed to connect to MCP server: …").
 */
export async function resolveTool(db: Db, secretKey: string, ref: ToolRef, options: ResolveOptions): Promise<Tool | null> {
  const type = String(ref.provider_type ?? "builtin");
  const toolName = String(ref.tool_name ?? "");
  if (!toolName) return null;
  if (type === "builtin") {
    const provider = lastSegment(ref.provider_id ?? ref.provider_name);
    return builtinTools(options.settings).find((tool) => tool.provider === provider && tool.name === toolName) ?? null;
  }
  if (type === "mcp") {
    const serverId = String(ref.provider_id ?? ref.provider_name ?? "");
    return serverId ? resolveMcpTool(db, secretKey, serverId, toolName, mcpOptions(options)) : null;
  }
  return null;
}

/** The tools of the MCP servers the admin API gave the app; a server that cannot be listed is left out. */
export function appMcpTools(db: Db, secretKey: string, appId: string, options: ResolveOptions): Promise<Tool[]> {
  return serverToolsOfApp(db, secretKey, appId, mcpOptions(options));
}

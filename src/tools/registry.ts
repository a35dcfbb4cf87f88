// The one tool registry agents and workflow tool nodes resolve tools from: Dify's in-core built-ins
// by provider id and tool name, and tools of registered MCP servers (a DSL tool with
// provider_type "mcp" names the server by provider_id; agent apps can also be given servers' tools
// through the admin API). Argument resolution lives in arguments.ts and is re-exported here.
import type { Db } from "../db/client";
import { builtinTools } from "./builtin";
import type { Tool, ToolRef } from "./types";

export { builtinTools } from "./builtin";
export { castParameter, type PoolReader, resolveArguments, type ToolInputs } from "./arguments";
export interface ResolveOptions {
  /** fetch() through the SSRF guard (a run's services.fetch), for listing MCP servers' tools. */
  fetch?(url: string, init: RequestInit): Promise<Response>;
  signal?: AbortSignal;
}

/** "langgenius/time/time" and "time" both name the built-in provider "time". */
const lastSegment = (value: unknown): string => String(value ?? "").split("/").filter(Boolean).at(-1) ?? "";

/**
 * The tool a DSL reference names, or null when nothing here provides it (an unknown built-in, an
 * unregistered MCP server, a provider type this server does not run). An MCP server whose tools
 * cannot be listed throws ToolError("Failed to connect to MCP server: …").
 */
export async function resolveTool(_db: Db, _secretKey: string, ref: ToolRef, _options: ResolveOptions = {}): Promise<Tool | null> {
  const type = String(ref.provider_type ?? "builtin");
  const toolName = String(ref.tool_name ?? "");
  if (!toolName) return null;
  if (type === "builtin") {
    const provider = lastSegment(ref.provider_id ?? ref.provider_name);
    return builtinTools().find((tool) => tool.provider === provider && tool.name === toolName) ?? null;
  }
  return null;
}


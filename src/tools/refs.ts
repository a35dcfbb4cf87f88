// Tool references as a DSL writes them (agent_mode.tools[], a tool node's data) and whether the
// registry can run one. Dify 1.x keeps only a few providers in core as built-in tools (time, code,
// audio, webscraper); every other tool (including the old built-ins such as yahoo or json_process)
// became a plugin, and plugins need Dify's plugin daemon, which this server does not run. MCP tools
// run through a server registered with the admin API under the DSL's provider_id; whether it is
// registered is decided when the tool runs (it may be registered after the import).
import { builtinTools } from "./builtin";
import type { ToolRef } from "./types";

/** "langgenius/time/time" and "time" both name the built-in provider "time". */
export const lastSegment = (value: unknown): string => String(value ?? "").split("/").filter(Boolean).at(-1) ?? "";

export function toolLabel(tool: ToolRef): string {
  const provider = String(tool.provider_id ?? tool.provider_name ?? "unknown");
  return `${provider}/${String(tool.tool_name ?? "unknown")}`;
}

/** Null when the registry can run the tool, else why not (naming it). */
export function unsupportedToolReason(tool: ToolRef): string | null {
  const type = String(tool.provider_type ?? "builtin");
  if (type === "builtin") {
    const provider = lastSegment(tool.provider_id ?? tool.provider_name);
    const tools = builtinTools().filter((t) => t.provider === provider);
    if (tools.some((t) => t.name === String(tool.tool_name ?? ""))) return null;
    if (tools.length) return `tool ${toolLabel(tool)} is not a tool of the built-in provider ${provider}`;
  }
  if (type === "mcp") {
    if (String(tool.provider_id ?? "").trim() && String(tool.tool_name ?? "").trim()) return null;
    return `MCP tool ${toolLabel(tool)} must name its server (provider_id) and tool (tool_name)`;
  }
  if (type === "builtin" || type === "plugin") return `tool ${toolLabel(tool)} is a plugin tool, which this server cannot run`;
  return `tool ${toolLabel(tool)} of provider type "${type}" cannot run on this server`;
}

// Which tools an imported app may use. Dify 1.x keeps only these providers in core as built-in
// tools; every other tool (including the old built-ins such as yahoo or json_process) became a
// plugin, and plugins need Dify's plugin daemon, which this server does not run.
export const BUILTIN_TOOL_PROVIDERS = new Set(["time", "code", "audio", "webscraper"]);

export interface ToolRef {
  provider_type?: unknown;
  provider_id?: unknown;
  provider_name?: unknown;
  tool_name?: unknown;
}

export function toolLabel(tool: ToolRef): string {
  const provider = String(tool.provider_id ?? tool.provider_name ?? "unknown");
  return `${provider}/${String(tool.tool_name ?? "unknown")}`;
}

/** Null when the tool can run here, else why not. */
export function unsupportedToolReason(tool: ToolRef): string | null {
  const type = String(tool.provider_type ?? "builtin");
  if (type === "builtin" && BUILTIN_TOOL_PROVIDERS.has(String(tool.provider_id ?? ""))) return null;
  if (type === "builtin" || type === "plugin") return `tool ${toolLabel(tool)} is a plugin tool, which this server cannot run`;
  return `tool ${toolLabel(tool)} of provider type "${type}" cannot run on this server`;
}

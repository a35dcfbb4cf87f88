// One tool layer for agents (agent-chat apps) and workflow tool nodes (spec dify-dsl-and-nodes.md
// §1.12, §3.19): a tool has a name, a label, parameters (with a JSON schema for the model to fill)
// and a call that takes resolved arguments and a context and returns text, JSON and files. A tool
// error is thrown as ToolError; callers turn it into the agent's observation or the node's error.
import type { Env } from "../env";
import type { ResolvedProvider } from "../llm/registry";
import type { LlmProvider } from "../llm/types";
import type { FileValue, Json } from "../workflow/segments";

export class ToolError extends Error {
  constructor(
    message: string,
    /** Dify's error type names, e.g. ToolInvokeError, ToolParameterValidationError. */
    readonly errorType = "ToolInvokeError",
  ) {
    super(message);
  }
}

export interface ToolParameter {
  name: string;
  /** Dify's tool parameter types: string, number, boolean, select, secret-input, file, files, object, array. */
  type: string;
  required: boolean;
  /** "llm": the model (or a workflow variable) fills it; "form": configured in the DSL (tool_configurations). */
  form: "llm" | "form";
  label: string;
  /** What the model is told about it. */
  description: string;
  options?: string[];
  default?: unknown;
}

/** Limits of the tool layer (config.ts `tools`; README "Tools and MCP"). */
export interface ToolSettings {
  /** MCP_TIMEOUT: seconds an MCP server may take to answer one request. */
  mcpTimeoutSeconds: number;
  /** MCP_TOOLS_CACHE_TTL: seconds a server's cached tools/list is used before it is listed again. */
  mcpToolsCacheTtl: number;
  /** WEBSCRAPER_MAX_BYTES: bytes of a page the webscraper reads (the rest is never pulled). */
  webscraperMaxBytes: number;
  /** WEBSCRAPER_TIMEOUT: seconds the webscraper waits for a whole page. */
  webscraperTimeoutSeconds: number;
}

/** What a call may use: its stop signal, the one SSRF-guarded fetch, files, the app's provider. */
export interface ToolContext {
  env: Env;
  signal: AbortSignal;
  /** fetch() through the SSRF guard (every hop re-checked; refused addresses throw before anything is sent). */
  fetch(url: string, init: RequestInit): Promise<Response>;
  readFile(file: FileValue): Promise<Uint8Array>;
  saveFile(bytes: Uint8Array, name: string, mimeType: string): Promise<FileValue>;
  /** The app's model provider (audio tools speak and transcribe through it); null when it has none. */
  provider: ResolvedProvider | null;
  tenantId: string;
  /** The end user's session id. */
  userId: string;
  /**
   * The app's chat model, for tools that call one (webscraper's generate_summary). Optional: without
   * it such a tool does its work without the model (the scraper returns the page unsummarised).
   */
  llm?: { provider: LlmProvider; model: string } | null;
}

export interface ToolResult {
  text: string;
  json: Json[];
  files: FileValue[];
  /**
   * Output variables the tool declares beyond text/json/files (an MCP tool's structuredContent when
   * it has an outputSchema, as Dify's create_variable_message); a tool node publishes each key.
   */
  variables?: Json;
}

export interface Tool {
  /** Provider id as Dify's DSL names it ("time", "webscraper", "code", "audio"), or the MCP server id. */
  provider: string;
  providerType: "builtin" | "mcp";
  name: string;
  label: string;
  description: string;
  parameters: ToolParameter[];
  /**
   * The tool's own JSON schema of its arguments, when it has a richer one than `parameters` can say
   * (an MCP tool's inputSchema: nested objects, item types, enums of numbers). toolSchema returns it.
   */
  inputSchema?: Json;
  call(args: Json, context: ToolContext): Promise<ToolResult>;
}

/** A tool as a DSL names it (agent_mode.tools[] or a tool node's data). */
export interface ToolRef {
  provider_type?: unknown;
  provider_id?: unknown;
  provider_name?: unknown;
  tool_name?: unknown;
}

/** The JSON schema of the parameters a model fills (OpenAI function `parameters`). */
export function toolSchema(tool: Tool): Json {
  if (tool.inputSchema) return tool.inputSchema;
  const properties: Json = {};
  const required: string[] = [];
  for (const p of tool.parameters) {
    if (p.form !== "llm") continue;
    const type = p.type === "number" ? "number" : p.type === "boolean" ? "boolean" : p.type === "object" ? "object" : p.type === "array" ? "array" : "string";
    properties[p.name] = { type, description: p.description, ...(p.options?.length ? { enum: p.options } : {}) };
    if (p.required) required.push(p.name);
  }
  return { type: "object", properties, required };
}

// tool (spec dify-dsl-and-nodes.md §3.19; Dify's ToolNode): the tool the node names, from the one tool
// registry (Dify's in-core built-ins, or an MCP server registered under provider_id), called with
// its arguments resolved from the variable pool (tool_parameters: mixed/variable/constant;
// tool_configurations: form values). Outputs `text` (streamed to answers and End nodes), `files`,
// `json` (array[object]) and the variables a tool declares. Every failure is the node's error, so
// retries, default values and the fail branch apply.
import { isObject } from "../../lib/json";
import { type PoolReader, resolveArguments, unsupportedToolReason } from "../../tools/registry";
import { type Tool, type ToolContext, ToolError } from "../../tools/types";
import type { Json } from "../segments";
import { renderVariables } from "../template";
import { NodeError, type NodeDefinition, type NodeServices } from "../types";
import type { VariablePool } from "../variable-pool";

const reader = (pool: VariablePool): PoolReader => ({
  value: (selector) => {
    const found = pool.get(selector);
    return found.found ? found.value : undefined;
  },
  text: (template) => renderVariables(template, pool),
});

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The app's provider for the audio tools: the one their `model` form value ("<provider>#<model>") names, else the default. */
async function audioProvider(services: NodeServices, args: Json): Promise<ToolContext["provider"]> {
  const model = typeof args.model === "string" ? args.model : "";
  const provider = model.includes("#") ? model.slice(0, model.lastIndexOf("#")) : "";
  try {
    return (await services.provider(provider)).resolved;
  } catch {
    return null;
  }
}

async function toolOf(services: NodeServices, data: Json, signal: AbortSignal): Promise<Tool> {
  const label = `${String(data.provider_id ?? data.provider_name ?? "")}/${String(data.tool_name ?? "")}`;
  let tool: Tool | null;
  try {
    tool = await services.tool(data, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new NodeError(`Failed to get tool runtime: ${messageOf(err)}`, "ToolNodeError");
  }
  if (!tool) throw new NodeError(`Failed to get tool runtime: tool ${label} not found`, "ToolNodeError");
  return tool;
}

export const toolNode: NodeDefinition = {
  type: "tool",
  streams: ["text"],
  retries: true,
  check: (data) => unsupportedToolReason(data),
  async run({ node, pool, services, signal, stream }) {
    const data = node.data;
    const tool = await toolOf(services, data, signal);
    let args: Json;
    try {
      args = resolveArguments(
        tool,
        { toolParameters: isObject(data.tool_parameters) ? data.tool_parameters : {}, toolConfigurations: isObject(data.tool_configurations) ? data.tool_configurations : {} },
        reader(pool),
      );
    } catch (err) {
      throw new NodeError(messageOf(err), "ToolParameterError");
    }
    const context: ToolContext = {
      env: services.env,
      signal,
      fetch: services.fetch,
      readFile: services.readFile,
      saveFile: services.saveFile,
      provider: tool.provider === "audio" && tool.providerType === "builtin" ? await audioProvider(services, args) : null,
      tenantId: services.tenantId,
      userId: services.userId,
    };
    let result;
    try {
      result = await tool.call(args, context);
    } catch (err) {
      if (signal.aborted) throw err;
      const provider = String(data.provider_name ?? data.provider_id ?? tool.provider);
      throw new NodeError(`Failed to invoke tool ${provider}: ${messageOf(err)}`, err instanceof ToolError ? err.errorType : "ToolInvokeError");
    }
    if (result.text) stream("text", result.text);
    const variables = isObject(result.variables) ? result.variables : {};
    // Dify's order: a declared variable named text, files or json wins.
    return { inputs: args, outputs: { text: result.text, files: result.files, json: result.json, ...variables } };
  },
};

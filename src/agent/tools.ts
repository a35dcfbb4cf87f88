// The tools an agent run may call: the app's agent_mode.tools resolved through the one tool registry
// (Dify's in-core built-ins, MCP servers named by provider_id) and the tools of the MCP servers the
// admin API gave the app. Resolved inside the TaskRunner, where MCP headers are decrypted. A tool
// that cannot be resolved (an MCP server down with nothing cached) is left out and logged: the model
// answers without it rather than the run failing.
import { getDb } from "../db/client";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { appMcpTools, type ResolveOptions, resolveArguments, resolveTool } from "../tools/registry";
import type { Tool } from "../tools/types";
import type { AgentSpec } from "./spec";

export async function agentTools(env: Env, secretKey: string, spec: AgentSpec, options: ResolveOptions): Promise<Tool[]> {
  const db = getDb(env.DB);
  const tools: Tool[] = [];
  for (const ref of spec.tools) {
    let tool: Tool | null = null;
    try {
      tool = await resolveTool(db, secretKey, ref, options);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      log(null, "warn", "agent tool left out", { task_id: spec.taskId, tool: `${String(ref.provider_id)}/${String(ref.tool_name)}`, error: describeError(err) });
    }
    if (tool) tools.push(withArguments(tool, ref.tool_parameters ?? {}));
  }
  for (const tool of await appMcpTools(db, secretKey, spec.appId, options)) if (!tools.some((t) => t.name === tool.name)) tools.push(withArguments(tool, {}));
  return tools;
}

/**
 * The model's arguments resolved as Dify's ToolEngine does before an agent's call: the app's
 * configured values (tool_parameters) for form parameters, defaults, required checks and casts to
 * the declared types. A ToolError here becomes the observation, like any tool failure.
 */
function withArguments(tool: Tool, configured: Record<string, unknown>): Tool {
  return { ...tool, call: (args, context) => tool.call(resolveArguments(tool, { toolParameters: args, toolConfigurations: configured }), context) };
}

// The tools an agent run may call: the app's agent_mode.tools resolved through the one tool registry
// (Dify's in-core built-ins, MCP servers named by provider_id) and the tools of the MCP servers the
// admin API gave the app. Resolved inside the TaskRunner, where MCP headers are decrypted.
import { getDb } from "../db/client";
import type { Env } from "../env";
import { appMcpTools, resolveTool } from "../tools/registry";
import type { Tool } from "../tools/types";
import type { AgentSpec } from "./spec";

export async function agentTools(env: Env, secretKey: string, spec: AgentSpec): Promise<Tool[]> {
  const db = getDb(env.DB);
  const tools: Tool[] = [];
  for (const ref of spec.tools) {
    const tool = await resolveTool(db, secretKey, ref);
    if (tool) tools.push(withConfigured(tool, ref.tool_parameters ?? {}));
  }
  for (const tool of await appMcpTools(db, secretKey, spec.appId)) if (!tools.some((t) => t.name === tool.name)) tools.push(tool);
  return tools;
}

/** Values the app configured for a tool are used under whatever the model fills in. */
function withConfigured(tool: Tool, configured: Record<string, unknown>): Tool {
  const preset = Object.fromEntries(Object.entries(configured).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  if (Object.keys(preset).length === 0) return tool;
  return { ...tool, call: (args, context) => tool.call({ ...preset, ...args }, context) };
}

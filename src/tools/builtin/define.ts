// Small constructors for the in-core built-in tools: their parameters as Dify's yaml declares them.
import type { Json } from "../../workflow/segments";
import type { Tool, ToolContext, ToolParameter, ToolResult } from "../types";

export function param(
  name: string,
  type: string,
  options: { form?: "llm" | "form"; required?: boolean; label?: string; description?: string; default?: unknown; options?: string[] } = {},
): ToolParameter {
  return {
    name,
    type,
    required: options.required ?? false,
    form: options.form ?? "llm",
    label: options.label ?? name,
    description: options.description ?? "",
    ...(options.options ? { options: options.options } : {}),
    ...(options.default !== undefined ? { default: options.default } : {}),
  };
}

export function builtinTool(
  provider: string,
  spec: { name: string; label: string; description: string; parameters: ToolParameter[] },
  call: (args: Json, context: ToolContext) => Promise<ToolResult>,
): Tool {
  return { provider, providerType: "builtin", ...spec, call };
}

/** A result that is only text (what most built-ins yield: one create_text_message). */
export const text = (value: string): ToolResult => ({ text: value, json: [], files: [] });

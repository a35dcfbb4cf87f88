// Dify's in-core built-in tool providers that run here (the ones Dify 1.x keeps in core, see
// src/dsl/tools.ts): time.
import type { Tool } from "../types";
import { timeTools } from "./time";

let tools: Tool[] | null = null;

/** Every built-in tool, built once per isolate. */
export function builtinTools(): Tool[] {
  tools ??= [...timeTools()];
  return tools;
}

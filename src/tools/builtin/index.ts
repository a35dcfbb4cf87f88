// Dify's in-core built-in tool providers that run here (Dify 1.x keeps time, code, audio and
// webscraper in core; every other tool became a plugin). `code` needs the workflow's JavaScript
// sandbox, which this server does not have yet, so it is not offered.
import type { Tool } from "../types";
import { audioTools } from "./audio";
import { timeTools } from "./time";
import { webscraperTools } from "./webscraper";

let tools: Tool[] | null = null;

/** Every built-in tool, built once per isolate. */
export function builtinTools(): Tool[] {
  tools ??= [...timeTools(), webscraperTools()[0], ...audioTools()];
  return tools;
}

/** The provider ids of the built-ins (what a DSL's provider_id names). */
export function builtinProviders(): Set<string> {
  return new Set(builtinTools().map((tool) => tool.provider));
}

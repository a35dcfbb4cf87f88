// Dify's in-core built-in tool providers, all of which run here (Dify 1.x keeps time, code, audio and
// webscraper in core; every other tool became a plugin).
import type { Tool, ToolSettings } from "../types";
import { audioTools } from "./audio";
import { codeTools } from "./code";
import { timeTools } from "./time";
import { WEBSCRAPER_MAX_BYTES, WEBSCRAPER_TIMEOUT_MS, webscraperTools } from "./webscraper";

const DEFAULTS = { webscraperMaxBytes: WEBSCRAPER_MAX_BYTES, webscraperTimeoutSeconds: WEBSCRAPER_TIMEOUT_MS / 1000 };
const built = new WeakMap<object, Tool[]>();

/** Every built-in tool with the given limits (built once per settings object). */
export function builtinTools(settings: Pick<ToolSettings, "webscraperMaxBytes" | "webscraperTimeoutSeconds"> = DEFAULTS): Tool[] {
  let tools = built.get(settings);
  if (!tools) {
    tools = [...timeTools(), ...webscraperTools({ maxBytes: settings.webscraperMaxBytes, timeoutMs: settings.webscraperTimeoutSeconds * 1000 }), ...audioTools(), ...codeTools()];
    built.set(settings, tools);
  }
  return tools;
}

/** The provider ids of the built-ins (what a DSL's provider_id names). */
export function builtinProviders(): Set<string> {
  return new Set(builtinTools().map((tool) => tool.provider));
}

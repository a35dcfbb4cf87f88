// Builds the LlmProvider for a resolved registry entry.
import type { ResolvedProvider } from "./registry";
import { EchoProvider } from "./echo";
import { OpenAiCompatibleProvider } from "./openai-compatible";
import type { LlmProvider } from "./types";
import { type AiBinding, WorkersAiProvider } from "./workers-ai";

export interface ProviderRuntime {
  ai?: AiBinding;
  idleTimeoutMs: number;
  echoDelayMs: number;
}

export function createProvider(provider: ResolvedProvider, runtime: ProviderRuntime): LlmProvider {
  switch (provider.type) {
    case "openai-compatible":
      return new OpenAiCompatibleProvider({ name: provider.name, baseUrl: provider.baseUrl, apiKey: provider.apiKey, idleTimeoutMs: runtime.idleTimeoutMs });
    case "workers-ai":
      return new WorkersAiProvider({ name: provider.name, ai: runtime.ai, idleTimeoutMs: runtime.idleTimeoutMs });
    case "echo": {
      const delay = Number(provider.config.delay_ms);
      return new EchoProvider({ delayMs: Number.isFinite(delay) && delay >= 0 ? delay : runtime.echoDelayMs });
    }
  }
}

// Chatflow memory of the LLM-backed nodes (spec dify-dsl-and-nodes.md §3.4 step 2, Dify's
// TokenBufferMemory): the thread's earlier turns, at most `window.size` of them when the window is on
// (never more than 500), then the oldest messages dropped until the rest fits the token budget.
// Workflows have no conversation, so their history is empty.
import { isObject } from "../../lib/json";
import type { HistoryTurn } from "../../llm/prompt";
import type { Json } from "../segments";
import type { NodeServices } from "../types";
import { plainText, type PromptMessage, promptTokens } from "./messages";

export interface MemoryConfig {
  window: { enabled: boolean; size: number | null };
  rolePrefix: { user: string; assistant: string } | null;
  queryPromptTemplate: string | null;
}

const MAX_MESSAGES = 500;

export function memoryConfig(data: Json): MemoryConfig | null {
  const memory = data.memory;
  if (!isObject(memory)) return null;
  const window = isObject(memory.window) ? memory.window : {};
  const size = Number(window.size);
  const prefix = isObject(memory.role_prefix) ? memory.role_prefix : null;
  return {
    window: { enabled: window.enabled === true, size: Number.isInteger(size) && size > 0 ? size : null },
    rolePrefix: prefix && typeof prefix.user === "string" && typeof prefix.assistant === "string" ? { user: prefix.user, assistant: prefix.assistant } : null,
    queryPromptTemplate: typeof memory.query_prompt_template === "string" ? memory.query_prompt_template : null,
  };
}

/**
 * How many turns to load. The llm node honours `window.enabled`; the classifier and the extractor
 * take `window.size` whenever it is set (Dify's behaviour for both).
 */
export function windowLimit(memory: MemoryConfig, honourEnabled: boolean): number {
  const size = honourEnabled && !memory.window.enabled ? null : memory.window.size;
  return Math.min(size ?? MAX_MESSAGES, MAX_MESSAGES);
}

function asMessages(turns: HistoryTurn[]): PromptMessage[] {
  return turns.flatMap((turn): PromptMessage[] => [
    { role: "user", parts: [{ type: "text", text: turn.query }], history: true },
    { role: "assistant", parts: [{ type: "text", text: turn.answer }], history: true },
  ]);
}

/** The earlier turns as user/assistant messages, oldest first, within `budget` tokens (at least one message stays). */
export async function historyMessages(services: NodeServices, limit: number, budget: number): Promise<PromptMessage[]> {
  const messages = asMessages(await services.history(limit));
  while (messages.length > 1 && promptTokens(messages) > budget) messages.shift();
  return messages;
}

/** History as one text block ("Human: …\nAssistant: …"), for prompts that take it inline. */
export function historyText(messages: PromptMessage[], human = "Human", assistant = "Assistant"): string {
  return messages
    .map((m) => `${m.role === "user" ? human : assistant}: ${plainText(m)}`)
    .join("\n");
}

// Prompt assembly for easy-UI apps as Dify does it (spec dify-dsl-and-nodes.md §1.11;
// core/prompt/simple_prompt_transform.py, advanced_prompt_transform.py, token_buffer_memory.py).
import { estimateMessagesTokens } from "./tokens";
import { inputValues, renderTemplate } from "./template";
import type { ChatMessage, ContentPart } from "./types";

export interface HistoryTurn {
  query: string;
  answer: string;
}

export interface PromptSpec {
  appMode: "chat" | "completion";
  /** The model's API shape: chat messages, or one completion prompt. */
  modelMode: "chat" | "completion";
  promptType: "simple" | "advanced";
  prePrompt: string;
  chatPromptConfig: { prompt?: { role?: string; text?: string }[] } | null;
  completionPromptConfig: { prompt?: { text?: string }; conversation_histories_role?: { user_prefix?: string; assistant_prefix?: string } } | null;
  inputs: Record<string, unknown>;
  query: string;
  /** Previous turns of this conversation's thread, oldest first (chat apps only). */
  history: HistoryTurn[];
  /** Image/file parts attached to the last user message. */
  files: ContentPart[];
  /** The model's context window in tokens, when known. */
  contextSize: number | null;
  maxTokens: number | undefined;
}

export interface AssembledPrompt {
  messages: ChatMessage[];
  stop: string[] | undefined;
}

const CHAT_RULES = {
  histories: "Here is the chat histories between human and assistant, inside <histories></histories> XML tags.\n\n<histories>\n{{#histories#}}\n</histories>\n\n",
  query: "\n\nHuman: {{#query#}}\n\nAssistant: ",
  stops: ["\nHuman:", "</histories>"],
};

function userMessage(text: string, files: ContentPart[]): ChatMessage {
  return files.length ? { role: "user", content: [{ type: "text", text }, ...files] } : { role: "user", content: text };
}

/** Tokens left for history: context − max_tokens − current prompt; Dify's 2000 when the context is unknown. */
function restTokens(spec: PromptSpec, current: ChatMessage[]): number {
  if (!spec.contextSize) return 2000;
  return Math.max(spec.contextSize - (spec.maxTokens ?? 0) - estimateMessagesTokens(current), 0);
}

/** Drops the oldest turns until the history fits `budget` tokens (keeping at least one message, as Dify). */
function trimHistory(turns: ChatMessage[], budget: number): ChatMessage[] {
  const kept = [...turns];
  while (kept.length > 1 && estimateMessagesTokens(kept) > budget) kept.shift();
  return kept;
}

function historyMessages(history: HistoryTurn[]): ChatMessage[] {
  return history.flatMap((turn): ChatMessage[] => [
    { role: "user", content: turn.query },
    { role: "assistant", content: turn.answer },
  ]);
}

function historyText(messages: ChatMessage[], human: string, assistant: string): string {
  return messages.map((m) => `${m.role === "user" ? human : assistant}: ${typeof m.content === "string" ? m.content : ""}`).join("\n");
}

function simplePromptString(spec: PromptSpec, opts: { query?: string; histories?: string }): string {
  let template = spec.prePrompt ? `${spec.prePrompt}\n` : "";
  if (opts.histories !== undefined && spec.appMode === "chat") template += CHAT_RULES.histories;
  if (opts.query !== undefined) template += spec.appMode === "chat" ? CHAT_RULES.query : "{{#query#}}";
  return renderTemplate(template, { ...inputValues(spec.inputs), "#query#": opts.query ?? "", "#histories#": opts.histories ?? "", "#context#": "" });
}

function simple(spec: PromptSpec): AssembledPrompt {
  if (spec.modelMode === "chat") {
    const prompt = simplePromptString(spec, {});
    const messages: ChatMessage[] = [];
    if (prompt && spec.query) messages.push({ role: "system", content: prompt });
    const last = userMessage(spec.query || prompt, spec.files);
    if (spec.appMode === "chat" && spec.history.length) {
      messages.push(...trimHistory(historyMessages(spec.history), restTokens(spec, [...messages, last])));
    }
    messages.push(last);
    return { messages, stop: undefined };
  }
  // A completion-API model gets one prompt; chat apps fold the history into it.
  let prompt = simplePromptString(spec, { query: spec.query });
  if (spec.appMode === "chat" && spec.history.length) {
    const kept = trimHistory(historyMessages(spec.history), restTokens(spec, [{ role: "user", content: prompt }]));
    prompt = simplePromptString(spec, { query: spec.query, histories: historyText(kept, "Human", "Assistant") });
  }
  return { messages: [userMessage(prompt, spec.files)], stop: spec.appMode === "chat" ? CHAT_RULES.stops : undefined };
}

function advanced(spec: PromptSpec): AssembledPrompt {
  const values = { ...inputValues(spec.inputs), "#context#": "", "#query#": spec.query };
  if (spec.modelMode === "chat") {
    const messages: ChatMessage[] = [];
    for (const item of spec.chatPromptConfig?.prompt ?? []) {
      const role = item.role === "assistant" || item.role === "user" ? item.role : "system";
      const text = renderTemplate(item.text ?? "", values);
      if (role === "system" && !text) continue;
      messages.push({ role, content: text });
    }
    const last = userMessage(spec.query, spec.files);
    if (spec.appMode === "chat" && spec.history.length) {
      messages.push(...trimHistory(historyMessages(spec.history), restTokens(spec, [...messages, last])));
    }
    if (spec.query || spec.files.length) messages.push(last);
    return { messages, stop: undefined };
  }
  const template = spec.completionPromptConfig?.prompt?.text ?? "";
  const roles = spec.completionPromptConfig?.conversation_histories_role;
  let histories = "";
  if (spec.appMode === "chat" && spec.history.length && roles?.user_prefix && roles.assistant_prefix) {
    const base = renderTemplate(template, { ...values, "#histories#": "" });
    const kept = trimHistory(historyMessages(spec.history), restTokens(spec, [{ role: "user", content: base }]));
    histories = historyText(kept, roles.user_prefix, roles.assistant_prefix);
  }
  return { messages: [userMessage(renderTemplate(template, { ...values, "#histories#": histories }), spec.files)], stop: undefined };
}

export function assemblePrompt(spec: PromptSpec): AssembledPrompt {
  return spec.promptType === "advanced" ? advanced(spec) : simple(spec);
}

/** The conversation introduction: the opening statement with `{{var}}` filled from the inputs. */
export function renderIntroduction(openingStatement: string | null, inputs: Record<string, unknown>): string {
  return openingStatement ? renderTemplate(openingStatement, inputValues(inputs)) : "";
}


// OpenAI-compatible Chat Completions over HTTP (OpenAI, Azure-style gateways, Ollama, vLLM,
// OpenRouter, ...): POST {base_url}/chat/completions with streaming and include_usage.
import { CompletionRequestError, ProviderNotInitialize } from "../lib/errors";
import { AbortedError, readSse } from "./sse-reader";
import type { ChatMessage, GenerateRequest, LlmProvider, StreamChunk, TokenUsage, ToolCall } from "./types";
import { upstreamError } from "./upstream-errors";

export interface OpenAiCompatibleOptions {
  name: string;
  baseUrl: string | null;
  apiKey: string | null;
  idleTimeoutMs: number;
  fetch?: typeof fetch;
}

interface ToolCallDelta {
  index?: unknown;
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

interface ChunkJson {
  choices?: { delta?: { content?: unknown; tool_calls?: ToolCallDelta[] }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: { message?: unknown };
}

function usageOf(raw: ChunkJson["usage"]): TokenUsage | null {
  if (!raw || typeof raw.prompt_tokens !== "number" || typeof raw.completion_tokens !== "number") return null;
  return { promptTokens: raw.prompt_tokens, completionTokens: raw.completion_tokens };
}

/** The wire form of a message: tool calls and tool results as the Chat Completions API wants them. */
function wireMessage(m: ChatMessage): Record<string, unknown> {
  if (m.role === "tool") return { role: "tool", tool_call_id: m.tool_call_id, content: m.content };
  if (m.tool_calls?.length) {
    return { role: m.role, content: m.content || null, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) };
  }
  return { role: m.role, content: m.content };
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly supportsTools = true;

  constructor(private readonly options: OpenAiCompatibleOptions) {}

  async *stream(request: GenerateRequest): AsyncGenerator<StreamChunk> {
    const { name, baseUrl, apiKey, idleTimeoutMs } = this.options;
    if (!baseUrl) throw new ProviderNotInitialize(`The model provider "${name}" has no base_url.`);
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map(wireMessage),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (request.tools?.length) body.tools = request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } }));
    for (const [key, value] of Object.entries(request.params)) {
      if (value !== undefined && !(key === "stop" && Array.isArray(value) && value.length === 0)) body[key] = value;
    }
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "text/event-stream" };
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(`${baseUrl.replace(/\/+$/, "")}/chat/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: request.signal,
      });
    } catch (err) {
      if (request.signal.aborted) throw new AbortedError();
      throw new CompletionRequestError(`[${name}] Could not reach the model provider: ${(err as Error).message}`.slice(0, 300));
    }
    if (!res.ok) throw await upstreamError(res, name);
    if (!res.body) throw new CompletionRequestError(`[${name}] The model provider returned an empty body.`);

    let finished = false;
    let usage: TokenUsage | null = null;
    const calls = new Map<number, ToolCall>();
    for await (const data of readSse(res.body, { idleTimeoutMs, signal: request.signal, provider: name })) {
      if (data.trim() === "[DONE]") break;
      let chunk: ChunkJson;
      try {
        chunk = JSON.parse(data) as ChunkJson;
      } catch {
        throw new CompletionRequestError(`[${name}] The model provider sent a malformed chunk.`);
      }
      if (typeof chunk !== "object" || chunk === null) throw new CompletionRequestError(`[${name}] The model provider sent a malformed chunk.`);
      if (chunk.error) {
        const message = typeof chunk.error.message === "string" ? `: ${chunk.error.message.slice(0, 300)}` : "";
        throw new CompletionRequestError(`[${name}] The model provider reported an error${message}`);
      }
      usage = usageOf(chunk.usage) ?? usage;
      const choice = chunk.choices?.[0];
      const content = choice?.delta?.content;
      if (typeof content === "string" && content) yield { type: "delta", text: content };
      for (const part of choice?.delta?.tool_calls ?? []) {
        const index = typeof part.index === "number" ? part.index : calls.size;
        const call = calls.get(index) ?? { id: "", name: "", arguments: "" };
        if (typeof part.id === "string" && part.id) call.id = part.id;
        if (typeof part.function?.name === "string") call.name += part.function.name;
        if (typeof part.function?.arguments === "string") call.arguments += part.function.arguments;
        calls.set(index, call);
      }
      if (choice?.finish_reason) finished = true;
    }
    if (!finished) throw new CompletionRequestError(`[${name}] The model stream ended before the model finished its answer.`);
    if (calls.size) yield { type: "tool_calls", calls: [...calls.values()].map((c, i) => ({ ...c, id: c.id || `call_${i}` })) };
    if (usage) yield { type: "usage", usage };
  }
}

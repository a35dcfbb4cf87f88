// Workers AI through the AI binding (env.AI.run with stream: true). The binding streams SSE:
// `data: {"response": "..."}` (or OpenAI-style choices on newer models), a usage event, `[DONE]`.
import { CompletionRequestError, ProviderNotInitialize } from "../lib/errors";
import { readSse } from "./sse-reader";
import type { GenerateRequest, LlmProvider, StreamChunk, TokenUsage } from "./types";

/** The part of the AI binding this provider uses (tests substitute a fake speaking the same protocol). */
export interface AiBinding {
  run(model: string, inputs: Record<string, unknown>): Promise<unknown>;
}

interface AiChunk {
  response?: unknown;
  choices?: { delta?: { content?: unknown } }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

export class WorkersAiProvider implements LlmProvider {
  constructor(private readonly options: { name: string; ai: AiBinding | undefined; idleTimeoutMs: number }) {}

  async *stream(request: GenerateRequest): AsyncGenerator<StreamChunk> {
    const { ai, name, idleTimeoutMs } = this.options;
    if (!ai) throw new ProviderNotInitialize(`The Workers AI binding (AI) is not available to provider "${name}".`);
    const inputs: Record<string, unknown> = { messages: request.messages, stream: true };
    for (const [key, value] of Object.entries(request.params)) if (value !== undefined && key !== "stop") inputs[key] = value;
    let result: unknown;
    try {
      result = await ai.run(request.model, inputs);
    } catch (err) {
      throw new CompletionRequestError(`[${name}] Workers AI failed: ${(err as Error).message}`.slice(0, 300));
    }
    if (!(result instanceof ReadableStream)) throw new CompletionRequestError(`[${name}] Workers AI did not return a stream.`);
    let usage: TokenUsage | null = null;
    let done = false;
    for await (const data of readSse(result as ReadableStream<Uint8Array>, { idleTimeoutMs, signal: request.signal, provider: name })) {
      if (data.trim() === "[DONE]") {
        done = true;
        break;
      }
      let chunk: AiChunk;
      try {
        chunk = JSON.parse(data) as AiChunk;
      } catch {
        throw new CompletionRequestError(`[${name}] Workers AI sent a malformed chunk.`);
      }
      const text = typeof chunk.response === "string" ? chunk.response : chunk.choices?.[0]?.delta?.content;
      if (typeof text === "string" && text) yield { type: "delta", text };
      const u = chunk.usage;
      if (u && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number") {
        usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
      }
    }
    if (!done) throw new CompletionRequestError(`[${name}] The Workers AI stream ended before the model finished its answer.`);
    if (usage) yield { type: "usage", usage };
  }
}

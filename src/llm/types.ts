// One interface for every model provider (OpenAI-compatible HTTP, Workers AI, echo).

export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string; detail?: "high" | "low" | "auto" } };

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string | ContentPart[];
}

export interface ModelParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
}

export interface GenerateRequest {
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
  signal: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type StreamChunk = { type: "delta"; text: string } | { type: "usage"; usage: TokenUsage };

/**
 * A model provider. Failures are thrown as ApiError subclasses with Dify's codes:
 * provider_not_initialize (bad/missing key), rate_limit_error (429), completion_request_error
 * (anything else, malformed chunks, a stream that ends without a finish, an idle stall).
 */
export interface LlmProvider {
  stream(request: GenerateRequest): AsyncIterable<StreamChunk>;
}

/** Runs a provider to completion (auxiliary calls: titles, suggested questions). */
export async function complete(provider: LlmProvider, request: GenerateRequest): Promise<{ text: string; usage: TokenUsage | null }> {
  let text = "";
  let usage: TokenUsage | null = null;
  for await (const chunk of provider.stream(request)) {
    if (chunk.type === "delta") text += chunk.text;
    else usage = chunk.usage;
  }
  return { text, usage };
}

export function messageText(message: ChatMessage): string {
  return typeof message.content === "string"
    ? message.content
    : message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

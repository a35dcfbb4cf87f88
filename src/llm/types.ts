// One interface for every model provider (OpenAI-compatible HTTP, Workers AI, echo).

export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string; detail?: "high" | "low" | "auto" } };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text, possibly malformed). */
  arguments: string;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | ContentPart[];
  /** An assistant turn that called tools. */
  tool_calls?: ToolCall[];
  /** A tool result: the call it answers. */
  tool_call_id?: string;
}

/** A function the model may call (OpenAI "tools" of type function). */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
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
  /** Functions the model may call (providers with `supportsTools`). */
  tools?: ToolSpec[];
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type StreamChunk =
  | { type: "delta"; text: string }
  | { type: "usage"; usage: TokenUsage }
  /** The tool calls of this turn, whole (streamed fragments are assembled by the provider). */
  | { type: "tool_calls"; calls: ToolCall[] };

/**
 * A model provider. Failures are thrown as ApiError subclasses with Dify's codes:
 * provider_not_initialize (bad/missing key), rate_limit_error (429), completion_request_error
 * (anything else, malformed chunks, a stream that ends without a finish, an idle stall).
 */
export interface LlmProvider {
  stream(request: GenerateRequest): AsyncIterable<StreamChunk>;
  /** Whether `tools` are honoured (OpenAI-style function calling). */
  readonly supportsTools?: boolean;
}

/** Runs a provider to completion (auxiliary calls: titles, suggested questions). */
export async function complete(provider: LlmProvider, request: GenerateRequest): Promise<{ text: string; usage: TokenUsage | null }> {
  let text = "";
  let usage: TokenUsage | null = null;
  for await (const chunk of provider.stream(request)) {
    if (chunk.type === "delta") text += chunk.text;
    else if (chunk.type === "usage") usage = chunk.usage;
  }
  return { text, usage };
}

export function messageText(message: ChatMessage): string {
  return typeof message.content === "string"
    ? message.content
    : message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

// The `echo` provider: a deterministic local stand-in for a model, for demos and tests. It needs no
// key and no network; it answers "You said: <the last user message>" word by word with a delay
// and reports token usage. It is not a model: it does not follow instructions.
import { AbortedError } from "./sse-reader";
import { estimateMessagesTokens, estimateTokens } from "./tokens";
import { type GenerateRequest, type LlmProvider, messageText, type StreamChunk } from "./types";

export function echoReply(request: Pick<GenerateRequest, "messages">): string {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const text = lastUser ? messageText(lastUser).trim() : "";
  return text ? `You said: ${text}` : "You said nothing.";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export class EchoProvider implements LlmProvider {
  constructor(private readonly options: { delayMs: number }) {}

  async *stream(request: GenerateRequest): AsyncGenerator<StreamChunk> {
    const reply = echoReply(request);
    const maxTokens = request.params.max_tokens;
    const words = reply.split(/(?<=\s)/);
    let sent = "";
    for (const word of maxTokens ? words.slice(0, Math.max(1, maxTokens)) : words) {
      await sleep(this.options.delayMs, request.signal);
      sent += word;
      yield { type: "delta", text: word };
    }
    yield { type: "usage", usage: { promptTokens: estimateMessagesTokens(request.messages), completionTokens: estimateTokens(sent) } };
  }
}

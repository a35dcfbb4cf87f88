// The `echo` provider: a deterministic local stand-in for a model, for demos and tests. It needs no
// key and no network; it answers "You said: <the last user message>" word by word with a delay
// and reports token usage. It is not a model: it does not follow instructions — with one rule so an
// agent's tool loop runs offline: given tools, a user message starting with "/<word>" asks for the
// first tool whose name contains that word (arguments {}), and once the tool answered, it echoes
// the tool's result.
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

/** The tool a "/<word>" request asks for, unless the last turn is already that tool's answer. */
function requestedTool(request: GenerateRequest): string | null {
  const last = request.messages.at(-1);
  if (!request.tools?.length || !last || last.role !== "user") return null;
  const match = /^\/(\w+)/.exec(messageText(last).trim());
  if (!match) return null;
  return request.tools.find((t) => t.name.toLowerCase().includes(match[1].toLowerCase()))?.name ?? null;
}

export class EchoProvider implements LlmProvider {
  readonly supportsTools = true;

  constructor(private readonly options: { delayMs: number }) {}

  async *stream(request: GenerateRequest): AsyncGenerator<StreamChunk> {
    const tool = requestedTool(request);
    if (tool) {
      await sleep(this.options.delayMs, request.signal);
      yield { type: "tool_calls", calls: [{ id: `call_${tool}`, name: tool, arguments: "{}" }] };
      yield { type: "usage", usage: { promptTokens: estimateMessagesTokens(request.messages), completionTokens: 8 } };
      return;
    }
    const toolResult = request.messages.at(-1)?.role === "tool" ? messageText(request.messages.at(-1)!) : null;
    const reply = toolResult !== null ? `The tool said: ${toolResult}` : echoReply(request);
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

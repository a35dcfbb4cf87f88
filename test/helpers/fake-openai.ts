// A fake OpenAI-compatible server behind a fetch stub: it speaks the real Chat Completions
// protocol (SSE chunks with choices[].delta, finish_reason, a usage chunk, [DONE]) and records
// what it was sent. The Worker and its Durable Objects run in the test's isolate, so stubbing
// globalThis.fetch reaches their outbound calls; anything else still goes to the real fetch
// (which the pool's outbound service refuses).
import { vi } from "vitest";

export const FAKE_BASE = "https://fake-llm.test/v1";

export interface Scenario {
  /** Content deltas to stream. */
  chunks?: string[];
  delayMs?: number;
  status?: number;
  errorMessage?: string;
  /** Send this raw text as one SSE data payload after the first chunk. */
  malformed?: string;
  /** End the body without a finish_reason / [DONE]. */
  noFinish?: boolean;
  /** Stop sending (but keep the connection open) after this many chunks. */
  stallAfter?: number;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /**
   * Tool calls to stream after the content, as OpenAI does: per call a first delta with its index,
   * id, type and name, then the arguments in two pieces; the turn ends with finish_reason "tool_calls".
   */
  toolCalls?: { id?: string; name: string; arguments: string }[];
}

export interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: Record<string, any>;
  aborted: boolean;
  chunksSent: number;
}

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

/** The fake server itself, as a request handler (for composing with other fakes). */
export function fakeOpenAIHandler() {
  const requests: Recorded[] = [];
  let scenario: Scenario = { chunks: ["Hello", " world", "!"] };
  const queue: Scenario[] = [];

  const handler = async (request: Request): Promise<Response> => {
    const s = queue.shift() ?? scenario;
    const recorded: Recorded = {
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      body: await request.json(),
      aborted: false,
      chunksSent: 0,
    };
    requests.push(recorded);
    if (s.status && s.status >= 400) {
      return Response.json({ error: { message: s.errorMessage ?? "fake failure", type: "fake" } }, { status: s.status });
    }
    const id = `chatcmpl-${requests.length}`;
    const base = { id, object: "chat.completion.chunk", created: 1, model: recorded.body.model };
    const chunks = s.chunks ?? [];
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const wait = () => new Promise((r) => setTimeout(r, s.delayMs ?? 5));
        controller.enqueue(sse({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }));
        for (let i = 0; i < chunks.length; i++) {
          if (s.stallAfter !== undefined && i >= s.stallAfter) return; // keep the connection open, send nothing
          await wait();
          if (cancelled) return;
          controller.enqueue(sse({ ...base, choices: [{ index: 0, delta: { content: chunks[i] }, finish_reason: null }] }));
          recorded.chunksSent++;
          if (i === 0 && s.malformed !== undefined) controller.enqueue(sse(s.malformed));
        }
        if (cancelled) return;
        for (const [index, call] of (s.toolCalls ?? []).entries()) {
          const delta = (part: Record<string, unknown>) => sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, ...part }] }, finish_reason: null }] });
          await wait();
          controller.enqueue(delta({ id: call.id ?? `call_${requests.length}_${index}`, type: "function", function: { name: call.name, arguments: "" } }));
          const half = Math.ceil(call.arguments.length / 2);
          for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) if (piece) controller.enqueue(delta({ function: { arguments: piece } }));
        }
        if (cancelled) return;
        if (s.noFinish) {
          controller.close();
          return;
        }
        controller.enqueue(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: s.toolCalls?.length ? "tool_calls" : "stop" }] }));
        if (s.usage !== null && recorded.body.stream_options?.include_usage) {
          const usage = s.usage ?? { prompt_tokens: 11, completion_tokens: chunks.length };
          controller.enqueue(sse({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }));
        }
        controller.enqueue(sse("[DONE]"));
        controller.close();
      },
      cancel() {
        cancelled = true;
        recorded.aborted = true;
      },
    });
    request.signal?.addEventListener("abort", () => (recorded.aborted = true));
    return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
  };

  return {
    handler,
    requests,
    /** The scenario every request gets unless one is queued. */
    use(next: Scenario) {
      scenario = next;
    },
    /** A scenario for the next request only. */
    once(next: Scenario) {
      queue.push(next);
    },
  };
}

export function fakeOpenAI() {
  const realFetch = globalThis.fetch;
  const fake = fakeOpenAIHandler();
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input as RequestInfo, init);
    if (!request.url.startsWith(FAKE_BASE)) return realFetch(input as RequestInfo, init);
    return fake.handler(request);
  });
  return { ...fake, restore: () => spy.mockRestore() };
}

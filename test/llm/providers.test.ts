import { describe, expect, it } from "vitest";
import { parseQuestions } from "../../src/llm/auxiliary";
import { EchoProvider } from "../../src/llm/echo";
import { complete } from "../../src/llm/types";
import { WorkersAiProvider } from "../../src/llm/workers-ai";

const encoder = new TextEncoder();

/** A stand-in for env.AI speaking the Workers AI streaming protocol. */
function fakeAi(frames: string[]) {
  const calls: { model: string; inputs: Record<string, unknown> }[] = [];
  return {
    calls,
    async run(model: string, inputs: Record<string, unknown>) {
      calls.push({ model, inputs });
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (const frame of frames) controller.enqueue(encoder.encode(`data: ${frame}\n\n`));
          controller.close();
        },
      });
    },
  };
}

const request = (signal = new AbortController().signal) => ({
  model: "@cf/meta/llama-3.1-8b-instruct",
  messages: [{ role: "user" as const, content: "hello" }],
  params: { temperature: 0.3, max_tokens: 50, stop: ["x"] },
  signal,
});

describe("workers-ai provider", () => {
  it("streams `response` deltas and usage through the AI binding", async () => {
    const ai = fakeAi(['{"response":"Hel"}', '{"response":"lo"}', '{"response":"","usage":{"prompt_tokens":5,"completion_tokens":2}}', "[DONE]"]);
    const provider = new WorkersAiProvider({ name: "cf", ai, idleTimeoutMs: 1000 });
    expect(await complete(provider, request())).toEqual({ text: "Hello", usage: { promptTokens: 5, completionTokens: 2 } });
    expect(ai.calls[0]).toEqual({ model: "@cf/meta/llama-3.1-8b-instruct", inputs: { messages: [{ role: "user", content: "hello" }], stream: true, temperature: 0.3, max_tokens: 50 } });
  });

  it("accepts OpenAI-style chunks of newer models and refuses a stream without [DONE]", async () => {
    const ok = fakeAi(['{"choices":[{"delta":{"content":"Hi"}}]}', "[DONE]"]);
    expect((await complete(new WorkersAiProvider({ name: "cf", ai: ok, idleTimeoutMs: 1000 }), request())).text).toBe("Hi");
    const cut = fakeAi(['{"response":"Hi"}']);
    await expect(complete(new WorkersAiProvider({ name: "cf", ai: cut, idleTimeoutMs: 1000 }), request())).rejects.toMatchObject({ code: "completion_request_error" });
    await expect(complete(new WorkersAiProvider({ name: "cf", ai: undefined, idleTimeoutMs: 1000 }), request())).rejects.toMatchObject({ code: "provider_not_initialize" });
  });
});

describe("echo provider", () => {
  it("answers from the last user message word by word and reports usage", async () => {
    const chunks: string[] = [];
    for await (const chunk of new EchoProvider({ delayMs: 0 }).stream(request())) if (chunk.type === "delta") chunks.push(chunk.text);
    expect(chunks).toEqual(["You ", "said: ", "hello"]);
    const { usage } = await complete(new EchoProvider({ delayMs: 0 }), request());
    expect(usage!.completionTokens).toBeGreaterThan(0);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const stream = new EchoProvider({ delayMs: 50 }).stream({ ...request(controller.signal), messages: [{ role: "user", content: "a b c d e f g" }] });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.type === "delta") seen.push(chunk.text);
          if (seen.length === 2) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toHaveLength(2);
  });
});

describe("suggested questions parsing", () => {
  it("reads a JSON array anywhere, else question lines", () => {
    expect(parseQuestions('Here: ["a?", "b?", "c?", "d?"] done')).toEqual(["a?", "b?", "c?"]);
    expect(parseQuestions("- one?\n2) two？\nthree")).toEqual(["one?", "two？"]);
    expect(parseQuestions("nothing useful")).toEqual([]);
  });
});

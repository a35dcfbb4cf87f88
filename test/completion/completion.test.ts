import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { blockingMessageResponse } from "../../src/schemas/chat";
import { appSession, call, expectError, expectShape, json, passport } from "../helpers/api";
import { settledMessage } from "../helpers/chat";
import { completionSetup } from "../helpers/completion";
import { demoApp } from "../helpers/fixtures";
import { answerOf, readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

describe("POST /api/completion-messages", () => {
  it("streams events without conversation_id and saves the run as a hidden conversation", async () => {
    const { generate, fake } = await completionSetup();
    fake.use({ chunks: ["Tides ", "rise."] });
    const res = await generate({});
    expect(res.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    const read = await readSse(res.body!);
    expect(read.events.map((e) => e.data.event)).toEqual(["message", "message", "message_end"]);
    expect(Object.keys(read.events[0].data)).toEqual(["event", "message_id", "created_at", "task_id", "id", "answer", "from_variable_selector"]);
    expect(Object.keys(read.events[2].data)).toEqual(["event", "message_id", "created_at", "task_id", "id", "metadata", "files"]);
    expect(answerOf(read.events)).toBe("Tides rise.");
    expect(fake.requests[0].body.messages).toEqual([{ role: "user", content: "Write a formal paragraph about tides.\n" }]);
    const row = await settledMessage(read.events[0].data.message_id);
    expect(row).toMatchObject({ answer: "Tides rise.", query: "", status: "normal" });
    const conversation = await env.DB.prepare("SELECT mode, inputs FROM conversations WHERE id = ?").bind(row.conversation_id).first<Record<string, string>>();
    expect(conversation!.mode).toBe("completion");
    expect(JSON.parse(conversation!.inputs)).toEqual({ topic: "tides", tone: "formal" });
  });

  it("is blocking by default, with the §5.7 body and no conversation_id", async () => {
    const { generate, fake } = await completionSetup();
    fake.use({ chunks: ["Done."] });
    const body = await expectShape(await generate({ response_mode: undefined }), blockingMessageResponse);
    expect(body).toMatchObject({ event: "message", mode: "completion", answer: "Done.", metadata: { retriever_resources: [] } });
    expect(body).not.toHaveProperty("conversation_id");
  });

  it("sends a non-empty query as the user message after the rendered prompt", async () => {
    const { generate, fake } = await completionSetup();
    await readSse((await generate({ query: "Keep it short" })).body!);
    expect(fake.requests[0].body.messages).toEqual([
      { role: "system", content: "Write a formal paragraph about tides.\n" },
      { role: "user", content: "Keep it short" },
    ]);
  });

  it("answers not_completion_app for a chat app and not_chat_app the other way round", async () => {
    const chat = await appSession(demoApp("chat"));
    await expectError(await chat.get("/api/completion-messages", json({ inputs: {} })), 400, "not_completion_app");
    const { session } = await completionSetup();
    await expectError(await session.get("/api/chat-messages", json({ inputs: {}, query: "x" })), 400, "not_chat_app");
    await expectError(await session.get("/api/completion-messages", json({ query: "x" })), 400, "invalid_param", "inputs is required");
  });
});

describe("input validation (spec §8.2)", () => {
  const formYaml = (yaml: string) =>
    yaml.replace(
      /  user_input_form:[\s\S]*?(?=  agent_mode:)/,
      `  user_input_form:
    - text-input: {variable: topic, label: Topic, required: true, max_length: 10}
    - select: {variable: tone, label: Tone, required: true, options: [friendly, formal, playful], default: friendly}
    - paragraph: {variable: notes, label: Notes, required: false, max_length: 5}
    - number: {variable: count, label: Count, required: false}
    - checkbox: {variable: loud, label: Loud, required: false}
    - text-input: {variable: signature, label: Signature, required: false, default: "-- bot"}
`,
    );
  const cases: [string, Record<string, unknown>, string][] = [
    ["a missing required variable", { tone: "formal" }, "topic is required in input form"],
    ["a null required variable", { topic: null, tone: "formal" }, "topic is required in input form"],
    ["a non-string text input", { topic: 42, tone: "formal" }, "(type 'text-input') topic in input form must be a string"],
    ["a text input over max_length", { topic: "x".repeat(11), tone: "formal" }, "topic in input form must be less than 10 characters"],
    ["a select value outside its options", { topic: "a", tone: "angry" }, "tone in input form must be one of the following: ['friendly', 'formal', 'playful']"],
    ["a non-string select", { topic: "a", tone: 1 }, "(type 'select') tone in input form must be a string"],
    ["a paragraph over max_length", { topic: "a", tone: "formal", notes: "123456" }, "notes in input form must be less than 5 characters"],
    ["a number that is not a number", { topic: "a", tone: "formal", count: "many" }, "count in input form must be a valid number"],
    ["a number of the wrong type", { topic: "a", tone: "formal", count: [1] }, "count in input form must be a valid number"],
  ];
  for (const [name, inputs, message] of cases) {
    it(`refuses ${name}`, async () => {
      const { generate } = await completionSetup(formYaml);
      await expectError(await generate({ inputs }), 400, "invalid_param", message);
    });
  }

  it("converts, defaults and drops unknown variables", async () => {
    const { generate } = await completionSetup(formYaml);
    const read = await readSse((await generate({ inputs: { topic: "sea\u0000", tone: "playful", count: "2.5", loud: "yes", extra: "dropped" } })).body!);
    const row = await settledMessage(read.events[0].data.message_id);
    expect(JSON.parse(row.inputs)).toEqual({ topic: "sea", tone: "playful", notes: null, count: 2.5, loud: true, signature: "-- bot" });
    const ints = await readSse((await generate({ inputs: { topic: "a", tone: "formal", count: "7", loud: 0 } })).body!);
    expect(JSON.parse((await settledMessage(ints.events[0].data.message_id)).inputs)).toMatchObject({ count: 7, loud: false });
  });
});

describe("stop", () => {
  it("stops through both stop paths for the owner, not for another end user", async () => {
    const { generate, session, fake } = await completionSetup();
    const words = Array.from({ length: 80 }, (_, i) => `w${i} `);
    for (const path of ["completion-messages", "chat-messages"]) {
      fake.use({ chunks: words, delayMs: 40 });
      let stoppedAt = 0;
      const read = await readSse((await generate({})).body!, {
        onEvent: async (event, all) => {
          if (all.length === 2) {
            expect(await (await session.get(`/api/${path}/${event.data.task_id}/stop`, { method: "POST" })).json()).toEqual({ result: "success" });
            stoppedAt = Date.now();
          }
        },
      });
      expect(read.events.at(-1)!.data.event).toBe("message_end");
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
      const partial = answerOf(read.events);
      expect(partial.length).toBeLessThan(words.join("").length);
      expect((await settledMessage(read.events[0].data.message_id)).answer).toBe(partial);
    }
    fake.use({ chunks: words.slice(0, 10), delayMs: 20 });
    const stranger = await passport(session.app.site_code, "stranger");
    const read = await readSse((await generate({})).body!, {
      onEvent: async (event, all) => {
        if (all.length === 2) await call(`/api/completion-messages/${event.data.task_id}/stop`, { method: "POST", headers: { "X-App-Passport": stranger } });
      },
    });
    expect(answerOf(read.events)).toBe(words.slice(0, 10).join(""));
    const chat = await appSession(demoApp("chat"));
    await expectError(await chat.get("/api/completion-messages/some-task/stop", { method: "POST" }), 400, "not_completion_app");
  });
});

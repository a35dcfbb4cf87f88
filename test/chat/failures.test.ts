import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { INTERRUPTED_MESSAGE } from "../../src/tasks/generation";
import { callWithEnv, expectError, json, webHeaders } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { answerOf, readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

describe("upstream failures end the stream with an error event and a saved message", () => {
  const cases = [
    { name: "401", scenario: { status: 401, errorMessage: "Incorrect API key" }, code: "provider_not_initialize", message: /rejected its credentials \(HTTP 401\): Incorrect API key/ },
    { name: "429", scenario: { status: 429 }, code: "rate_limit_error", message: /rate limiting/ },
    { name: "500", scenario: { status: 500, errorMessage: "boom" }, code: "completion_request_error", message: /HTTP 500\): boom/ },
    { name: "a malformed chunk", scenario: { chunks: ["partial", " more"], malformed: "{not json" }, code: "completion_request_error", message: /malformed chunk/ },
    { name: "a stream without a finish", scenario: { chunks: ["cut", " off"], noFinish: true }, code: "completion_request_error", message: /ended before the model finished/ },
  ];
  for (const { name, scenario, code, message } of cases) {
    it(`maps ${name} to ${code}`, async () => {
      const { send, fake } = await chatSetup();
      fake.use(scenario);
      const turn = await chatTurn(send, { query: "hi" });
      const last = turn.events.at(-1)!.data;
      expect(last).toMatchObject({ event: "error", code, status: code === "rate_limit_error" ? 429 : 400, message: expect.stringMatching(message) });
      expect(Object.keys(last).slice(0, 6)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "code"]);
      expect(turn.events.some((e) => e.data.event === "message_end")).toBe(false);
      const row = await settledMessage(turn.messageId, (r) => r.status === "error");
      expect(row.status).toBe("error");
      expect(row.error).toMatch(message);
      expect(row.answer).toBe(answerOf(turn.events));
      // The raw upstream body never reaches the client beyond the provider's own error message.
      expect(JSON.stringify(last)).not.toContain('"type":"fake"');
    });
  }

  it("aborts a stalled upstream after MODEL_IDLE_TIMEOUT", async () => {
    const { session, fake } = await chatSetup();
    fake.use({ chunks: ["a", "b", "c"], stallAfter: 1 });
    const started = Date.now();
    const res = await callWithEnv(
      { MODEL_IDLE_TIMEOUT: "1" },
      "/api/chat-messages",
      json({ inputs: {}, query: "hi", response_mode: "streaming" }, { headers: webHeaders(session.app.site_code, session.token) }),
    );
    const read = await readSse(res.body!);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(read.events.at(-1)!.data).toMatchObject({ event: "error", code: "completion_request_error", message: expect.stringMatching(/sent nothing for 1 s/) });
    expect(fake.requests[0].aborted).toBe(true);
    expect(await settledMessage(read.events[0].data.message_id, (r) => r.status === "error")).toMatchObject({ status: "error", answer: "a" });
  });

  it("turns an upstream error into the HTTP error of a blocking request", async () => {
    const { send, fake } = await chatSetup();
    fake.use({ status: 429 });
    await expectError(await send({ query: "hi", response_mode: "blocking" }), 429, "rate_limit_error");
  });
});

describe("liveness", () => {
  it("stops a run at APP_MAX_EXECUTION_TIME with message_end and the partial answer", async () => {
    const { session, fake } = await chatSetup();
    fake.use({ chunks: Array.from({ length: 100 }, (_, i) => `t${i} `), delayMs: 50 });
    const res = await callWithEnv(
      { APP_MAX_EXECUTION_TIME: "1" },
      "/api/chat-messages",
      json({ inputs: {}, query: "hi", response_mode: "streaming" }, { headers: webHeaders(session.app.site_code, session.token) }),
    );
    const read = await readSse(res.body!);
    expect(read.events.at(-1)!.data.event).toBe("message_end");
    const words = answerOf(read.events).trim().split(" ");
    expect(words.length).toBeGreaterThan(5);
    expect(words.length).toBeLessThan(40);
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("ends a run cut off by an eviction as an error instead of leaving it open", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: Array.from({ length: 200 }, (_, i) => `e${i} `), delayMs: 30 });
    const first = await readSse((await send({ query: "long" })).body!, { until: (_e, all) => all.length === 3 });
    const { task_id: taskId, message_id: messageId } = first.events[0].data;
    await abortAllDurableObjects();
    const stub = env.TASKS.get(env.TASKS.idFromName(taskId));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const row = await settledMessage(messageId, (r) => r.status === "error");
    expect(row).toMatchObject({ status: "error", error: INTERRUPTED_MESSAGE });
    expect(row.answer.startsWith("e0 e1 ")).toBe(true);
    const replay = await readSse((await session.get(`/api/chat-messages/${taskId}/events`)).body!);
    expect(replay.events.at(-1)!.data).toMatchObject({ event: "error", code: "completion_request_error", message: INTERRUPTED_MESSAGE });
    expect(answerOf(replay.events)).toBe(row.answer);
  });
});

describe("per-app concurrency limit", () => {
  it("answers 429 too_many_requests beyond max_active_requests and frees the slot at the end", async () => {
    const { send, session, fake } = await chatSetup();
    const { admin } = await import("../helpers/api");
    await admin(`/admin/apps/${session.app.app_id}`, json({ max_active_requests: 1 }, { method: "PATCH" }));
    fake.once({ chunks: ["slow ", "one ", "finishing"], delayMs: 150 });
    const running = await send({ query: "one" });
    await expectError(
      await send({ query: "two" }),
      429,
      "too_many_requests",
      "Too many requests. Please try again later. The current maximum concurrent requests allowed is 1.",
    );
    const read = await readSse(running.body!);
    await settledMessage(read.events[0].data.message_id);
    const after = await chatTurn(send, { query: "three" });
    expect(after.answer).toBe("Hello world!");
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM app_active_requests").first<number>("n"))).toBe(0);
  });

  it("applies APP_MAX_ACTIVE_REQUESTS over every app", async () => {
    const { session, fake } = await chatSetup();
    fake.once({ chunks: ["a ", "b ", "c"], delayMs: 150 });
    const headers = webHeaders(session.app.site_code, session.token);
    const body = { inputs: {}, query: "hi", response_mode: "streaming" };
    const first = await callWithEnv({ APP_MAX_ACTIVE_REQUESTS: "1" }, "/api/chat-messages", json(body, { headers }));
    await expectError(await callWithEnv({ APP_MAX_ACTIVE_REQUESTS: "1" }, "/api/chat-messages", json(body, { headers })), 429, "too_many_requests");
    await readSse(first.body!);
  });
});

describe("sensitive word avoidance (keywords)", () => {
  const moderated = (yaml: string) =>
    yaml.replace(
      "  sensitive_word_avoidance:\n    enabled: false",
      `  sensitive_word_avoidance:
    enabled: true
    type: keywords
    config:
      keywords: "forbidden\\nSecretWord"
      inputs_config: {enabled: true, preset_response: "I cannot talk about that."}
      outputs_config: {enabled: true, preset_response: "[answer withheld]"}`,
    );

  it("answers the preset response to an input hit without calling the model", async () => {
    const { send, fake } = await chatSetup(moderated);
    const turn = await chatTurn(send, { query: "tell me the SECRETWORD" });
    expect(turn.answer).toBe("I cannot talk about that.");
    expect(turn.events.at(-1)!.data.event).toBe("message_end");
    expect(fake.requests).toHaveLength(0);
    expect((await settledMessage(turn.messageId, (r) => r.answer !== "")).answer).toBe("I cannot talk about that.");
  });

  it("replaces an answer that hits a keyword with message_replace", async () => {
    const { send, fake } = await chatSetup(moderated);
    fake.use({ chunks: ["This is ", "forbid", "den talk ", "and more"] });
    const turn = await chatTurn(send, { query: "hi" });
    expect(turn.events.map((e) => e.data.event)).toEqual(["message", "message", "message_replace", "message_end"]);
    expect(turn.events[2].data).toMatchObject({ answer: "[answer withheld]", reason: "output_moderation" });
    expect(turn.answer).toBe("[answer withheld]");
    expect((await settledMessage(turn.messageId)).answer).toBe("[answer withheld]");
  });
});

import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, expectError, json, passport } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { answerOf, readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

const WORDS = Array.from({ length: 60 }, (_, i) => `w${i} `);

describe("stop", () => {
  it("lets the owner stop mid-stream: upstream aborted, message_end within a second, partial answer saved", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: WORDS, delayMs: 50 });
    const res = await send({ query: "long story" });
    let stoppedAt = 0;
    const read = await readSse(res.body!, {
      onEvent: async (event, all) => {
        if (all.length === 3) {
          const stop = await session.get(`/api/chat-messages/${event.data.task_id}/stop`, { method: "POST" });
          expect(stop.status).toBe(200);
          expect(await stop.json()).toEqual({ result: "success" });
          stoppedAt = Date.now();
        }
      },
    });
    const endedAt = Date.now();
    expect(read.events.at(-1)!.data.event).toBe("message_end");
    expect(endedAt - stoppedAt).toBeLessThan(1000);
    const answer = answerOf(read.events);
    expect(answer.split(" ").filter(Boolean).length).toBeLessThan(20);
    expect(fake.requests[0].aborted).toBe(true);
    const row = await settledMessage(read.events[0].data.message_id);
    expect(row).toMatchObject({ answer, status: "normal" });
    expect(row.answer_tokens).toBeGreaterThan(0);
    expect(read.events.at(-1)!.data.metadata.usage.completion_tokens).toBe(row.answer_tokens);
  });

  it("answers success to another end user and to unknown tasks but keeps the task running", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: WORDS.slice(0, 12), delayMs: 20 });
    const res = await send({ query: "story" });
    const stranger = await passport(session.app.site_code, "stranger");
    const read = await readSse(res.body!, {
      onEvent: async (event, all) => {
        if (all.length === 2) {
          const stop = await call(`/api/chat-messages/${event.data.task_id}/stop`, { method: "POST", headers: { "X-App-Passport": stranger } });
          expect(await stop.json()).toEqual({ result: "success" });
        }
      },
    });
    expect(answerOf(read.events)).toBe(WORDS.slice(0, 12).join(""));
    for (const id of ["unknown-task", crypto.randomUUID(), "x".repeat(255)]) {
      const res2 = await session.get(`/api/chat-messages/${id}/stop`, { method: "POST" });
      expect(await res2.json()).toEqual({ result: "success" });
    }
  });
});

describe("disconnect and resume", () => {
  it("finishes and saves the full answer after the client disconnects", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: WORDS.slice(0, 20), delayMs: 10 });
    const res = await send({ query: "go" });
    const read = await readSse(res.body!, { until: (_e, all) => all.length === 2 });
    const { message_id: messageId, conversation_id: conversationId } = read.events[0].data;
    const row = await settledMessage(messageId, (r) => r.answer_tokens > 0);
    expect(row.answer).toBe(WORDS.slice(0, 20).join(""));
    expect(fake.requests[0].aborted).toBe(false);
    const list = (await (await session.get(`/api/messages?conversation_id=${conversationId}`)).json()) as { data: { answer: string }[] };
    expect(list.data[0].answer).toBe(WORDS.slice(0, 20).join(""));
  });

  it("replays exactly the missed events after a cursor or Last-Event-ID, then follows live", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: WORDS.slice(0, 30), delayMs: 15 });
    const res = await send({ query: "go" });
    const first = await readSse(res.body!, { until: (_e, all) => all.length === 5 });
    const taskId = first.events[0].data.task_id;
    const lastId = first.events.at(-1)!.id!;
    const resumed = await readSse((await session.get(`/api/chat-messages/${taskId}/events?cursor=${lastId}`)).body!);
    expect(resumed.events[0].id).toBe(lastId + 1);
    const all = [...first.events, ...resumed.events];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(answerOf(all)).toBe(WORDS.slice(0, 30).join(""));
    expect(resumed.events.at(-1)!.data.event).toBe("message_end");

    // After the end the log still replays (Last-Event-ID wins over ?cursor).
    const replay = await readSse((await session.get(`/api/chat-messages/${taskId}/events?cursor=1`, { headers: { "Last-Event-ID": "29" } })).body!);
    expect(replay.events.map((e) => e.id)).toEqual([30, 31]);
    expect(replay.events[1].data.event).toBe("message_end");
    await expectError(await session.get(`/api/chat-messages/${taskId}/events`, { headers: { "Last-Event-ID": "abc" } }), 400, "invalid_param");
    await expectError(await session.get(`/api/chat-messages/${taskId}/events?cursor=-1`), 400, "invalid_param");
  });

  it("answers 404 to other end users, unknown tasks, and after the retention window", async () => {
    const { send, session } = await chatSetup();
    const turn = await chatTurn(send, { query: "hi" });
    const stranger = await passport(session.app.site_code, "stranger");
    await expectError(await call(`/api/chat-messages/${turn.taskId}/events`, { headers: { "X-App-Passport": stranger } }), 404, "not_found");
    await expectError(await session.get(`/api/chat-messages/${crypto.randomUUID()}/events`), 404, "not_found");
    await settledMessage(turn.messageId);
    const stub = env.TASKS.get(env.TASKS.idFromName(turn.taskId));
    // The retention alarm is due only after TASK_EVENTS_RETENTION; run it as if that time had come.
    const realNow = Date.now;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 601_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    vi.restoreAllMocks();
    await expectError(await session.get(`/api/chat-messages/${turn.taskId}/events`), 404, "not_found");
    // The message itself is permanent.
    expect((await settledMessage(turn.messageId)).answer).toBe("Hello world!");
  });
});

describe("stop through the resume stream", () => {
  it("ends a resumed stream with message_end when the owner stops", async () => {
    const { send, session, fake } = await chatSetup();
    fake.use({ chunks: WORDS, delayMs: 40 });
    const first = await readSse((await send({ query: "go" })).body!, { until: (_e, all) => all.length === 1 });
    const taskId = first.events[0].data.task_id;
    const resumed = await readSse((await session.get(`/api/chat-messages/${taskId}/events?cursor=1`)).body!, {
      onEvent: async (_e, all) => {
        if (all.length === 2) await session.get(`/api/chat-messages/${taskId}/stop`, json({}));
      },
    });
    expect(resumed.events.at(-1)!.data.event).toBe("message_end");
  });
});

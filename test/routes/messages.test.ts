import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { messagePage, suggestedQuestionsResponse } from "../../src/schemas/conversations";
import { appSession, call, expectError, expectShape, json, passport } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { demoApp } from "../helpers/fixtures";

afterEach(() => vi.restoreAllMocks());

async function conversationOf(turns: number) {
  const setup = await chatSetup();
  const first = await chatTurn(setup.send, { query: "q0" });
  await settledMessage(first.messageId);
  const ids = [first.messageId];
  for (let i = 1; i < turns; i++) {
    const turn = await chatTurn(setup.send, { query: `q${i}`, conversation_id: first.conversationId, parent_message_id: ids.at(-1) });
    await settledMessage(turn.messageId);
    ids.push(turn.messageId);
  }
  return { ...setup, conversationId: first.conversationId, ids };
}

describe("GET /api/messages", () => {
  it("returns the newest window in ascending order and pages backwards with first_id", async () => {
    const { session, conversationId, ids } = await conversationOf(5);
    const page = await expectShape(await session.get(`/api/messages?conversation_id=${conversationId}&limit=2`), messagePage);
    expect(page.data.map((m) => m.id)).toEqual(ids.slice(3));
    expect(page.has_more).toBe(true);
    expect(page.data[1]).toMatchObject({ query: "q4", answer: "Hello world!", parent_message_id: ids[3], status: "normal", error: null, feedback: null, message_files: [], agent_thoughts: [], retriever_resources: [], extra_contents: [] });
    expect(page.data[1].metadata).toHaveProperty("usage");
    const older = await expectShape(await session.get(`/api/messages?conversation_id=${conversationId}&limit=2&first_id=${ids[3]}`), messagePage);
    expect(older.data.map((m) => m.id)).toEqual(ids.slice(1, 3));
    const oldest = await expectShape(await session.get(`/api/messages?conversation_id=${conversationId}&limit=2&first_id=${ids[1]}`), messagePage);
    expect(oldest).toMatchObject({ has_more: false });
    expect(oldest.data.map((m) => m.id)).toEqual([ids[0]]);
    // Dify's client sends an empty last_id; unknown keys are ignored.
    expect((await session.get(`/api/messages?conversation_id=${conversationId}&limit=20&last_id=`)).status).toBe(200);
  });

  it("answers Dify's errors", async () => {
    const { session, conversationId } = await conversationOf(1);
    await expectError(await session.get("/api/messages"), 400, "invalid_param", "conversation_id is required");
    await expectError(await session.get(`/api/messages?conversation_id=${crypto.randomUUID()}`), 404, "not_found", "Conversation Not Exists.");
    await expectError(await session.get(`/api/messages?conversation_id=${conversationId}&first_id=${crypto.randomUUID()}`), 404, "not_found", "First Message Not Exists.");
    await expectError(await session.get(`/api/messages?conversation_id=${conversationId}&limit=101`), 400, "invalid_param");
    const stranger = await passport(session.app.site_code, "stranger");
    await expectError(await call(`/api/messages?conversation_id=${conversationId}`, { headers: { "X-App-Passport": stranger } }), 404, "not_found", "Conversation Not Exists.");
    const completion = await appSession(demoApp("completion"));
    await expectError(await completion.get(`/api/messages?conversation_id=${conversationId}`), 400, "not_chat_app");
  });
});

describe("POST /api/messages/{id}/feedbacks", () => {
  it("creates, updates and clears the end user's own rating", async () => {
    const { session, conversationId, ids } = await conversationOf(1);
    const rate = (body: unknown) => session.get(`/api/messages/${ids[0]}/feedbacks`, json(body));
    await expectError(await rate({ rating: null }), 400, "invalid_param", "rating cannot be None when feedback not exists");
    expect(await (await rate({ rating: "like", content: "great" })).json()).toEqual({ result: "success" });
    const list = async () => (await expectShape(await session.get(`/api/messages?conversation_id=${conversationId}`), messagePage)).data[0].feedback;
    expect(await list()).toEqual({ rating: "like" });
    await rate({ rating: "dislike" });
    expect(await list()).toEqual({ rating: "dislike" });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM message_feedbacks").first("n")).toBe(1);
    await rate({});
    expect(await list()).toBeNull();
    await expectError(await rate({ rating: "love" }), 400, "invalid_param", /^rating:/);
  });

  it("answers 404 for another end user's message, which keeps its own ratings apart", async () => {
    const { session, ids } = await conversationOf(1);
    const stranger = await passport(session.app.site_code, "stranger");
    const res = await call(`/api/messages/${ids[0]}/feedbacks`, json({ rating: "like" }, { headers: { "X-App-Passport": stranger } }));
    await expectError(res, 404, "not_found", "Message Not Exists.");
    await expectError(await session.get(`/api/messages/${crypto.randomUUID()}/feedbacks`, json({ rating: "like" })), 404, "not_found", "Message Not Exists.");
  });
});

describe("GET /api/messages/{id}/suggested-questions", () => {
  it("asks the model for three questions and parses its answer", async () => {
    const { session, ids, fake } = await conversationOf(2);
    fake.once({ chunks: ['Sure: ["What is A?", "How about B?",', ' "Why C?", "Extra?"]'] });
    const body = await expectShape(await session.get(`/api/messages/${ids[1]}/suggested-questions`), suggestedQuestionsResponse);
    expect(body).toEqual({ result: "success", data: ["What is A?", "How about B?", "Why C?"] });
    const transcript = fake.requests.at(-1)!.body.messages.at(-1).content;
    expect(transcript).toContain("Human: q0");
    expect(transcript).toContain("Human: q1\nAssistant: Hello world!");
    fake.once({ chunks: ["1. Is it red?\n2. Is it blue?\nnot a question"] });
    expect((await (await session.get(`/api/messages/${ids[1]}/suggested-questions`)).json()) as object).toEqual({ result: "success", data: ["Is it red?", "Is it blue?"] });
    fake.once({ status: 500 });
    expect((await (await session.get(`/api/messages/${ids[1]}/suggested-questions`)).json()) as object).toEqual({ result: "success", data: [] });
  });

  it("is feature-gated and ownership-scoped", async () => {
    const { session, ids } = await conversationOf(1);
    const stranger = await passport(session.app.site_code, "stranger");
    await expectError(await call(`/api/messages/${ids[0]}/suggested-questions`, { headers: { "X-App-Passport": stranger } }), 404, "not_found", "Message not found");
    const off = await chatSetup((y) => y.replace("suggested_questions_after_answer:\n    enabled: true", "suggested_questions_after_answer:\n    enabled: false"));
    const turn = await chatTurn(off.send, { query: "hi" });
    await expectError(
      await off.session.get(`/api/messages/${turn.messageId}/suggested-questions`),
      403,
      "app_suggested_questions_after_answer_disabled",
      "The 'Suggested Questions After Answer' feature is disabled. Please refresh your page.",
    );
  });
});

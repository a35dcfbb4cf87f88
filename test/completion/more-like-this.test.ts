import { afterEach, describe, expect, it, vi } from "vitest";
import { blockingMessageResponse } from "../../src/schemas/chat";
import { call, expectError, expectShape, passport } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { completionSetup } from "../helpers/completion";
import { answerOf, readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

async function firstRun() {
  const setup = await completionSetup();
  setup.fake.once({ chunks: ["Original."] });
  const body = await expectShape(await setup.generate({ query: "extra", response_mode: "blocking" }), blockingMessageResponse);
  await settledMessage(body.message_id);
  return { ...setup, messageId: body.message_id };
}

describe("GET /api/messages/{id}/more-like-this", () => {
  it("regenerates the same inputs and query as a new message, blocking and streaming", async () => {
    const { session, fake, messageId } = await firstRun();
    fake.once({ chunks: ["Another", " take."] });
    const blocking = await expectShape(await session.get(`/api/messages/${messageId}/more-like-this?response_mode=blocking`), blockingMessageResponse);
    expect(blocking).toMatchObject({ answer: "Another take.", mode: "completion" });
    expect(blocking.message_id).not.toBe(messageId);
    const request = fake.requests.at(-1)!.body;
    expect(request.temperature).toBe(0.9);
    expect(request.messages).toEqual(fake.requests[0].body.messages);
    const row = await settledMessage(blocking.message_id);
    expect(row).toMatchObject({ query: "extra", answer: "Another take." });
    expect(JSON.parse(row.inputs)).toEqual({ topic: "tides", tone: "formal" });

    fake.once({ chunks: ["Third."] });
    const streamed = await readSse((await session.get(`/api/messages/${messageId}/more-like-this?response_mode=streaming`)).body!);
    expect(answerOf(streamed.events)).toBe("Third.");
    expect(streamed.events[0].data).not.toHaveProperty("conversation_id");
  });

  it("answers Dify's errors", async () => {
    const { session, messageId } = await firstRun();
    await expectError(await session.get(`/api/messages/${messageId}/more-like-this`), 400, "invalid_param", "response_mode is required");
    await expectError(await session.get(`/api/messages/${crypto.randomUUID()}/more-like-this?response_mode=blocking`), 404, "not_found", "Message Not Exists.");
    const stranger = await passport(session.app.site_code, "stranger");
    await expectError(await call(`/api/messages/${messageId}/more-like-this?response_mode=blocking`, { headers: { "X-App-Passport": stranger } }), 404, "not_found", "Message Not Exists.");
    const { session: chat, send } = await chatSetup();
    const turn = await chatTurn(send, { query: "hi" });
    await expectError(await chat.get(`/api/messages/${turn.messageId}/more-like-this?response_mode=blocking`), 400, "not_completion_app");
  });

  it("answers 403 app_more_like_this_disabled when the feature is off", async () => {
    const { generate, session } = await completionSetup((y) => y.replace("more_like_this:\n    enabled: true", "more_like_this:\n    enabled: false"));
    const body = await expectShape(await generate({ response_mode: "blocking" }), blockingMessageResponse);
    await expectError(
      await session.get(`/api/messages/${body.message_id}/more-like-this?response_mode=blocking`),
      403,
      "app_more_like_this_disabled",
      "The 'More like this' feature is disabled. Please refresh your page.",
    );
  });
});

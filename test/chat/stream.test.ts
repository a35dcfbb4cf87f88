import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { blockingMessageResponse } from "../../src/schemas/chat";
import { appSession, expectError, expectShape, json } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { FAKE_BASE } from "../helpers/fake-openai";
import { demoApp } from "../helpers/fixtures";
import { readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

describe("POST /api/chat-messages (streaming)", () => {
  it("streams Dify's framing and envelope, then saves the message", async () => {
    const { send, fake } = await chatSetup();
    fake.use({ chunks: ["Hi", " Ada", "."], usage: { prompt_tokens: 21, completion_tokens: 3 } });
    const res = await send({ inputs: { name: "Ada" }, query: "Who am I?" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe("no-cache");
    expect(res.headers.get("Content-Encoding")).toBe("identity");
    const turn = await chatTurn(async () => res, {});
    expect(turn.raw).toMatch(/^id: 1\ndata: \{"event":"message","conversation_id":/);
    expect(turn.raw).not.toMatch(/^event: (?!ping)/m);
    const kinds = turn.events.map((e) => e.data.event);
    expect(kinds).toEqual(["message", "message", "message", "message_end"]);
    expect(turn.events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    const first = turn.events[0].data;
    expect(Object.keys(first)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "answer", "from_variable_selector"]);
    expect(first).toMatchObject({ id: first.message_id, answer: "Hi", from_variable_selector: null });
    expect(first.created_at).toBeTypeOf("number");
    const end = turn.events.at(-1)!.data;
    expect(Object.keys(end)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "metadata", "files"]);
    expect(end.metadata.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 3, total_tokens: 24, total_price: "0.0000000", currency: "USD" });
    expect(end.metadata.retriever_resources).toEqual([]);
    expect(turn.answer).toBe("Hi Ada.");

    const row = await settledMessage(turn.messageId);
    expect(row).toMatchObject({ answer: "Hi Ada.", message_tokens: 21, answer_tokens: 3, status: "normal", error: null, task_id: turn.taskId, query: "Who am I?" });
    expect(row.provider_response_latency).toBeGreaterThan(0);
    const conversation = await env.DB.prepare("SELECT * FROM conversations WHERE id = ?").bind(turn.conversationId).first<Record<string, any>>();
    expect(conversation).toMatchObject({ name: "New conversation", introduction: "Hello Ada! Ask me anything.", status: "normal", invoke_from: "web-app", from_source: "api" });
    expect(JSON.parse(conversation!.inputs)).toEqual({ name: "Ada" });
  });

  it("sends the system prompt, the params and the API key to the model", async () => {
    const { send, fake } = await chatSetup((y) => y.replace("max_tokens: 512", "max_tokens: 77\n      top_p: 0.5\n      stop: [\"END\"]"));
    await chatTurn(send, { inputs: { name: "Bo" }, query: "hello" });
    const { body, headers, url } = fake.requests[0];
    expect(url).toBe(`${FAKE_BASE}/chat/completions`);
    expect(headers.authorization).toBe("Bearer sk-test");
    expect(body).toMatchObject({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, temperature: 0.7, max_tokens: 77, top_p: 0.5, stop: ["END"] });
    expect(body.messages).toEqual([
      { role: "system", content: "You are a friendly assistant helping Bo. Answer briefly.\n" },
      { role: "user", content: "hello" },
    ]);
  });

  it("carries the conversation history of the thread to the model", async () => {
    const { send, fake } = await chatSetup();
    fake.use({ chunks: ["A1"] });
    const one = await chatTurn(send, { inputs: { name: "Cy" }, query: "Q1" });
    await settledMessage(one.messageId);
    fake.use({ chunks: ["A2"] });
    const two = await chatTurn(send, { inputs: { name: "ignored" }, query: "Q2", conversation_id: one.conversationId, parent_message_id: one.messageId });
    await settledMessage(two.messageId);
    fake.use({ chunks: ["A3"] });
    const three = await chatTurn(send, { query: "Q3", conversation_id: one.conversationId, parent_message_id: two.messageId });
    expect(three.conversationId).toBe(one.conversationId);
    const roles = fake.requests[2].body.messages.map((m: any) => `${m.role}:${m.content}`);
    expect(roles).toEqual(["system:You are a friendly assistant helping Cy. Answer briefly.\n", "user:Q1", "assistant:A1", "user:Q2", "assistant:A2", "user:Q3"]);
    // A regenerated answer (same parent as Q2's) branches: Q2/A2 are not in its thread.
    await settledMessage(three.messageId);
    await chatTurn(send, { query: "Q2b", conversation_id: one.conversationId, parent_message_id: one.messageId });
    expect(fake.requests[3].body.messages.map((m: any) => m.content).slice(1)).toEqual(["Q1", "A1", "Q2b"]);
    // Without a parent id the conversation continues linearly.
    await chatTurn(send, { query: "Q4", conversation_id: one.conversationId });
    expect(fake.requests[4].body.messages.map((m: any) => m.content)).toContain("Q2b");
  });

  it("answers blocking requests with the §5.7 JSON built from the same events", async () => {
    const { send, fake } = await chatSetup();
    fake.use({ chunks: ["one", " two"] });
    const body = await expectShape(await send({ inputs: {}, query: "count", response_mode: "blocking" }), blockingMessageResponse);
    expect(body).toMatchObject({ event: "message", answer: "one two", mode: "chat", metadata: { retriever_resources: [] } });
    expect(body.id).toBe(body.message_id);
    expect((await settledMessage(body.message_id)).answer).toBe("one two");
    // response_mode absent means blocking, as in Dify.
    const implicit = await send({ inputs: {}, query: "again", response_mode: undefined });
    expect((await implicit.json()) as object).toMatchObject({ event: "message", answer: "one two" });
  });

  it("answers with the echo provider when the app's provider is the built-in stand-in", async () => {
    const { get } = await appSession(demoApp("chat"));
    const res = await get("/api/chat-messages", json({ inputs: {}, query: "ping", response_mode: "blocking" }));
    expect((await res.json()) as object).toMatchObject({ answer: "You said: ping" });
  });
});

describe("POST /api/chat-messages errors", () => {
  let setup: Awaited<ReturnType<typeof chatSetup>>;
  beforeEach(async () => {
    setup = await chatSetup();
  });

  it("validates the body", async () => {
    const { send } = setup;
    await expectError(await send({ query: "" }), 400, "invalid_param", "query is required");
    await expectError(await send({ query: "  " }), 400, "invalid_param", "query is required");
    await expectError(await send({ query: undefined }), 400, "invalid_param", "query is required");
    await expectError(await send({ query: "x", inputs: undefined }), 400, "invalid_param", "inputs is required");
    await expectError(await send({ query: "x", response_mode: "fast" }), 400, "invalid_param", /^response_mode:/);
    await expectError(await send({ query: "x", conversation_id: "nope" }), 400, "invalid_param", "nope is not a valid uuid.");
    await expectError(await send({ query: "x", parent_message_id: "12" }), 400, "invalid_param", "12 is not a valid uuid.");
    await expectError(await send({ query: "x", inputs: { name: 5 } }), 400, "invalid_param", "(type 'text-input') name in input form must be a string");
    await expectError(await send({ query: "x", inputs: { name: "n".repeat(49) } }), 400, "invalid_param", "name in input form must be less than 48 characters");
    const bad = await setup.session.get("/api/chat-messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    await expectError(bad, 400, "bad_request", "Invalid JSON payload received or JSON payload is empty.");
  });

  it("answers 404 for unknown, deleted and other end users' conversations", async () => {
    const { send, session } = setup;
    await expectError(await send({ query: "x", conversation_id: crypto.randomUUID() }), 404, "not_found", "Conversation Not Exists.");
    const mine = await chatTurn(send, { query: "mine" });
    const other = await appSession(demoApp("chat").replace("Demo Chat", "Other"));
    void other;
    const stranger = await (await import("../helpers/api")).passport(session.app.site_code, "stranger");
    const res = await (await import("../helpers/api")).call("/api/chat-messages", json({ inputs: {}, query: "x", conversation_id: mine.conversationId }, { headers: { "X-App-Passport": stranger, "X-App-Code": session.app.site_code } }));
    await expectError(res, 404, "not_found", "Conversation Not Exists.");
    await env.DB.prepare("UPDATE conversations SET is_deleted = 1 WHERE id = ?").bind(mine.conversationId).run();
    await expectError(await send({ query: "x", conversation_id: mine.conversationId }), 404, "not_found", "Conversation Not Exists.");
  });

  it("answers conversation_completed for a closed conversation", async () => {
    const turn = await chatTurn(setup.send, { query: "hi" });
    await env.DB.prepare("UPDATE conversations SET status = 'archived' WHERE id = ?").bind(turn.conversationId).run();
    await expectError(await setup.send({ query: "x", conversation_id: turn.conversationId }), 400, "conversation_completed");
  });

  it("gates by app mode", async () => {
    const completion = await appSession(demoApp("completion"));
    await expectError(await completion.get("/api/chat-messages", json({ inputs: {}, query: "x" })), 400, "not_chat_app");
    const workflow = await appSession((await import("../helpers/fixtures")).fixture("hitl-main"));
    await expectError(await workflow.get("/api/chat-messages", json({ inputs: {}, query: "x" })), 400, "not_chat_app");
    const chatflow = await appSession((await import("../helpers/fixtures")).fixture("test_streaming_conversation_variables"));
    // Chatflows run (the workflow engine): the stream starts with workflow_started.
    const flow = await chatflow.get("/api/chat-messages", json({ inputs: {}, query: "x", response_mode: "streaming" }));
    expect(flow.status).toBe(200);
    expect((await readSse(flow.body!)).events[0].data.event).toBe("workflow_started");
    const agent = await appSession(
      demoApp("chat").replace("mode: chat", "mode: agent-chat").replace(/agent_mode:\n    enabled: false\n    tools: \[\]/, "agent_mode:\n    enabled: true\n    strategy: function_call\n    tools: []"),
    );
    await expectError(await agent.get("/api/chat-messages", json({ inputs: {}, query: "x", response_mode: "blocking" })), 400, "invalid_param", "Agent Chat App does not support blocking mode");
  });

  it("answers provider_not_initialize before any stream when the provider cannot work", async () => {
    const { admin: adminCall } = await import("../helpers/api");
    await adminCall("/admin/model-providers/openai", json({ type: "openai-compatible" }, { method: "PUT" }));
    await expectError(await setup.send({ query: "x" }), 400, "provider_not_initialize", /has no base_url/);
    expect(setup.fake.requests).toHaveLength(0);
    // Workers AI is remote-only: here the binding refuses to run, which ends the stream with an error.
    await adminCall("/admin/model-providers/openai", json({ type: "workers-ai" }, { method: "PUT" }));
    const turn = await chatTurn(setup.send, { query: "x" });
    expect(turn.events.at(-1)!.data).toMatchObject({ event: "error", code: "completion_request_error", status: 400 });
    expect(turn.events.at(-1)!.data.message).toMatch(/Workers AI failed/);
  });
});

// Issue 15: what a request may ask us to store is bounded up front (400 invalid_param naming the
// field, or 413 before the body is read), text is normalised once so history equals the stream,
// malformed `files` entries are refused and a file named twice is stored once.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSession, call, expectError, json } from "../helpers/api";
import { chatSetup, chatTurn, messageRow, settledMessage } from "../helpers/chat";
import { fileForm, PNG_1X1, postMultipart } from "../helpers/files";
import { demoApp } from "../helpers/fixtures";

afterEach(() => vi.restoreAllMocks());

/** The demo chat with a paragraph input that has no max_length. */
const withParagraph = (yaml: string) =>
  yaml.replace(
    "  user_input_form:\n",
    "  user_input_form:\n    - paragraph:\n        variable: notes\n        label: Notes\n        required: false\n",
  );

async function activeSlots(appId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM app_active_requests WHERE app_id = ?").bind(appId).first<{ n: number }>();
  return row!.n;
}

describe("request bounds", () => {
  it("refuses a 1 MB chat query before anything starts, and the app keeps answering", async () => {
    const { fake, session, send } = await chatSetup((y) => y.replace("name: Demo Chat", "name: Demo Chat\n  max_active_requests: 2"));
    for (const response_mode of ["streaming", "blocking"]) {
      const res = await send({ query: "x".repeat(1_000_000), response_mode });
      await expectError(res, 400, "invalid_param", "query must be less than 100000 characters");
    }
    expect(fake.requests).toHaveLength(0);
    expect(await activeSlots(session.app.app_id)).toBe(0);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages WHERE app_id = ?").bind(session.app.app_id).first<{ n: number }>();
    expect(count!.n).toBe(0);
    const turn = await chatTurn(send, { query: "still there?" });
    expect(turn.answer).toBe("Hello world!");
  });

  it("names the field of a query, input or inputs over their limits", async () => {
    const { send } = await chatSetup(withParagraph);
    const body = await expectError(await send({ query: "y".repeat(100_001) }), 400, "invalid_param");
    expect(body.params).toBe("query");
    // Exactly at the limit is fine (characters, not UTF-16 units: 100,000 emoji pass).
    const atLimit = await send({ query: "😀".repeat(100_000), response_mode: "blocking" });
    expect(atLimit.status).toBe(200);
    const input = await expectError(
      await send({ query: "hi", inputs: { notes: "n".repeat(100_001) } }),
      400,
      "invalid_param",
      "notes in input form must be less than 100000 characters",
    );
    expect(input.params).toBe("notes");
    // The form's own max_length keeps Dify's message.
    await expectError(await send({ query: "hi", inputs: { name: "a".repeat(49) } }), 400, "invalid_param", "name in input form must be less than 48 characters");
  });

  it("bounds the completion query and the whole inputs object", async () => {
    const session = await appSession(demoApp("completion"));
    const post = (body: Record<string, unknown>) => session.get("/api/completion-messages", json({ inputs: {}, ...body }));
    await expectError(await post({ query: "q".repeat(200_000) }), 400, "invalid_param", "query must be less than 100000 characters");
    // A 3 MB query is over the JSON body limit: 413 before the body is read.
    await expectError(await post({ query: "q".repeat(3_000_000) }), 413, "request_entity_too_large");
    const { callWithEnv } = await import("../helpers/api");
    const small = await callWithEnv(
      { INPUTS_MAX_BYTES: "40" },
      "/api/completion-messages",
      json({ inputs: { topic: "a long enough topic to pass forty bytes of JSON", tone: "formal" }, query: "" }, { headers: { "X-App-Code": session.app.site_code, "X-App-Passport": session.token } }),
    );
    const body = await expectError(small, 400, "invalid_param", /^inputs are too large: \d+ bytes, the limit is 40 bytes$/);
    expect(body.params).toBe("inputs");
  });

  it("answers 413 for a JSON body over JSON_BODY_MAX_BYTES before reading it", async () => {
    const { session } = await chatSetup();
    const huge = JSON.stringify({ inputs: {}, query: "z".repeat(20_000_000), response_mode: "streaming" });
    const res = await session.get("/api/chat-messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: huge });
    await expectError(res, 413, "request_entity_too_large");
    // Also without a Content-Length (a chunked body).
    const stream = new Blob([huge]).stream();
    const chunked = await session.get("/api/chat-messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    await expectError(chunked, 413, "request_entity_too_large");
  });

  it("bounds conversation names and feedback content", async () => {
    const { session, send } = await chatSetup();
    const turn = await chatTurn(send, { query: "name me" });
    const tooLong = await session.get(`/api/conversations/${turn.conversationId}/name`, json({ name: "n".repeat(1001) }));
    expect((await expectError(tooLong, 400, "invalid_param")).params).toBe("name");
    const feedback = await session.get(`/api/messages/${turn.messageId}/feedbacks`, json({ rating: "like", content: "c".repeat(10_001) }));
    expect((await expectError(feedback, 400, "invalid_param")).params).toBe("content");
  });
});

describe("text is normalised once, before it is streamed or stored", () => {
  it("stores exactly what the stream showed for NUL and lone surrogates", async () => {
    const { fake, session, send } = await chatSetup();
    fake.use({ chunks: ["a\u0000b", " \ud800", "c", " \ud83d", "\ude00"] });
    const turn = await chatTurn(send, { query: "q\u0000uery \udfff" });
    expect(turn.answer).toBe("ab \ufffdc 😀");
    const row = await settledMessage(turn.messageId);
    expect(row.answer).toBe(turn.answer);
    expect(row.query).toBe("query \ufffd");
    // The model was sent the same cleaned query.
    expect(fake.requests[0].body.messages.at(-1).content).toBe("query \ufffd");
    // History read back equals what was shown.
    const page = (await (await session.get(`/api/messages?conversation_id=${turn.conversationId}`)).json()) as { data: { answer: string; query: string }[] };
    expect(page.data[0]).toMatchObject({ answer: "ab \ufffdc 😀", query: "query \ufffd" });
  });

  it("cleans conversation names and feedback content", async () => {
    const { session, send } = await chatSetup();
    const turn = await chatTurn(send, { query: "hi" });
    const renamed = await session.get(`/api/conversations/${turn.conversationId}/name`, json({ name: "a\u0000b\ud800" }));
    expect(((await renamed.json()) as { name: string }).name).toBe("ab\ufffd");
    await session.get(`/api/messages/${turn.messageId}/feedbacks`, json({ rating: "dislike", content: "x\u0000y" }));
    const row = await env.DB.prepare("SELECT content FROM message_feedbacks WHERE message_id = ?").bind(turn.messageId).first<{ content: string }>();
    expect(row!.content).toBe("xy");
  });
});

describe("files entries", () => {
  it("refuses entries that are not file mappings", async () => {
    const { fake, send } = await chatSetup();
    for (const files of [[1, 2, 3], ["x"], [[[]]]]) {
      const body = await expectError(await send({ query: "hi", files }), 400, "invalid_param");
      expect(String(body.params)).toMatch(/^files\.0/);
    }
    await expectError(await send({ query: "hi", files: [{}] }), 400, "invalid_param", "Invalid file transfer method: None");
    await expectError(await send({ query: "hi", files: [{ type: "image", transfer_method: "remote_url" }] }), 400, "invalid_param", "Invalid file url");
    await expectError(await send({ query: "hi", files: new Array(101).fill({ transfer_method: "local_file" }) }), 400, "invalid_param");
    expect(fake.requests).toHaveLength(0);
  });

  it("stores an upload named three times as one message file", async () => {
    const { fake, session, send } = await chatSetup();
    const up = await postMultipart(session, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1));
    const { id } = (await up.json()) as { id: string };
    const file = { type: "image", transfer_method: "local_file", upload_file_id: id };
    const turn = await chatTurn(send, { query: "look", files: [file, file, { ...file, upload_file_id: id.toUpperCase() }] });
    const end = turn.events.find((e) => e.data.event === "message_end")!;
    expect(end.data.files).toHaveLength(1);
    await settledMessage(turn.messageId);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM message_files WHERE message_id = ?").bind(turn.messageId).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    const parts = fake.requests[0].body.messages.at(-1).content as unknown[];
    expect(parts.filter((p: any) => p.type === "image_url")).toHaveLength(1);
    expect((await messageRow(turn.messageId)).status).toBe("normal");
  });
});

describe("passport sources", () => {
  it("falls back to X-App-Passport when the passport cookie is invalid", async () => {
    const { session } = await chatSetup();
    const code = session.app.site_code;
    const res = await call("/api/site", { headers: { "X-App-Code": code, "X-App-Passport": session.token, Cookie: `passport-${code}=not-a-jwt` } });
    expect(res.status).toBe(200);
    // A valid cookie still wins over the header, as in Dify.
    const bad = await call("/api/site", { headers: { "X-App-Code": code, "X-App-Passport": "garbage", Cookie: `passport-${code}=${session.token}` } });
    expect(bad.status).toBe(200);
    // Nothing valid: the first source's error answers.
    await expectError(await call("/api/site", { headers: { "X-App-Code": code, "X-App-Passport": "garbage", Cookie: `passport-${code}=also-bad` } }), 401, "unauthorized", "Invalid token.");
  });
});

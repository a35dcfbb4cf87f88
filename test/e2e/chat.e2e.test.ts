// End to end against a real `wrangler dev` on loopback with a fake OpenAI-compatible HTTP server:
// a streamed chat read with plain fetch, a stop mid-stream, and disconnect-then-list-messages.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../../scripts/lib/fake-openai-server.mjs";
import { root } from "../../scripts/lib/local.mjs";
import { getPassport, importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { sseEvents } from "../../scripts/lib/sse-client.mjs";

let server: LocalServer;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let headers: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  server = await startServer();
  const put = await fetch(`${server.base}/admin/model-providers/openai`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "openai-compatible", base_url: fake.baseUrl, api_key: "sk-e2e" }),
  });
  expect(put.status).toBe(200);
  const yaml = readFileSync(path.join(root, "demo-apps/chat.yml"), "utf8").replace("provider: echo", "provider: openai");
  const app = await importApp(server, yaml);
  const token = await getPassport(server, app.site_code, "e2e-user");
  headers = { "Content-Type": "application/json", "X-App-Code": app.site_code, "X-App-Passport": token, "X-CSRF-Token": "" };
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

const chat = (body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${server.base}/api/chat-messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ inputs: {}, response_mode: "streaming", conversation_id: "", parent_message_id: null, files: [], ...body }),
    signal,
  });

async function messagesOf(conversationId: string): Promise<{ id: string; answer: string; status: string }[]> {
  const res = await fetch(`${server.base}/api/messages?conversation_id=${conversationId}&limit=20&last_id=`, { headers });
  return ((await res.json()) as { data: { id: string; answer: string; status: string }[] }).data;
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("chat over real HTTP", () => {
  it("streams a two-turn conversation to plain fetch", async () => {
    fake.state.scenario = { tokens: ["Hello", " from", " the", " fake", " model."], firstTokenDelayMs: 0, delayMs: 5 };
    const res = await chat({ query: "hi" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = [];
    for await (const event of sseEvents(res.body!)) events.push(event);
    expect(events.map((e) => e.event)).toEqual(["message", "message", "message", "message", "message", "message_end"]);
    expect(events.map((e) => e.answer ?? "").join("")).toBe("Hello from the fake model.");
    const { conversation_id: conversationId, message_id: messageId } = events[0];

    const second = await chat({ query: "again", conversation_id: conversationId, parent_message_id: messageId });
    for await (const _ of sseEvents(second.body!));
    const lastRequest = fake.state.requests.at(-1);
    expect(lastRequest.messages.map((m: { content: string }) => m.content).slice(-3)).toEqual(["hi", "Hello from the fake model.", "again"]);
    const messages = await waitFor(() => messagesOf(conversationId), (m) => m.length === 2 && m.every((x) => x.answer !== ""));
    expect(messages.map((m) => m.answer)).toEqual(["Hello from the fake model.", "Hello from the fake model."]);
  });

  it("stops mid-stream", async () => {
    fake.state.scenario = { tokens: Array.from({ length: 200 }, (_, i) => ` t${i}`), firstTokenDelayMs: 0, delayMs: 20 };
    const res = await chat({ query: "long" });
    const events = [];
    let stoppedAt = 0;
    for await (const event of sseEvents(res.body!)) {
      events.push(event);
      if (events.length === 5) {
        const stop = await fetch(`${server.base}/api/chat-messages/${event.task_id}/stop`, { method: "POST", headers });
        expect(await stop.json()).toEqual({ result: "success" });
        stoppedAt = Date.now();
      }
    }
    expect(Date.now() - stoppedAt).toBeLessThan(1500);
    expect(events.at(-1)!.event).toBe("message_end");
    expect(events.length).toBeLessThan(100);
    const partial = events.map((e) => e.answer ?? "").join("");
    const saved = await waitFor(() => messagesOf(events[0].conversation_id), (m) => m[0]?.answer === partial);
    expect(saved[0].answer).toBe(partial);
  });

  it("keeps generating after the client disconnects and saves the full answer", async () => {
    const tokens = Array.from({ length: 40 }, (_, i) => ` d${i}`);
    fake.state.scenario = { tokens, firstTokenDelayMs: 0, delayMs: 15 };
    const controller = new AbortController();
    const res = await chat({ query: "disconnect me" }, controller.signal);
    let conversationId = "";
    try {
      for await (const event of sseEvents(res.body!)) {
        conversationId = event.conversation_id;
        controller.abort();
      }
    } catch (err) {
      expect((err as Error).name).toBe("AbortError");
    }
    const saved = await waitFor(() => messagesOf(conversationId), (m) => m[0]?.answer === tokens.join(""));
    expect(saved[0]).toMatchObject({ answer: tokens.join(""), status: "normal" });
  });
});

describe("oversized requests (issue 15) over real HTTP", () => {
  it("refuses a 1 MB query first, and the app's slots stay free for other users", async () => {
    const yaml = readFileSync(path.join(root, "demo-apps/chat.yml"), "utf8")
      .replace("provider: echo", "provider: openai")
      .replace("name: Demo Chat", "name: Limited Chat");
    const app = await importApp(server, yaml);
    await fetch(`${server.base}/admin/apps/${app.app_id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ max_active_requests: 2 }),
    });
    const attacker = await getPassport(server, app.site_code, "attacker");
    const post = (token: string, query: string, mode = "streaming") =>
      fetch(`${server.base}/api/chat-messages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-App-Code": app.site_code, "X-App-Passport": token },
        body: JSON.stringify({ inputs: {}, query, response_mode: mode, conversation_id: "" }),
      });
    for (const mode of ["streaming", "blocking", "streaming"]) {
      const res = await post(attacker, "x".repeat(1_000_000), mode);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "invalid_param", params: "query" });
    }
    fake.state.scenario = { tokens: ["still", " here"], firstTokenDelayMs: 0, delayMs: 1 };
    const other = await getPassport(server, app.site_code, "someone-else");
    const answers = await Promise.all([post(other, "hello?"), post(other, "and me?")]);
    for (const res of answers) {
      expect(res.status).toBe(200);
      let last = null;
      for await (const event of sseEvents(res.body!)) last = event;
      expect(last?.event).toBe("message_end");
    }
  });
});

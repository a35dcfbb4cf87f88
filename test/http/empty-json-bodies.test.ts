// Dify's web client sends Content-Type: application/json on every call, including body-less
// POST/PATCH/DELETE requests; none of those may fail on the empty body.
import { describe, expect, it } from "vitest";
import { appSession, json } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";

describe("body-less requests with a JSON content type", () => {
  it("are accepted by every endpoint that takes no body", async () => {
    const chat = await appSession(demoApp("chat"));
    const blocking = (await (await chat.get("/api/chat-messages", json({ inputs: {}, query: "hi", response_mode: "blocking" }))).json()) as Record<string, string>;
    const empty = { headers: { "Content-Type": "application/json" } };
    const cases: [string, string, number][] = [
      ["POST", `/api/chat-messages/${blocking.task_id}/stop`, 200],
      ["PATCH", `/api/conversations/${blocking.conversation_id}/pin`, 200],
      ["PATCH", `/api/conversations/${blocking.conversation_id}/unpin`, 200],
      ["POST", "/api/logout", 200],
      ["DELETE", `/api/conversations/${blocking.conversation_id}`, 204],
    ];
    for (const [method, path, status] of cases) {
      const res = await chat.get(path, { method, ...empty });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(status);
    }
    const completion = await appSession(demoApp("completion"));
    const run = (await (await completion.get("/api/completion-messages", json({ inputs: { topic: "x", tone: "formal" } }))).json()) as Record<string, string>;
    for (const [method, path, status] of [
      ["POST", `/api/completion-messages/${run.task_id}/stop`, 200],
      ["DELETE", `/api/saved-messages/${run.message_id}`, 204],
    ] as const) {
      expect((await completion.get(path, { method, ...empty })).status, path).toBe(status);
    }
  });
});

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { blockingMessageResponse } from "../../src/schemas/chat";
import { savedMessagePage } from "../../src/schemas/completion";
import { appSession, call, expectError, expectShape, json, passport } from "../helpers/api";
import { settledMessage } from "../helpers/chat";
import { completionSetup } from "../helpers/completion";
import { demoApp } from "../helpers/fixtures";

afterEach(() => vi.restoreAllMocks());

async function savedRuns(count: number) {
  const setup = await completionSetup();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    setup.fake.once({ chunks: [`answer ${i}`] });
    const body = await expectShape(await setup.generate({ response_mode: "blocking", inputs: { topic: `t${i}`, tone: "formal" } }), blockingMessageResponse);
    await settledMessage(body.message_id);
    ids.push(body.message_id);
  }
  return { ...setup, ids };
}

describe("saved messages", () => {
  it("saves idempotently and pages newest first across pages", async () => {
    const { session, ids } = await savedRuns(5);
    for (const id of [...ids, ids[0]]) expect(await (await session.get("/api/saved-messages", json({ message_id: id }))).json()).toEqual({ result: "success" });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM saved_messages").first("n")).toBe(5);
    const seen: string[] = [];
    let last = "";
    let pages = 0;
    for (;;) {
      const page = await expectShape(await session.get(`/api/saved-messages?limit=2${last ? `&last_id=${last}` : ""}`), savedMessagePage);
      pages++;
      seen.push(...page.data.map((m) => m.id));
      if (!page.has_more) break;
      last = page.data.at(-1)!.id;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const first = await expectShape(await session.get("/api/saved-messages"), savedMessagePage);
    expect(first.data[0]).toMatchObject({ answer: "answer 4", query: "", inputs: { topic: "t4", tone: "formal" }, message_files: [], feedback: null });
  });

  it("shows the end user's feedback and forgets removed messages (204, idempotent)", async () => {
    const { session, ids } = await savedRuns(2);
    await session.get("/api/saved-messages", json({ message_id: ids[0] }));
    await session.get("/api/saved-messages", json({ message_id: ids[1] }));
    expect(await (await session.get(`/api/messages/${ids[1]}/feedbacks`, json({ rating: "like" }))).json()).toEqual({ result: "success" });
    const page = await expectShape(await session.get("/api/saved-messages"), savedMessagePage);
    expect(page.data.map((m) => m.feedback)).toEqual([{ rating: "like" }, null]);
    for (let i = 0; i < 2; i++) {
      const res = await session.get(`/api/saved-messages/${ids[1]}`, { method: "DELETE" });
      expect(res.status).toBe(204);
    }
    expect((await expectShape(await session.get("/api/saved-messages"), savedMessagePage)).data.map((m) => m.id)).toEqual([ids[0]]);
  });

  it("answers 404 for unknown or foreign messages and an unknown last_id", async () => {
    const { session, ids } = await savedRuns(1);
    await expectError(await session.get("/api/saved-messages", json({ message_id: crypto.randomUUID() })), 404, "not_found", "Message Not Exists.");
    await expectError(await session.get("/api/saved-messages", json({ message_id: "nope" })), 400, "invalid_param", /^message_id:/);
    await expectError(await session.get("/api/saved-messages", json({ message_id: "" })), 400, "invalid_param", "message_id is required");
    await expectError(await session.get(`/api/saved-messages?last_id=${crypto.randomUUID()}`), 404, "not_found", "Last Message Not Exists.");
    await expectError(await session.get("/api/saved-messages?limit=0"), 400, "invalid_param");
    const stranger = await passport(session.app.site_code, "stranger");
    const headers = { "X-App-Passport": stranger };
    await expectError(await call("/api/saved-messages", json({ message_id: ids[0] }, { headers })), 404, "not_found", "Message Not Exists.");
    await session.get("/api/saved-messages", json({ message_id: ids[0] }));
    const theirs = (await (await call("/api/saved-messages", { headers })).json()) as { data: unknown[] };
    expect(theirs.data).toEqual([]);
    // Their DELETE of my saved message removes nothing of mine.
    expect((await call(`/api/saved-messages/${ids[0]}`, { method: "DELETE", headers })).status).toBe(204);
    expect((await expectShape(await session.get("/api/saved-messages"), savedMessagePage)).data).toHaveLength(1);
  });

  it("is gated to completion apps", async () => {
    const chat = await appSession(demoApp("chat"));
    await expectError(await chat.get("/api/saved-messages"), 400, "not_completion_app");
    await expectError(await chat.get(`/api/saved-messages/${crypto.randomUUID()}`, { method: "DELETE" }), 400, "not_completion_app");
  });
});

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { conversationPage, conversationView } from "../../src/schemas/conversations";
import { appSession, call, expectError, expectShape, json, passport } from "../helpers/api";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";
import { demoApp } from "../helpers/fixtures";

afterEach(() => vi.restoreAllMocks());

async function threeConversations() {
  const setup = await chatSetup();
  const ids: string[] = [];
  for (const query of ["first", "second", "third"]) {
    const turn = await chatTurn(setup.send, { query, inputs: { name: query } });
    await settledMessage(turn.messageId);
    ids.push(turn.conversationId);
  }
  // Distinct timestamps so each sort order is unambiguous.
  for (const [i, id] of ids.entries()) {
    await env.DB.prepare("UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?").bind(1000 + i, 5000 - i, id).run();
  }
  return { ...setup, ids };
}

describe("GET /api/conversations", () => {
  it("lists with sort orders, cursors and has_more", async () => {
    const { session, ids } = await threeConversations();
    const page = async (q: string) => expectShape(await session.get(`/api/conversations?${q}`), conversationPage);
    const byUpdated = await page("limit=100");
    expect(byUpdated.data.map((c) => c.id)).toEqual([ids[0], ids[1], ids[2]]);
    expect(byUpdated.data[0]).toMatchObject({ name: "New conversation", inputs: { name: "first" }, status: "normal", introduction: "Hello first! Ask me anything." });
    expect((await page("sort_by=created_at")).data.map((c) => c.id)).toEqual(ids);
    expect((await page("sort_by=-created_at")).data.map((c) => c.id)).toEqual([...ids].reverse());
    const p1 = await page("sort_by=created_at&limit=2");
    expect(p1).toMatchObject({ limit: 2, has_more: true });
    const p2 = await page(`sort_by=created_at&limit=2&last_id=${p1.data[1].id}`);
    expect(p2.data.map((c) => c.id)).toEqual([ids[2]]);
    expect(p2.has_more).toBe(false);
    await expectError(await session.get(`/api/conversations?last_id=${crypto.randomUUID()}`), 404, "not_found", "Last Conversation Not Exists.");
    await expectError(await session.get("/api/conversations?limit=0"), 400, "invalid_param", /^limit:/);
    await expectError(await session.get("/api/conversations?limit=101"), 400, "invalid_param", /^limit:/);
    await expectError(await session.get("/api/conversations?sort_by=name"), 400, "invalid_param", /^sort_by:/);
    await expectError(await session.get("/api/conversations?pinned=yes"), 400, "invalid_param", /^pinned:/);
  });

  it("keeps ties on the same second stable across pages", async () => {
    const { session, ids } = await threeConversations();
    await env.DB.prepare("UPDATE conversations SET updated_at = 7000").run();
    const seen: string[] = [];
    let last = "";
    for (;;) {
      const res = await session.get(`/api/conversations?limit=1${last ? `&last_id=${last}` : ""}`);
      const body = await expectShape(res, conversationPage);
      seen.push(...body.data.map((c) => c.id));
      if (!body.has_more) break;
      last = body.data[0].id;
    }
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it("pins, filters by pinned, unpins idempotently", async () => {
    const { session, ids } = await threeConversations();
    for (let i = 0; i < 2; i++) expect(await (await session.get(`/api/conversations/${ids[1]}/pin`, { method: "PATCH" })).json()).toEqual({ result: "success" });
    const pinned = await expectShape(await session.get("/api/conversations?pinned=true"), conversationPage);
    expect(pinned.data.map((c) => c.id)).toEqual([ids[1]]);
    const unpinned = await expectShape(await session.get("/api/conversations?pinned=false"), conversationPage);
    expect(unpinned.data.map((c) => c.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect(await (await session.get(`/api/conversations/${ids[1]}/unpin`, { method: "PATCH" })).json()).toEqual({ result: "success" });
    expect(await (await session.get(`/api/conversations/${crypto.randomUUID()}/unpin`, { method: "PATCH" })).json()).toEqual({ result: "success" });
    expect((await expectShape(await session.get("/api/conversations?pinned=true"), conversationPage)).data).toEqual([]);
    await expectError(await session.get(`/api/conversations/${crypto.randomUUID()}/pin`, { method: "PATCH" }), 404, "not_found", "Conversation Not Exists.");
  });

  it("soft-deletes with 204", async () => {
    const { session, ids } = await threeConversations();
    const res = await session.get(`/api/conversations/${ids[0]}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await expectShape(await session.get("/api/conversations"), conversationPage)).data.map((c) => c.id)).not.toContain(ids[0]);
    expect(await env.DB.prepare("SELECT is_deleted FROM conversations WHERE id = ?").bind(ids[0]).first("is_deleted")).toBe(1);
    await expectError(await session.get(`/api/conversations/${ids[0]}`, { method: "DELETE" }), 404, "not_found", "Conversation Not Exists.");
    await expectError(await session.get(`/api/messages?conversation_id=${ids[0]}`), 404, "not_found", "Conversation Not Exists.");
  });

  it("renames manually or with the model, falling back to the query", async () => {
    const { session, ids, fake } = await threeConversations();
    const renamed = await expectShape(await session.get(`/api/conversations/${ids[0]}/name`, json({ name: "  My chat " })), conversationView);
    expect(renamed.name).toBe("My chat");
    await expectError(await session.get(`/api/conversations/${ids[0]}/name`, json({ name: " " })), 400, "invalid_param", "name is required when auto_generate is false");
    await expectError(await session.get(`/api/conversations/${ids[0]}/name`, json({})), 400, "invalid_param", "name is required when auto_generate is false");
    fake.once({ chunks: ["Greeting", " the user\nextra line"] });
    const generated = await expectShape(await session.get(`/api/conversations/${ids[1]}/name`, json({ auto_generate: true })), conversationView);
    expect(generated.name).toBe("Greeting the user");
    expect(fake.requests.at(-1)!.body.messages.at(-1)).toEqual({ role: "user", content: "second" });
    fake.once({ status: 500 });
    const fallback = await expectShape(await session.get(`/api/conversations/${ids[2]}/name`, json({ auto_generate: true })), conversationView);
    expect(fallback.name).toBe("third");
  });

  it("hides other end users' conversations and gates by mode", async () => {
    const { session, ids } = await threeConversations();
    const stranger = await passport(session.app.site_code, "stranger");
    const headers = { "X-App-Passport": stranger, "X-App-Code": session.app.site_code, "Content-Type": "application/json" };
    expect(((await (await call("/api/conversations", { headers })).json()) as { data: unknown[] }).data).toEqual([]);
    await expectError(await call(`/api/conversations/${ids[0]}`, { method: "DELETE", headers }), 404, "not_found");
    await expectError(await call(`/api/conversations/${ids[0]}/name`, json({ name: "x" }, { headers })), 404, "not_found");
    await expectError(await call(`/api/conversations/${ids[0]}/pin`, { method: "PATCH", headers }), 404, "not_found");
    await expectError(await call(`/api/conversations/not-a-uuid/pin`, { method: "PATCH", headers }), 404, "not_found");
    const completion = await appSession(demoApp("completion"));
    await expectError(await completion.get("/api/conversations"), 400, "not_chat_app");
  });
});

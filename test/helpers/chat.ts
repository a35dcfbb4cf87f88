// Chat test set-up: the demo chat app pointed at the fake OpenAI-compatible server.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { admin, appSession, json } from "./api";
import { FAKE_BASE, fakeOpenAI } from "./fake-openai";
import { demoApp } from "./fixtures";
import { answerOf, readSse } from "./sse";

export async function registerFakeProvider(config?: Record<string, unknown>): Promise<void> {
  const res = await admin("/admin/model-providers/openai", json({ type: "openai-compatible", base_url: FAKE_BASE, api_key: "sk-test", config }, { method: "PUT" }));
  expect(res.status).toBe(200);
}

/** The demo chat app on provider "openai" (the fake), optionally with YAML edits. */
export function chatYaml(edit: (yaml: string) => string = (y) => y): string {
  return edit(demoApp("chat").replace("provider: echo", "provider: langgenius/openai/openai").replace("name: echo-1", "name: gpt-4o-mini"));
}

export async function chatSetup(edit?: (yaml: string) => string, userId?: string) {
  const fake = fakeOpenAI();
  await registerFakeProvider();
  const session = await appSession(chatYaml(edit), userId);
  const send = (body: Record<string, unknown>) =>
    session.get("/api/chat-messages", json({ inputs: {}, response_mode: "streaming", conversation_id: "", ...body }));
  return { fake, session, send };
}

/** Sends a streamed message and reads it to the end. */
export async function chatTurn(send: (body: Record<string, unknown>) => Promise<Response>, body: Record<string, unknown>) {
  const res = await send(body);
  expect(res.status).toBe(200);
  const read = await readSse(res.body!);
  const first = read.events[0].data;
  return { ...read, answer: answerOf(read.events), conversationId: first.conversation_id as string, messageId: first.message_id as string, taskId: first.task_id as string };
}

export async function messageRow(id: string): Promise<Record<string, any>> {
  return (await env.DB.prepare("SELECT * FROM messages WHERE id = ?").bind(id).first<Record<string, any>>())!;
}

/** Polls D1 until the task's final write landed (the task finishes after its stream ends). */
export async function settledMessage(id: string, predicate: (row: Record<string, any>) => boolean = (r) => r.answer_tokens > 0 || r.status === "error", timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await messageRow(id);
    if (predicate(row) || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}

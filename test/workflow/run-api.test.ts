// Workflow and chatflow apps through the Web API: the TaskRunner program, its events and rows.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSession, expectError, json, passport, call } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

describe("POST /api/workflows/run", () => {
  it("runs a workflow and streams Dify's events with ids", async () => {
    const session = await appSession(fixture("increment_loop_with_break_condition_workflow"));
    const res = await session.get("/api/workflows/run", json({ inputs: {} }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const read = await readSse(res.body!);
    const names = read.events.map((e) => e.data.event);
    expect(names[0]).toBe("workflow_started");
    expect(names.at(-1)).toBe("workflow_finished");
    expect(names).toContain("loop_started");
    expect(names).toContain("node_started");
    const finished = read.events.at(-1)!.data;
    expect(Object.keys(finished)).toEqual(["event", "workflow_run_id", "task_id", "data"]);
    expect(finished.data).toMatchObject({ status: "succeeded", outputs: { num: 5 }, error: null, total_steps: expect.any(Number), exceptions_count: 0 });
    expect(finished.workflow_run_id).toBe(finished.task_id);
    expect(read.events.map((e) => e.id)).toEqual(read.events.map((_, i) => i + 1));
    const started = read.events.find((e) => e.data.event === "node_started")!.data.data;
    expect(started).toMatchObject({ inputs: null, extras: {}, predecessor_node_id: null });
    const row = await env.DB.prepare("SELECT status, outputs, total_steps FROM workflow_runs WHERE id = ?").bind(finished.task_id).first<Record<string, any>>();
    expect(row).toMatchObject({ status: "succeeded" });
    expect(JSON.parse(row!.outputs)).toEqual({ num: 5 });
    const nodes = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflow_node_executions WHERE workflow_run_id = ?").bind(finished.task_id).first<{ n: number }>();
    expect(nodes!.n).toBeGreaterThan(3);
  });

  it("refuses other app modes and validates the body", async () => {
    const chat = await appSession(fixture("test_streaming_conversation_variables"));
    await expectError(await chat.get("/api/workflows/run", json({ inputs: {} })), 400, "not_workflow_app");
    const wf = await appSession(fixture("increment_loop_with_break_condition_workflow"));
    await expectError(await wf.get("/api/workflows/run", json({})), 400, "invalid_param", "inputs is required");
  });

  it("replays a finished run's events to its owner only", async () => {
    const session = await appSession(fixture("increment_loop_with_break_condition_workflow"));
    const read = await readSse((await session.get("/api/workflows/run", json({ inputs: {} }))).body!);
    const runId = read.events[0].data.task_id;
    const replay = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${read.events.length - 1}`)).body!);
    expect(replay.events.map((e) => e.data.event)).toEqual(["workflow_finished"]);
    const stranger = await passport(session.app.site_code, "someone-else");
    await expectError(await call(`/api/workflow/${runId}/events`, { headers: { "X-App-Passport": stranger } }), 404, "not_found", `WorkflowRun not found, id=${runId}`);
  });
});

describe("chatflows through /api/chat-messages", () => {
  it("streams answer deltas, message_end then workflow_finished, and keeps conversation variables", async () => {
    const session = await appSession(fixture("test_streaming_conversation_variables"));
    const send = (body: Record<string, unknown>) => session.get("/api/chat-messages", json({ inputs: {}, response_mode: "streaming", conversation_id: "", ...body }));
    const read = await readSse((await send({ query: "remember me" })).body!);
    const names = read.events.map((e) => e.data.event);
    expect(names[0]).toBe("workflow_started");
    expect(names.slice(-2)).toEqual(["message_end", "workflow_finished"]);
    const answer = read.events.filter((e) => e.data.event === "message").map((e) => e.data.answer).join("");
    expect(answer).toBe("remember me");
    const first = read.events[0].data;
    expect(Object.keys(first)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "workflow_run_id", "data"]);
    const { conversation_id: conversationId, message_id: messageId } = first;
    const message = await env.DB.prepare("SELECT answer, status, workflow_run_id FROM messages WHERE id = ?").bind(messageId).first<Record<string, any>>();
    expect(message).toMatchObject({ answer: "remember me", status: "normal", workflow_run_id: first.task_id });
    const stored = await env.DB.prepare("SELECT value FROM conversation_variables WHERE conversation_id = ? AND name = 'str'").bind(conversationId).first<{ value: string }>();
    expect(JSON.parse(stored!.value)).toBe("remember me");
    const list = (await (await session.get(`/api/messages?conversation_id=${conversationId}`)).json()) as { data: { answer: string }[] };
    expect(list.data[0].answer).toBe("remember me");
    // Blocking mode gets Dify's chat blocking body.
    const blocking = await send({ query: "again", conversation_id: conversationId, response_mode: "blocking" });
    expect(await blocking.json()).toMatchObject({ event: "message", answer: "again", conversation_id: conversationId, mode: "advanced-chat" });
  });
});

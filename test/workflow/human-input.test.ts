// Human input (issue 11): hitl-main.yml pauses for a form, the form endpoints, resume in the same
// task (also after an eviction), single-use submissions, the timeout branch by alarm, the events
// endpoint's views, and the per-IP limits.
import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSession, call, expectError, json, passport } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { readSse, type SseEvent } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

const NODE = "1779786788846";

async function pausedRun(ip = "203.0.113.7") {
  const session = await appSession(fixture("hitl-main"));
  const read = await readSse((await session.get("/api/workflows/run", json({ inputs: {} }))).body!);
  const runId = read.events[0].data.task_id as string;
  const required = read.events.find((e) => e.data.event === "human_input_required")!.data.data;
  const form = (path = "", init: RequestInit = {}) => call(`/api/form/human_input/${required.form_token}${path}`, { ...init, headers: { "CF-Connecting-IP": ip, ...(init.headers ?? {}) } });
  const submit = (action: string, inputs: Record<string, unknown> = {}) => form("", json({ inputs, action }));
  return { session, read, runId, required, form, submit };
}

const names = (events: SseEvent[]) => events.map((e) => e.data.event);

describe("a run pauses for a person", () => {
  it("streams human_input_required then workflow_paused and ends the stream", async () => {
    const { read, runId, required } = await pausedRun();
    expect(names(read.events)).toEqual(["workflow_started", "node_started", "node_finished", "node_started", "human_input_required", "workflow_paused"]);
    expect(required).toMatchObject({
      node_id: NODE,
      node_title: "人工介入",
      form_content: "",
      inputs: [],
      actions: [
        { id: "action_1", title: "Button Text 1", button_style: "default" },
        { id: "action_2", title: "Button Text 2", button_style: "default" },
        { id: "action_3", title: "Button Text 3", button_style: "default" },
      ],
      display_in_ui: true,
      resolved_default_values: {},
    });
    expect(required.form_token).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(required.expiration_time - Math.floor(Date.now() / 1000)).toBeGreaterThan(3 * 86400 - 60);
    const paused = read.events.at(-1)!.data.data;
    expect(paused).toMatchObject({ workflow_run_id: runId, paused_nodes: [NODE], status: "paused", outputs: {} });
    expect(paused.reasons[0]).toMatchObject({ TYPE: "human_input_required", form_id: required.form_id, form_token: required.form_token });
    const row = await env.DB.prepare("SELECT status FROM workflow_runs WHERE id = ?").bind(runId).first<{ status: string }>();
    expect(row!.status).toBe("paused");
    const form = await env.DB.prepare("SELECT status, node_id FROM human_input_forms WHERE id = ?").bind(required.form_id).first();
    expect(form).toEqual({ status: "waiting", node_id: NODE });
  });

  it("serves the form without a passport, with Dify's 200 shape", async () => {
    const { form, session } = await pausedRun();
    const res = await form();
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["expiration_time", "form_content", "inputs", "resolved_default_values", "site", "user_actions"]);
    expect(body.site).toMatchObject({ app_id: session.app.app_id, end_user_id: null });
    await expectError(await call("/api/form/human_input/nope"), 404, "not_found", "Form not found");
  });

  it("submitting action_2 resumes the same task to {x: action_2}; a second submit is 412", async () => {
    const { session, runId, submit, required } = await pausedRun();
    // The web client opens the events stream right after workflow_paused and keeps it open.
    const live = await session.get(`/api/workflow/${runId}/events`);
    const res = await submit("action_2");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const read = await readSse(live.body!);
    expect(names(read.events)).toEqual(["workflow_started", "human_input_form_filled", "node_finished", "text_chunk", "node_started", "node_finished", "workflow_finished"]);
    expect(read.events[3].data.data).toMatchObject({ text: "action_2", from_variable_selector: [NODE, "__action_id"] });
    expect(read.events[0].data.data.reason).toBe("resumption");
    expect(read.events[1].data.data).toMatchObject({ node_id: NODE, action_id: "action_2", action_text: "Button Text 2" });
    const finished = read.events.at(-1)!.data.data;
    expect(finished).toMatchObject({ status: "succeeded", outputs: { x: "action_2" } });
    // Sequence numbers continue the first stream's.
    expect(read.events[0].id).toBe(7);
    await expectError(await submit("action_3"), 412, "human_input_form_submitted", `This form has already been submitted by another user, form_id=${required.form_id}`);
    const form = await env.DB.prepare("SELECT status, selected_action_id FROM human_input_forms WHERE id = ?").bind(required.form_id).first();
    expect(form).toEqual({ status: "submitted", selected_action_id: "action_2" });
    // A finished run's plain events are exactly one workflow_finished frame.
    const after = await readSse((await session.get(`/api/workflow/${runId}/events`)).body!);
    expect(names(after.events)).toEqual(["workflow_finished"]);
  });

  it("action_1 has no edge: the run ends with no End node reached", async () => {
    const { session, runId, submit } = await pausedRun();
    await submit("action_1");
    const read = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=6`)).body!);
    expect(read.events.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: {} });
  });

  it("refuses unknown actions and missing inputs with invalid_form_data", async () => {
    const { submit } = await pausedRun();
    await expectError(await submit("action_9"), 400, "invalid_form_data", "Invalid action: action_9");
    await expectError(await call("/api/form/human_input/x", json({ action: "a" })), 400, "invalid_param");
  });

  it("two simultaneous submits: one 200, one 412", async () => {
    const { submit } = await pausedRun();
    const results = await Promise.all([submit("action_2"), submit("action_3")]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it("resumes after an eviction: pause, evict, submit, finish", async () => {
    const { session, runId, submit } = await pausedRun();
    await abortAllDurableObjects();
    expect((await submit("action_3")).status).toBe(200);
    const read = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=6`)).body!);
    expect(read.events.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { x: "action_3" } });
  });

  it("takes the __timeout branch when the form's deadline passes (the object's alarm)", async () => {
    const { session, runId, required, form } = await pausedRun();
    const realNow = Date.now;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 3 * 86400_000 + 5_000);
    const stub = env.TASKS.get(env.TASKS.idFromName(runId));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // At-least-once alarms must not resume twice.
    await runDurableObjectAlarm(stub);
    vi.restoreAllMocks();
    const read = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=6`)).body!);
    expect(names(read.events)).toContain("human_input_form_timeout");
    expect(read.events.filter((e) => e.data.event === "workflow_finished")).toHaveLength(1);
    expect(read.events.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { x: "" } });
    const row = await env.DB.prepare("SELECT status FROM human_input_forms WHERE id = ?").bind(required.form_id).first<{ status: string }>();
    expect(row!.status).toBe("timeout");
    await expectError(await form(), 412, "human_input_form_expired", `This form has expired, form_id=${required.form_id}`);
  });

  it("time spent paused does not count against WORKFLOW_MAX_EXECUTION_TIME", async () => {
    const { session, runId, submit } = await pausedRun();
    const realNow = Date.now;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 2 * 3600_000);
    expect((await submit("action_2")).status).toBe(200);
    const read = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=6`)).body!);
    vi.restoreAllMocks();
    expect(read.events.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { x: "action_2" } });
  });

  it("stops a paused run at once", async () => {
    const { session, runId, form } = await pausedRun();
    await session.get(`/api/workflows/tasks/${runId}/stop`, { method: "POST" });
    const read = await readSse((await session.get(`/api/workflow/${runId}/events`)).body!);
    expect(read.events.at(-1)!.data.data).toMatchObject({ status: "stopped" });
    await expectError(await form(), 412, "human_input_form_expired");
  });
});

describe("GET /api/workflow/{id}/events views", () => {
  it("include_state_snapshot gives the paused state, then ends on workflow_paused", async () => {
    const { session, runId } = await pausedRun();
    const read = await readSse((await session.get(`/api/workflow/${runId}/events?include_state_snapshot=true`)).body!);
    expect(names(read.events)).toEqual(["workflow_started", "node_started", "node_finished", "node_started", "human_input_required", "workflow_paused"]);
    expect(read.events[0].data.data.reason).toBe("initial");
    expect(read.events.every((e) => e.id === null)).toBe(true);
  });

  it("answers 404 with Dify's message to another end user, 400 to a malformed cursor", async () => {
    const { session, runId } = await pausedRun();
    const stranger = await passport(session.app.site_code, "someone-else");
    await expectError(await call(`/api/workflow/${runId}/events`, { headers: { "X-App-Passport": stranger } }), 404, "not_found", `WorkflowRun not found, id=${runId}`);
    await expectError(await session.get(`/api/workflow/${runId}/events`, { headers: { "Last-Event-ID": "x1" } }), 400, "invalid_param");
  });
});

describe("form rate limits", () => {
  it("allows exactly 30 reads per IP per minute, then 429; submissions count on their own", async () => {
    const { form, submit } = await pausedRun("198.51.100.9");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await form()).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    await expectError(await form(), 429, "web_form_rate_limit_exceeded", "Too many form requests. Please try again later.");
    expect((await submit("action_2")).status).toBe(200);
  });
});

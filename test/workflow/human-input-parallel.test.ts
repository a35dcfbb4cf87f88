// Human input beyond one form: two human-input nodes on parallel branches pause the run together and
// are answered one at a time (the run pauses again until the last one), and a form past
// HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS ends the run stopped through the object's alarm.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSession, call, expectError, json } from "../helpers/api";
import { readSse, type SseEvent } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

const review = (id: string, timeout: number, unit: "hour" | "day") => ({
  id,
  type: "custom",
  data: {
    type: "human-input",
    title: `Review ${id}`,
    form_content: `Decide ${id}: {{#$output.note#}}`,
    inputs: [{ type: "paragraph", output_variable_name: "note", default: { type: "constant", value: "" } }],
    user_actions: [
      { id: "approve", title: "Approve", button_style: "primary" },
      { id: "reject", title: "Reject", button_style: "default" },
    ],
    timeout,
    timeout_unit: unit,
    delivery_methods: [{ id: "webapp", type: "webapp", enabled: true }],
  },
});

/** start → a and b (parallel) → end, each action edge of both forms leading to the one End node. */
function parallelYaml(timeout = 1, unit: "hour" | "day" = "day"): string {
  const edges = ["a", "b"].flatMap((id) => [
    { id: `start-${id}`, source: "start", sourceHandle: "source", target: id },
    { id: `${id}-approve`, source: id, sourceHandle: "approve", target: "end" },
    { id: `${id}-reject`, source: id, sourceHandle: "reject", target: "end" },
  ]);
  const doc = {
    app: { name: "Two reviewers", mode: "workflow", icon: "✅", icon_type: "emoji" },
    kind: "app",
    version: "0.6.0",
    workflow: {
      features: {},
      environment_variables: [],
      conversation_variables: [],
      graph: {
        edges,
        nodes: [
          { id: "start", type: "custom", data: { type: "start", title: "Start", variables: [] } },
          review("a", timeout, unit),
          review("b", timeout, unit),
          {
            id: "end",
            type: "custom",
            data: {
              type: "end",
              title: "End",
              outputs: [
                { variable: "a", value_selector: ["a", "__action_id"] },
                { variable: "a_note", value_selector: ["a", "note"] },
                { variable: "b", value_selector: ["b", "__action_id"] },
                { variable: "b_note", value_selector: ["b", "note"] },
              ],
            },
          },
        ],
      },
    },
  };
  return JSON.stringify(doc); // JSON is YAML
}

const names = (events: SseEvent[]) => events.map((e) => e.data.event as string);
const submit = (token: string, action: string, note: string) => call(`/api/form/human_input/${token}`, json({ inputs: { note }, action }));

describe("several forms in one run", () => {
  it("parallel branches pause together and are answered one at a time", async () => {
    const session = await appSession(parallelYaml());
    const first = await readSse((await session.get("/api/workflows/run", json({ inputs: {} }))).body!);
    const runId = first.events[0].data.task_id as string;
    const forms = first.events.filter((e) => e.data.event === "human_input_required").map((e) => e.data.data);
    expect(forms.map((f) => f.node_id).sort()).toEqual(["a", "b"]);
    expect(names(first.events).at(-1)).toBe("workflow_paused");
    expect(first.events.at(-1)!.data.data.paused_nodes.sort()).toEqual(["a", "b"]);
    const tokenOf = (node: string) => forms.find((f) => f.node_id === node)!.form_token as string;
    const lastId = () => Number(first.events.at(-1)!.id);

    // The first answer resumes the run, which pauses again for the other form.
    expect((await submit(tokenOf("b"), "reject", "too vague")).status).toBe(200);
    const second = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${lastId()}`)).body!);
    expect(names(second.events)).toContain("human_input_form_filled");
    expect(names(second.events)).not.toContain("workflow_finished");
    expect(names(second.events).at(-1)).toBe("workflow_paused");
    expect(second.events.at(-1)!.data.data.paused_nodes).toEqual(["a"]);
    // Its form stays open; the answered one is closed.
    expect((await call(`/api/form/human_input/${tokenOf("a")}`)).status).toBe(200);
    await expectError(await call(`/api/form/human_input/${tokenOf("b")}`), 412, "human_input_form_submitted");

    expect((await submit(tokenOf("a"), "approve", "fine")).status).toBe(200);
    const rest = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${second.events.at(-1)!.id}`)).body!);
    const finished = rest.events.filter((e) => e.data.event === "workflow_finished");
    expect(finished).toHaveLength(1);
    expect(finished[0].data.data).toMatchObject({ status: "succeeded", outputs: { a: "approve", a_note: "fine", b: "reject", b_note: "too vague" } });
    // One sequence across the three segments.
    const ids = [...first.events, ...second.events, ...rest.events].map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS", () => {
  it("ends a run stopped when its form outlives the global limit, whatever the node's own timeout", async () => {
    const session = await appSession(parallelYaml(30, "day"));
    const first = await readSse((await session.get("/api/workflows/run", json({ inputs: {} }))).body!);
    const runId = first.events[0].data.task_id as string;
    const forms = first.events.filter((e) => e.data.event === "human_input_required").map((e) => e.data.data);
    // The node asked for 30 days; the form's expiry is capped at the global 7 days.
    const created = Math.floor(Date.now() / 1000);
    for (const f of forms) expect(f.expiration_time).toBeLessThanOrEqual(created + 7 * 86400 + 5);

    const realNow = Date.now;
    const stub = env.TASKS.get(env.TASKS.idFromName(runId));
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 6 * 86400_000);
    await runDurableObjectAlarm(stub);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 7 * 86400_000 + 10_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    vi.restoreAllMocks();

    const read = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${first.events.at(-1)!.id}`)).body!);
    const finished = read.events.filter((e) => e.data.event === "workflow_finished");
    expect(finished).toHaveLength(1);
    expect(finished[0].data.data).toMatchObject({ status: "stopped", error: "The human input form expired before anyone answered it." });
    for (const f of forms) await expectError(await call(`/api/form/human_input/${f.form_token}`), 412, "human_input_form_expired");
    const rows = await env.DB.prepare("SELECT status FROM human_input_forms WHERE workflow_run_id = ?").bind(runId).all<{ status: string }>();
    expect(rows.results.map((r) => r.status)).toEqual(["expired", "expired"]);
    const run = await env.DB.prepare("SELECT status FROM workflow_runs WHERE id = ?").bind(runId).first<{ status: string }>();
    expect(run!.status).toBe("stopped");
  });
});

// Human input inside a loop or iteration body: the run pauses once per round (one form at a time),
// each submission resumes the container's round, the container's progress survives an eviction, a
// nested form's deadline fires through the object's alarm, and a parallel iteration refuses a form.
import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appSession, call, json } from "../helpers/api";
import { readSse, type SseEvent } from "../helpers/sse";
import { fakeServices } from "../helpers/workflow";
import { Engine, type EngineSnapshot } from "../../src/workflow/engine";
import { buildGraph } from "../../src/workflow/graph";
import { nodeDefinition } from "../../src/workflow/nodes";
import type { Json } from "../../src/workflow/segments";
import type { NodeDefinition } from "../../src/workflow/types";
import { VariablePool } from "../../src/workflow/variable-pool";

afterEach(() => vi.restoreAllMocks());

type Node = { id: string; parentId?: string; data: Record<string, unknown> };
type Edge = [string, string, string?];

function app(name: string, nodes: Node[], edges: Edge[]): string {
  // JSON is YAML: the import reads it as any DSL export.
  return JSON.stringify({
    app: { mode: "workflow", name, icon: "🧪", icon_background: "#FFEAD5", icon_type: "emoji" },
    kind: "app",
    version: "0.6.0",
    workflow: {
      conversation_variables: [],
      environment_variables: [],
      features: {},
      graph: {
        nodes: nodes.map((n) => ({ id: n.id, type: "custom", ...(n.parentId ? { parentId: n.parentId } : {}), data: { title: n.id, ...n.data } })),
        edges: edges.map(([source, target, handle]) => ({ id: `${source}-${handle ?? "source"}-${target}`, source, target, sourceHandle: handle ?? "source", targetHandle: "target" })),
      },
    },
  });
}

/** The form node, its "ok" action, one paragraph input "note", expiring after a day. */
function form(parentId: string | undefined, extra: Record<string, unknown>, id = "form"): Node {
  return {
    id,
    ...(parentId ? { parentId } : {}),
    data: {
      type: "human-input",
      title: "Review",
      ...extra,
      delivery_methods: [{ enabled: true, id: "web", type: "webapp" }],
      form_content: "Note: {{#$output.note#}}",
      inputs: [{ type: "paragraph", output_variable_name: "note" }],
      user_actions: [{ id: "ok", title: "OK", button_style: "default" }],
      timeout: 1,
      timeout_unit: "day",
    },
  };
}

/** A loop of `rounds` rounds; each round asks for a note and appends it (or "(timeout)") to loop.notes. */
function loopNodes(parentId: string | undefined, rounds: number): Node[] {
  const inLoop = { isInLoop: true, loop_id: "loop" };
  return [
    {
      id: "loop",
      ...(parentId ? { parentId } : {}),
      data: {
        type: "loop",
        loop_count: rounds,
        break_conditions: [],
        logical_operator: "and",
        loop_variables: [{ label: "notes", var_type: "array[string]", value_type: "constant", value: "[]" }],
        start_node_id: "loopstart",
      },
    },
    { id: "loopstart", parentId: "loop", data: { type: "loop-start", ...inLoop } },
    form("loop", inLoop),
    { id: "keep", parentId: "loop", data: { type: "assigner", ...inLoop, version: "2", items: [{ variable_selector: ["loop", "notes"], operation: "append", input_type: "variable", value: ["form", "note"] }] } },
    { id: "late", parentId: "loop", data: { type: "assigner", ...inLoop, version: "2", items: [{ variable_selector: ["loop", "notes"], operation: "append", input_type: "constant", value: "(timeout)" }] } },
  ];
}
const LOOP_EDGES: Edge[] = [
  ["loopstart", "form"],
  ["form", "keep", "ok"],
  ["form", "late", "__timeout"],
];

const LOOP_APP = app(
  "HITL loop",
  [
    { id: "start", data: { type: "start", variables: [] } },
    ...loopNodes(undefined, 2),
    { id: "end", data: { type: "end", outputs: [{ variable: "notes", value_selector: ["loop", "notes"] }, { variable: "rounds", value_selector: ["loop", "loop_round"] }] } },
  ],
  [["start", "loop"], ...LOOP_EDGES, ["loop", "end"]],
);

/** A top-level form ("gate") in a branch parallel to the two-round loop; the End waits for both. */
const PARALLEL_APP = app(
  "HITL loop beside a form",
  [
    { id: "start", data: { type: "start", variables: [] } },
    ...loopNodes(undefined, 2),
    form(undefined, {}, "gate"),
    { id: "end", data: { type: "end", outputs: [{ variable: "notes", value_selector: ["loop", "notes"] }, { variable: "gate", value_selector: ["gate", "note"] }] } },
  ],
  [["start", "loop"], ["start", "gate"], ...LOOP_EDGES, ["loop", "end"], ["gate", "end", "ok"]],
);

/** An iteration over two items whose body is a one-round loop with the form: a container in a container. */
const NESTED_APP = app(
  "HITL loop in an iteration",
  [
    { id: "start", data: { type: "start", variables: [] } },
    { id: "list", data: { type: "code", code_language: "javascript", code: "function main() { return { items: ['red', 'blue'] }; }", variables: [], outputs: { items: { type: "array[string]" } } } },
    { id: "iter", data: { type: "iteration", iterator_selector: ["list", "items"], output_selector: ["loop", "notes"], is_parallel: false, error_handle_mode: "terminated", start_node_id: "iterstart" } },
    { id: "iterstart", parentId: "iter", data: { type: "iteration-start", isInIteration: true, iteration_id: "iter" } },
    ...loopNodes("iter", 1),
    { id: "end", data: { type: "end", outputs: [{ variable: "notes", value_selector: ["iter", "output"] }] } },
  ],
  [["start", "list"], ["list", "iter"], ["iterstart", "loop"], ...LOOP_EDGES, ["iter", "end"]],
);

/** An iteration over ["red", "blue"]; each item asks for a note, collected as the output. */
function iterationApp(parallel: boolean): string {
  return app(
    parallel ? "HITL parallel iteration" : "HITL iteration",
    [
      { id: "start", data: { type: "start", variables: [] } },
      { id: "list", data: { type: "code", code_language: "javascript", code: "function main() { return { items: ['red', 'blue'] }; }", variables: [], outputs: { items: { type: "array[string]" } } } },
      {
        id: "iter",
        data: { type: "iteration", iterator_selector: ["list", "items"], output_selector: ["form", "note"], is_parallel: parallel, parallel_nums: 2, error_handle_mode: "terminated", start_node_id: "iterstart" },
      },
      { id: "iterstart", parentId: "iter", data: { type: "iteration-start", isInIteration: true, iteration_id: "iter" } },
      { ...form("iter", { isInIteration: true, iteration_id: "iter" }), data: { ...form("iter", {}).data, form_content: "Colour {{#iter.item#}}: {{#$output.note#}}" } },
      { id: "end", data: { type: "end", outputs: [{ variable: "notes", value_selector: ["iter", "output"] }] } },
    ],
    [
      ["start", "list"],
      ["list", "iter"],
      ["iterstart", "form"],
      ["iter", "end"],
    ],
  );
}

const names = (events: SseEvent[]) => events.map((e) => e.data.event as string);
const required = (events: SseEvent[]) => events.filter((e) => e.data.event === "human_input_required").map((e) => e.data.data);

async function start(yaml: string) {
  const session = await appSession(yaml);
  const read = await readSse((await session.get("/api/workflows/run", json({ inputs: {} }))).body!);
  const runId = read.events[0].data.task_id as string;
  let cursor = read.events.at(-1)!.id as number;
  /** Submits a form and reads what the run did until it paused again or finished. */
  const submit = async (token: string, note: string) => {
    const res = await call(`/api/form/human_input/${token}`, json({ inputs: { note }, action: "ok" }));
    expect(res.status, await res.clone().text()).toBe(200);
    return next();
  };
  const next = async () => {
    const more = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${cursor}`)).body!);
    cursor = more.events.at(-1)!.id as number;
    return more.events;
  };
  return { session, runId, first: read.events, submit, next };
}

describe("human input inside a loop", () => {
  it("pauses in each of two rounds, one form at a time; the outputs hold both answers", async () => {
    const run = await start(LOOP_APP);
    expect(names(run.first).slice(-2)).toEqual(["human_input_required", "workflow_paused"]);
    const [first] = required(run.first);
    expect(first).toMatchObject({ node_id: "form", node_title: "Review" });
    const paused = run.first.at(-1)!.data.data;
    expect(paused).toMatchObject({ status: "paused", paused_nodes: ["form"] });
    expect(paused.reasons).toHaveLength(1);
    expect(paused.reasons[0]).toMatchObject({ TYPE: "human_input_required", form_id: first.form_id });
    const formStarted = run.first.find((e) => e.data.event === "node_started" && e.data.data.node_id === "form")!.data.data;
    expect(formStarted).toMatchObject({ loop_id: "loop", iteration_id: null });

    const second = await run.submit(first.form_token, "first note");
    expect(names(second)).toEqual([
      "workflow_started",
      "human_input_form_filled",
      "node_finished", // form, round 0
      "node_started", // keep
      "node_finished",
      "loop_next",
      "node_started", // loopstart, round 1
      "node_finished",
      "node_started", // form, round 1
      "human_input_required",
      "workflow_paused",
    ]);
    // The resumed form finishes under its first execution: no second loop_started or node_started.
    const formFinished = second[2].data.data;
    expect(formFinished).toMatchObject({ id: formStarted.id, index: formStarted.index, node_id: "form", loop_id: "loop", status: "succeeded" });
    const [again] = required(second);
    expect(again.form_token).not.toBe(first.form_token);
    expect(second.at(-1)!.data.data).toMatchObject({ paused_nodes: ["form"] });

    const last = await run.submit(again.form_token, "second note");
    expect(names(last)).not.toContain("loop_started");
    expect(last.filter((e) => e.data.event === "loop_completed")).toHaveLength(1);
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["first note", "second note"], rounds: 2 } });
    // The loop node itself finishes under the execution it started with.
    const loopStarted = run.first.find((e) => e.data.event === "node_started" && e.data.data.node_id === "loop")!.data.data;
    const loopFinished = last.find((e) => e.data.event === "node_finished" && e.data.data.node_id === "loop")!.data.data;
    expect(loopFinished).toMatchObject({ id: loopStarted.id, index: loopStarted.index, status: "succeeded" });
    expect(last.filter((e) => e.data.event === "node_started" && e.data.data.node_id === "loop")).toHaveLength(0);
  });

  it("beside a top-level form: both wait, each submission resumes only its own node", async () => {
    const run = await start(PARALLEL_APP);
    const forms = required(run.first);
    expect(forms.map((f) => f.node_id).sort()).toEqual(["form", "gate"]);
    expect(run.first.at(-1)!.data.data.paused_nodes.sort()).toEqual(["form", "gate"]);
    const byNode = (list: Record<string, any>[], id: string) => list.find((f) => f.node_id === id)!;
    // The loop's first round: the loop pauses again in round two, the gate still waits.
    const second = await run.submit(byNode(forms, "form").form_token, "one");
    expect(required(second).map((f) => f.node_id)).toEqual(["form"]);
    expect(second.at(-1)!.data.data.paused_nodes.sort()).toEqual(["form", "gate"]);
    const third = await run.submit(byNode(forms, "gate").form_token, "let through");
    expect(names(third)).not.toContain("workflow_finished");
    expect(third.at(-1)!.data.data.paused_nodes).toEqual(["form"]);
    const last = await run.submit(required(second)[0].form_token, "two");
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["one", "two"], gate: "let through" } });
  });

  it("inside a loop inside an iteration: pauses per item and collects each item's loop output", async () => {
    const run = await start(NESTED_APP);
    const first = required(run.first)[0];
    const second = await run.submit(first.form_token, "red note");
    const next = required(second)[0];
    expect(next.form_token).not.toBe(first.form_token);
    await abortAllDurableObjects();
    const last = await run.submit(next.form_token, "blue note");
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["red note", "blue note"] } });
  });

  it("continues after an eviction while paused in the second round", async () => {
    const run = await start(LOOP_APP);
    const second = await run.submit(required(run.first)[0].form_token, "before");
    await abortAllDurableObjects();
    const last = await run.submit(required(second)[0].form_token, "after");
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["before", "after"], rounds: 2 } });
  });

  it("a nested form's deadline fires through the alarm and takes its __timeout branch", async () => {
    const run = await start(LOOP_APP);
    const [first] = required(run.first);
    const realNow = Date.now;
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + 86400_000 + 5_000);
    const stub = env.TASKS.get(env.TASKS.idFromName(run.runId));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const second = await run.next();
    expect(names(second)).toContain("human_input_form_timeout");
    expect(names(second).slice(-2)).toEqual(["human_input_required", "workflow_paused"]);
    const row = await env.DB.prepare("SELECT status FROM human_input_forms WHERE id = ?").bind(first.form_id).first<{ status: string }>();
    expect(row!.status).toBe("timeout");
    // The second round's form has a fresh day; the alarm is armed for it.
    vi.restoreAllMocks();
    const last = await run.submit(required(second)[0].form_token, "in time");
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["(timeout)", "in time"], rounds: 2 } });
  });
});

describe("human input inside an iteration", () => {
  it("pauses for each of two items in turn; the output collects both notes in order", async () => {
    const run = await start(iterationApp(false));
    const [first] = required(run.first);
    expect(first.form_content).toBe("Colour red: {{#$output.note#}}");
    const second = await run.submit(first.form_token, "warm");
    expect(names(second)).not.toContain("iteration_started");
    expect(second.filter((e) => e.data.event === "iteration_next").map((e) => e.data.data.index)).toEqual([1]);
    const filled = second.find((e) => e.data.event === "node_finished" && e.data.data.node_id === "form")!.data.data;
    expect(filled).toMatchObject({ iteration_id: "iter", loop_id: null, status: "succeeded" });
    const [again] = required(second);
    expect(again.form_content).toBe("Colour blue: {{#$output.note#}}");
    const last = await run.submit(again.form_token, "cool");
    expect(last.filter((e) => e.data.event === "iteration_completed")).toHaveLength(1);
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["warm", "cool"] } });
  });

  it("continues after an eviction while paused on the first item", async () => {
    const run = await start(iterationApp(false));
    await abortAllDurableObjects();
    const second = await run.submit(required(run.first)[0].form_token, "one");
    await abortAllDurableObjects();
    const last = await run.submit(required(second)[0].form_token, "two");
    expect(last.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { notes: ["one", "two"] } });
  });

  it("a parallel iteration with a form inside fails at once, naming the node", async () => {
    const run = await start(iterationApp(true));
    expect(names(run.first)).not.toContain("human_input_required");
    expect(run.first.at(-1)!.data.data).toMatchObject({
      status: "failed",
      error: 'Human input node "Review" cannot run inside the parallel iteration "iter": turn off parallel mode to pause for a person in each item.',
    });
  });
});

describe("a run cut off while a resumed loop finishes its round", () => {
  // The loop body: form → slow → keep. A stand-in form pauses until resumed (then outputs the note);
  // "slow" stands for a long node during which the object is evicted.
  const graph = buildGraph(
    JSON.parse(
      app(
        "cut off",
        [
          { id: "start", data: { type: "start", variables: [] } },
          ...loopNodes(undefined, 2),
          { id: "slow", parentId: "loop", data: { type: "slow", isInLoop: true, loop_id: "loop" } },
          { id: "end", data: { type: "end", outputs: [{ variable: "notes", value_selector: ["loop", "notes"] }] } },
        ],
        [["start", "loop"], ["loopstart", "form"], ["form", "slow", "ok"], ["slow", "keep"], ["loop", "end"]],
      ),
    ).workflow.graph,
  );
  const standInForm: NodeDefinition = {
    type: "human-input",
    async run(run) {
      const resume = run.resumeData as { inputs?: Json; pause?: Json } | undefined;
      if (!resume?.pause) return { outputs: {}, pause: { asked: true } };
      return { outputs: { note: resume.inputs?.note ?? null }, handle: "ok" };
    },
  };

  function phase(snapshot: EngineSnapshot | undefined, resumeData: Record<string, unknown> | undefined, slow: NodeDefinition["run"]) {
    const checkpoints: EngineSnapshot[] = [];
    const events: string[] = [];
    const stop = new AbortController();
    const engine = new Engine({
      graph,
      container: null,
      rootId: graph.rootId,
      pool: new VariablePool(snapshot ? structuredClone(snapshot.pool) : { sys: {}, env: {}, conversation: {}, [graph.rootId]: {} }),
      services: fakeServices(),
      registry: (type) => (type === "human-input" ? standInForm : type === "slow" ? { type, run: slow } : nodeDefinition(type)),
      signal: stop.signal,
      sink: { event: (name, data) => events.push(`${name}:${data.node_id ?? ""}`), chunk() {}, record() {}, variableUpdated() {} },
      tags: {},
      counters: snapshot ? { ...snapshot.counters } : { steps: 0, index: 0, tokens: 0, exceptions: 0 },
      deadline: Date.now() + 60_000,
      maxSteps: 500,
      maxExecutionSeconds: 60,
      snapshot: snapshot ? structuredClone(snapshot) : undefined,
      checkpoint: (state) => checkpoints.push(structuredClone(state)),
      resumeData,
    });
    return { engine, checkpoints, events, stop };
  }
  const quick: NodeDefinition["run"] = async () => ({ outputs: {} });
  const submitted = (note: string) => ({ form: { kind: "submitted", action: "ok", inputs: { note } } });

  it("resumes the round again from the last checkpoint, then pauses for the next round's form", async () => {
    const first = phase(undefined, undefined, quick);
    expect((await first.engine.run()).status).toBe("paused");
    const paused = first.checkpoints.at(-1)!;

    // Resumed; evicted while "slow" runs: what survives is the last checkpoint taken before it.
    let cut: EngineSnapshot | undefined;
    const second = phase(paused, submitted("kept"), (run) => {
      cut = second.checkpoints.at(-1) ?? paused;
      second.stop.abort();
      expect(run.signal.aborted).toBe(true);
      return Promise.reject(new Error("evicted"));
    });
    await second.engine.run();

    const recovered = phase(cut, undefined, quick);
    const result = await recovered.engine.run();
    expect(result.status).toBe("paused");
    // The answered form finishes again (round one), the round-two form asks anew.
    expect(recovered.events.filter((e) => e === "node_finished:form")).toHaveLength(1);
    expect(recovered.events.filter((e) => e === "node_started:form")).toHaveLength(1);
    expect(recovered.events).not.toContain("node_started:loop");
    expect(recovered.events).not.toContain("loop_started:loop");
    expect(recovered.events.filter((e) => e === "loop_next:loop")).toHaveLength(1);

    const last = phase(recovered.checkpoints.at(-1), submitted("second"), quick);
    const done = await last.engine.run();
    expect(done).toMatchObject({ status: "succeeded", outputs: { notes: ["kept", "second"] } });
  });
});

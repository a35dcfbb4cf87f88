// loop, loop-start and loop-end (spec §3.16): loop variables live at [loop_id, label] in the shared
// pool (inner assigners update them). The break conditions are checked before the first round (errors
// ignored there); each round clears the outputs of the nodes inside, runs the children, then stops
// when a loop-end node ran, the break conditions hold, or loop_count rounds are done. Any failure
// inside fails the loop. Outputs: each loop variable and loop_round. A round that pauses (human input
// inside) pauses the loop with its progress (LoopProgress); resumed, the loop continues that round and
// then the remaining ones — the loop variables are in the shared pool, which the checkpoint keeps.
import { type Condition, evaluateConditions } from "../conditions";
import type { Json } from "../segments";
import { NodeError, type NodeDefinition, type NodeOutcome, type NodeRun } from "../types";
import { asSelector } from "../variable-pool";

const seconds = (ms: number) => Math.round(ms) / 1000;

interface LoopVariable {
  label?: unknown;
  var_type?: unknown;
  value_type?: unknown;
  value?: unknown;
}

function coerce(value: unknown, type: string): unknown {
  if (type === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  if (type === "boolean" && typeof value === "string") return value === "true";
  if ((type === "object" || type.startsWith("array")) && typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** What a paused loop keeps until it is resumed. */
interface LoopProgress {
  /** The round that paused (0-based). */
  round: number;
  steps: number;
  tokens: number;
  started: number;
}

function progressOf(run: NodeRun): LoopProgress | null {
  const pause = (run.resumeData as { pause?: { loop?: LoopProgress } } | undefined)?.pause;
  return pause?.loop ?? null;
}

async function runLoop(run: NodeRun): Promise<NodeOutcome> {
  const { node, pool, scope } = run;
  const resumed = progressOf(run);
  const data = node.data;
  const maxRounds = Math.max(0, Math.min(Number(data.loop_count) || 0, 1000));
  const conditions = Array.isArray(data.break_conditions) ? (data.break_conditions as Condition[]) : [];
  const variables = Array.isArray(data.loop_variables) ? (data.loop_variables as LoopVariable[]) : [];
  const labels: string[] = [];
  for (const v of variables) {
    if (typeof v.label !== "string") continue;
    labels.push(v.label);
    if (resumed) continue;
    let value = v.value;
    if (v.value_type === "variable") {
      const selector = asSelector(v.value);
      value = selector ? (pool.get(selector).value ?? null) : null;
    }
    pool.set(node.id, v.label, coerce(value, String(v.var_type ?? "string")));
  }
  const loopValues = () => Object.fromEntries(labels.map((l) => [l, pool.value([node.id, l]) ?? null]));
  const breaks = () => conditions.length > 0 && evaluateConditions(conditions, data.logical_operator, pool);
  const startNodeId = String(data.start_node_id ?? `${node.id}start`);
  const inside = scope.children();
  const exec = scope.execution();
  const started = resumed?.started ?? Date.now();
  const head = { id: exec.id, node_id: node.id, node_type: node.type, title: node.title };
  if (!resumed) scope.emit("loop_started", { ...head, created_at: exec.createdAt, extras: {}, metadata: { loop_length: maxRounds }, inputs: loopValues(), inputs_truncated: false });
  let rounds = resumed?.round ?? 0;
  let steps = resumed?.steps ?? 0;
  let tokens = resumed?.tokens ?? 0;
  let error: string | null = null;
  let reason = "loop_completed";
  let stopAtOnce = false;
  if (!resumed) {
    try {
      stopAtOnce = breaks();
    } catch {
      // Dify ignores errors of the check before the first round.
    }
  }
  if (stopAtOnce) reason = "loop_break";
  // A resumed loop continues its paused round: its outputs so far stay.
  let continuing = resumed !== null;
  while (!stopAtOnce && rounds < maxRounds && !run.signal.aborted) {
    if (!continuing) for (const id of inside) pool.clear(id);
    continuing = false;
    const result = await scope.run(startNodeId, pool, { loop: { id: node.id, index: rounds } });
    steps += result.steps;
    tokens += result.tokens;
    if (result.status === "paused") {
      const progress: LoopProgress = { round: rounds, steps, tokens, started };
      return { outputs: {}, pause: { loop: progress as unknown as Json } };
    }
    rounds++;
    if (result.status === "failed" || result.status === "stopped") {
      error = result.error ?? "loop round failed";
      break;
    }
    if (result.broke) {
      reason = "loop_break";
      break;
    }
    if (breaks()) {
      reason = "loop_break";
      break;
    }
    if (rounds < maxRounds) scope.emit("loop_next", { ...head, index: rounds, created_at: Math.floor(Date.now() / 1000), extras: {}, pre_loop_output: loopValues() });
  }
  const failed = error !== null || run.signal.aborted;
  const outputs = { ...loopValues(), loop_round: rounds };
  scope.emit("loop_completed", {
    ...head,
    outputs: failed ? null : outputs,
    outputs_truncated: false,
    created_at: exec.createdAt,
    extras: {},
    inputs: loopValues(),
    inputs_truncated: false,
    status: failed ? (run.signal.aborted ? "stopped" : "failed") : "succeeded",
    error,
    elapsed_time: seconds(Date.now() - started),
    total_tokens: tokens,
    execution_metadata: { total_tokens: tokens, completed_reason: reason, loop_round: rounds },
    finished_at: Math.floor(Date.now() / 1000),
    steps,
  });
  if (failed) throw new NodeError(error ?? "stopped", "LoopNodeError");
  return { outputs, inputs: { loop_count: maxRounds } };
}

export const loopNode: NodeDefinition = { type: "loop", run: runLoop };

export const loopStartNode: NodeDefinition = {
  type: "loop-start",
  async run() {
    return { outputs: {} };
  },
};

export const loopEndNode: NodeDefinition = {
  type: "loop-end",
  async run() {
    return { outputs: {} };
  },
};

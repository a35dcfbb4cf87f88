// iteration and iteration-start (spec §3.15): each item of an array runs the container's children in
// a child engine on a deep copy of the pool with [id, "item"] and [id, "index"]; the value at
// output_selector is collected. Parallel mode runs up to parallel_nums items at once (outputs keep
// input order). Error modes: terminated (the node fails), continue-on-error (null in that slot),
// remove-abnormal-output (the slot is dropped). flatten_output concatenates lists of lists.
// A sequential iteration whose item pauses (human input inside) pauses with its progress
// (IterationProgress); resumed, it continues that item on the item's own pool, then the rest. A
// parallel iteration (parallel_nums > 1) cannot pause: with a human-input node inside it fails at once,
// naming the node, before any item runs.
import type { Json } from "../segments";
import { NodeError, type NodeDefinition, type NodeOutcome, type NodeRun } from "../types";
import { asSelector, type VariablePool } from "../variable-pool";

const seconds = (ms: number) => Math.round(ms) / 1000;

/** Conversation variables an item changed, written back to the outer pool. */
function syncConversation(from: VariablePool, to: VariablePool): void {
  for (const [name, value] of Object.entries(from.variablesOf("conversation"))) to.set("conversation", name, value);
}

/** What a paused iteration keeps until it is resumed. */
interface IterationProgress {
  /** The item that paused. */
  index: number;
  /** Items done so far (null: not run yet). */
  slots: ({ ok: boolean; value: unknown } | null)[];
  steps: number;
  tokens: number;
  firstError: string | null;
  started: number;
}

function progressOf(run: NodeRun): IterationProgress | null {
  const pause = (run.resumeData as { pause?: { iteration?: IterationProgress } } | undefined)?.pause;
  return pause?.iteration ?? null;
}

/** A parallel iteration cannot pause for a person: it refuses to start when a form is inside. */
function refuseParallelForms(run: NodeRun): void {
  const form = run.scope.descendants().find((n) => n.type === "human-input");
  if (form) {
    throw new NodeError(
      `Human input node "${form.title || form.id}" cannot run inside the parallel iteration "${run.node.title || run.node.id}": turn off parallel mode to pause for a person in each item.`,
      "IterationNodeError",
    );
  }
}

async function runIteration(run: NodeRun): Promise<NodeOutcome> {
  const { node, pool, scope } = run;
  const resumed = progressOf(run);
  const data = node.data;
  const iterator = asSelector(data.iterator_selector);
  const lookup = iterator ? pool.get(iterator) : { found: false, value: undefined };
  if (!lookup.found) throw new NodeError(`Iterator variable ${(iterator ?? []).join(".")} not found`, "IteratorVariableNotFoundError");
  if (lookup.value === null || lookup.value === undefined || (Array.isArray(lookup.value) && lookup.value.length === 0)) {
    return { outputs: { output: [] }, inputs: { iterator_selector: [] } };
  }
  if (!Array.isArray(lookup.value)) throw new NodeError(`Iterator variable ${iterator!.join(".")} is not an array`, "InvalidIteratorValueError");
  const items = lookup.value as unknown[];
  const startNodeId = String(data.start_node_id ?? `${node.id}start`);
  const outputSelector = asSelector(data.output_selector);
  const mode = String(data.error_handle_mode ?? "terminated");
  const parallel = data.is_parallel === true ? Math.max(1, Math.min(Number(data.parallel_nums) || 10, 100)) : 1;
  if (parallel > 1) refuseParallelForms(run);
  const exec = scope.execution();
  const started = resumed?.started ?? Date.now();
  const head = { id: exec.id, node_id: node.id, node_type: node.type, title: node.title };
  if (!resumed) scope.emit("iteration_started", {
    ...head,
    created_at: exec.createdAt,
    extras: {},
    metadata: { iterator_length: items.length },
    inputs: { iterator_selector: items },
    inputs_truncated: false,
  });
  const slots: { ok: boolean; value: unknown }[] = new Array(items.length);
  resumed?.slots.forEach((slot, i) => {
    if (slot) slots[i] = slot;
  });
  let steps = resumed?.steps ?? 0;
  let tokens = resumed?.tokens ?? 0;
  let firstError: string | null = resumed?.firstError ?? null;
  let pausedAt: number | null = null;
  const runItem = async (index: number) => {
    // The paused item continues on its own pool; a fresh one starts on a copy of the outer pool.
    const continued = resumed !== null && index === resumed.index ? scope.resumedPool() : null;
    if (!continued) scope.emit("iteration_next", { ...head, index, created_at: Math.floor(Date.now() / 1000), extras: {} });
    const itemPool = continued ?? pool.copy();
    if (!continued) {
      itemPool.set(node.id, "item", items[index]);
      itemPool.set(node.id, "index", index);
    }
    const result = await scope.run(startNodeId, itemPool, { iteration: { id: node.id, index } });
    steps += result.steps;
    tokens += result.tokens;
    if (result.status === "paused") {
      pausedAt = index;
    } else if (result.status === "failed" || result.status === "stopped") {
      firstError ??= result.error ?? "iteration item failed";
      slots[index] = { ok: false, value: null };
    } else {
      slots[index] = { ok: true, value: outputSelector ? (itemPool.get(outputSelector).value ?? null) : null };
    }
    syncConversation(itemPool, pool);
  };
  let next = resumed?.index ?? 0;
  const worker = async () => {
    while (next < items.length && pausedAt === null && !run.signal.aborted && !(mode === "terminated" && firstError)) await runItem(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  if (pausedAt !== null) {
    const progress: IterationProgress = { index: pausedAt, slots: Array.from(slots, (slot) => slot ?? null), steps, tokens, firstError, started };
    return { outputs: {}, pause: { iteration: progress as unknown as Json } };
  }
  let output = slots.flatMap((slot) => (slot === undefined ? [] : slot.ok || mode === "continue-on-error" ? [slot.value] : []));
  const failedHard = (mode === "terminated" && firstError !== null) || run.signal.aborted;
  if (!failedHard && data.flatten_output !== false && output.some((v) => Array.isArray(v)) && output.every((v) => v === null || Array.isArray(v))) {
    output = output.flatMap((v) => (Array.isArray(v) ? v : []));
  }
  scope.emit("iteration_completed", {
    ...head,
    outputs: failedHard ? null : { output },
    outputs_truncated: false,
    created_at: exec.createdAt,
    extras: {},
    inputs: { iterator_selector: items },
    inputs_truncated: false,
    status: failedHard ? (run.signal.aborted ? "stopped" : "failed") : "succeeded",
    error: failedHard ? firstError : null,
    elapsed_time: seconds(Date.now() - started),
    total_tokens: tokens,
    execution_metadata: { total_tokens: tokens, iteration_duration_map: null },
    finished_at: Math.floor(Date.now() / 1000),
    steps,
  });
  if (failedHard) throw new NodeError(firstError ?? "stopped", "IterationNodeError");
  return { outputs: { output }, inputs: { iterator_selector: items } };
}

export const iterationNode: NodeDefinition = { type: "iteration", run: runIteration };

export const iterationStartNode: NodeDefinition = {
  type: "iteration-start",
  async run() {
    return { outputs: {} };
  },
};

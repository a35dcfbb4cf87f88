// The graph engine (spec dify-dsl-and-nodes.md §2.5–2.7): edges start unknown and become taken or
// skipped as their sources finish; a node is ready when none of its incoming edges is unknown and at
// least one is taken; a node whose incoming edges are all skipped is skipped, and so are its
// out-edges (recursively). Ready nodes run concurrently. A failed node is retried, given its default
// value, sent down its fail branch, or fails the run (§2.6). Limits: WORKFLOW_MAX_EXECUTION_STEPS node
// runs and WORKFLOW_MAX_EXECUTION_TIME. Containers (iteration, loop) run their children in a child
// engine over the same graph. The top-level engine's state is plain JSON, checkpointed after every
// node, so an interrupted run continues from its last checkpoint (the nodes that were running run again).
// A human-input node inside a container pauses its child engine; the container then pauses too, and
// its pause keeps the child engine's snapshot (`__scope`) next to the container's own progress, so a
// resume addressed to the inner node (by its id) reaches the container, which continues that round.
import { uuid } from "../lib/ids";
import { describeError } from "../lib/log";
import type { Graph, GraphNode } from "./graph";
import { isBranchNode, scopeOf } from "./graph";
import { type EdgeState, type NodeStatus, ResponseCoordinator, type ResponseState } from "./response";
import type { Json } from "./segments";
import type { NodeDefinition, NodeOutcome, NodeRun, NodeServices, ScopeResult } from "./types";
import { NodeError } from "./types";
import { type Selector, VariablePool } from "./variable-pool";

export type RunStatus = "succeeded" | "failed" | "stopped" | "partial-succeeded" | "paused";

export interface Tags {
  iteration?: { id: string; index: number };
  loop?: { id: string; index: number };
}

export interface NodeRecord {
  executionId: string;
  index: number;
  node: GraphNode;
  predecessor: string | null;
  status: NodeStatus;
  inputs: Json | null;
  processData: Json | null;
  outputs: Json | null;
  error: string | null;
  elapsed: number;
  createdAt: number;
  finishedAt: number;
  metadata: Json | null;
}

/** Where the engine's observable effects go (the workflow program builds wire events from them). */
export interface EngineSink {
  event(name: string, data: Json): void;
  chunk(text: string, selector: Selector): void;
  record(record: NodeRecord): void;
  /** A variable outside any node changed (conversation variables are persisted as they change). */
  variableUpdated(selector: Selector, value: unknown): void;
}

export interface Counters {
  steps: number;
  index: number;
  tokens: number;
  exceptions: number;
}

export interface EngineSnapshot {
  edges: Record<string, EdgeState>;
  nodes: Record<string, NodeStatus>;
  predecessors: Record<string, string | null>;
  ready: string[];
  pool: Record<string, Json>;
  response: ResponseState;
  counters: Counters;
  /** End node outputs so far (a workflow's run outputs). */
  outputs: Json;
  error: string | null;
  /** Node ids paused (human input), and what each asked to keep until it is resumed. */
  paused: string[];
  pauses: Record<string, Json>;
  /**
   * Resumption data (by form node id) of paused nodes resumed but not yet finished or paused again:
   * a run cut off while a resumed container finishes its rounds resumes them again on recovery.
   */
  resuming?: Record<string, unknown>;
}

export interface EngineOptions {
  graph: Graph;
  /** Null for the top level, else the container whose children this engine runs. */
  container: string | null;
  rootId: string;
  pool: VariablePool;
  services: NodeServices;
  registry: (type: string) => NodeDefinition | undefined;
  signal: AbortSignal;
  sink: EngineSink;
  tags: Tags;
  counters: Counters;
  /** Epoch ms after which the run fails (WORKFLOW_MAX_EXECUTION_TIME). */
  deadline: number;
  maxSteps: number;
  maxExecutionSeconds: number;
  snapshot?: EngineSnapshot;
  checkpoint?: (snapshot: EngineSnapshot) => void;
  /** Resumption data for a paused node (human input), by node id. */
  resumeData?: Record<string, unknown>;
}

export interface EngineResult {
  status: RunStatus;
  error: string | null;
  outputs: Json;
  broke: boolean;
  paused: string[];
  pauses: Record<string, Json>;
}

const RETRYABLE = new Set(["llm", "code", "http-request", "tool"]);
const now = () => Date.now();
const seconds = (ms: number) => Math.round(ms) / 1000;

export class LimitError extends Error {}

type Pauses = Record<string, Json>;

/** The child engine's snapshot a paused container keeps in its pause, if it is a container's pause. */
function scopeOfPause(pause: Json | undefined): EngineSnapshot | null {
  const scope = pause?.__scope;
  return scope && typeof scope === "object" && !Array.isArray(scope) ? (scope as unknown as EngineSnapshot) : null;
}

/**
 * The forms a run waits on, by the id of the node that asked (human input), found at any depth: a
 * paused container contributes the pauses of its child engine instead of its own.
 */
export function formPauses(pauses: Pauses): Pauses {
  const out: Pauses = {};
  for (const [id, pause] of Object.entries(pauses ?? {})) {
    const scope = scopeOfPause(pause);
    if (scope) Object.assign(out, formPauses(scope.pauses));
    else out[id] = pause;
  }
  return out;
}

export class Engine {
  private readonly scope: Set<string>;
  private readonly edges = new Map<string, EdgeState>();
  private readonly nodes = new Map<string, NodeStatus>();
  private readonly predecessors = new Map<string, string | null>();
  private ready: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly response: ResponseCoordinator;
  private outputs: Json = {};
  private error: string | null = null;
  private failed = false;
  private broke = false;
  private paused: string[] = [];
  private pauses: Record<string, Json> = {};
  private limitError: string | null = null;
  /** Child engines of containers that paused in this invocation, by container id (become `__scope`). */
  private readonly childPauses = new Map<string, EngineSnapshot>();
  /** What resumes paused nodes: this invocation's resumption data over what a checkpoint had in flight. */
  private readonly resumeData: Record<string, unknown> | undefined;
  /** The resumption data in flight, by the id of the resumed node (see EngineSnapshot.resuming). */
  private readonly inFlight = new Map<string, Record<string, unknown>>();
  /** Aborts the nodes still running when the run fails. */
  private readonly halt = new AbortController();
  private readonly nodeSignal: AbortSignal;

  constructor(private readonly options: EngineOptions) {
    const { graph, container, snapshot } = options;
    this.scope = scopeOf(graph, container);
    this.nodeSignal = AbortSignal.any([options.signal, this.halt.signal]);
    const carried = snapshot?.resuming ?? {};
    this.resumeData = options.resumeData || Object.keys(carried).length ? { ...carried, ...options.resumeData } : undefined;
    for (const edge of graph.edges) if (this.scope.has(edge.source) && this.scope.has(edge.target)) this.edges.set(edge.id, "unknown");
    for (const id of this.scope) this.nodes.set(id, "pending");
    if (snapshot) {
      for (const [id, state] of Object.entries(snapshot.edges)) this.edges.set(id, state);
      for (const [id, status] of Object.entries(snapshot.nodes)) this.nodes.set(id, status === "running" ? "pending" : status);
      for (const [id, p] of Object.entries(snapshot.predecessors)) this.predecessors.set(id, p);
      // Nodes that were running when the run was cut off run again.
      const rerun = Object.entries(snapshot.nodes).filter(([, s]) => s === "running").map(([id]) => id);
      this.ready = [...new Set([...snapshot.ready, ...rerun])];
      this.outputs = snapshot.outputs;
      this.error = snapshot.error;
      this.paused = snapshot.paused;
      this.pauses = snapshot.pauses ?? {};
      // Nodes resumed before the run was cut off are resumed again with the same data.
      for (const id of Object.keys(this.pauses)) if (!this.paused.includes(id) && this.resumes(id)) this.inFlight.set(id, this.resumptionOf(id));
    }
    this.response = new ResponseCoordinator(
      {
        edgeState: (id) => this.edges.get(id) ?? "unknown",
        nodeStatus: (id) => this.nodes.get(id) ?? "pending",
        pool: options.pool,
        graph,
        scope: this.scope,
        rootId: options.rootId,
        streams: (node) => options.registry(node.type)?.streams ?? [],
      },
      (text, selector) => options.sink.chunk(text, selector),
      snapshot ? structuredClone(snapshot.response) : undefined,
    );
  }

  snapshot(): EngineSnapshot {
    return {
      edges: Object.fromEntries(this.edges),
      nodes: Object.fromEntries(this.nodes),
      predecessors: Object.fromEntries(this.predecessors),
      ready: [...this.ready],
      pool: this.options.pool.snapshot(),
      response: structuredClone(this.response.state),
      counters: { ...this.options.counters },
      outputs: this.outputs,
      error: this.error,
      paused: [...this.paused],
      pauses: structuredClone(this.pauses),
      resuming: Object.assign({}, ...this.inFlight.values()),
    };
  }

  async run(): Promise<EngineResult> {
    if (!this.options.snapshot) this.ready.push(this.options.rootId);
    // Resumed paused nodes run again with their resumption data.
    const resumed = this.paused.filter((id) => this.resumes(id));
    for (const id of resumed) {
      this.nodes.set(id, "pending");
      this.ready.push(id);
      this.inFlight.set(id, this.resumptionOf(id));
    }
    this.paused = this.paused.filter((id) => !resumed.includes(id));
    // The resumption is durable before anything runs: a cut-off resumed run resumes again.
    if (resumed.length) this.options.checkpoint?.(this.snapshot());
    this.response.advance();
    const overTime = () => {
      this.limitError = `Max execution time ${this.options.maxExecutionSeconds}s reached.`;
    };
    if (now() >= this.options.deadline) overTime();
    const deadlineTimer = setTimeout(overTime, Math.max(0, this.options.deadline - now()));
    try {
      for (;;) {
        if (this.limitError && !this.failed) this.fail(this.limitError);
        while (this.ready.length && !this.halted()) {
          const id = this.ready.shift()!;
          if (this.nodes.get(id) !== "pending") continue;
          if (this.options.counters.steps >= this.options.maxSteps) {
            this.fail(`Max steps ${this.options.maxSteps} reached.`);
            break;
          }
          this.options.counters.steps++;
          this.nodes.set(id, "running");
          const task = this.execute(id).finally(() => this.running.delete(id));
          this.running.set(id, task);
        }
        if (this.running.size === 0) break;
        await Promise.race([...this.running.values(), this.aborted()]);
        if (this.options.signal.aborted && this.running.size) await Promise.allSettled([...this.running.values()]);
      }
    } finally {
      clearTimeout(deadlineTimer);
    }
    return { status: this.status(), error: this.error, outputs: this.outputs, broke: this.broke, paused: this.paused, pauses: this.pauses };
  }

  /** The resume addresses this paused node: itself (human input) or a form inside it (a container). */
  private resumes(id: string): boolean {
    return Object.keys(this.resumptionOf(id)).length > 0;
  }

  /** The resumption data addressed to a paused node, by form node id (its own, or its forms inside). */
  private resumptionOf(id: string): Record<string, unknown> {
    const data = this.resumeData;
    if (!data || !(id in this.pauses)) return {};
    const targets = [id, ...Object.keys(formPauses({ [id]: this.pauses[id] }))];
    return Object.fromEntries(targets.filter((target) => target in data).map((target) => [target, data[target]]));
  }

  private halted(): boolean {
    return this.failed || this.options.signal.aborted || this.broke;
  }

  private aborted(): Promise<void> {
    return new Promise((resolve) => {
      if (this.options.signal.aborted) resolve();
      else this.options.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  private status(): RunStatus {
    if (this.failed) return "failed";
    if (this.options.signal.aborted) return "stopped";
    if (this.paused.length) return "paused";
    if ([...this.nodes.values()].includes("exception")) return "partial-succeeded";
    return "succeeded";
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.error = message;
    this.response.halt();
    this.halt.abort();
  }

  private tags(): Json {
    return { iteration_id: this.options.tags.iteration?.id ?? null, loop_id: this.options.tags.loop?.id ?? null };
  }

  private async execute(id: string): Promise<void> {
    const node = this.options.graph.nodes.get(id)!;
    const definition = this.options.registry(node.type);
    // A paused node that is resumed continues its execution: same id and index, no second node_started.
    const earlier = this.pauses[id]?.__execution as { id: string; index: number; startedAt: number } | undefined;
    const resuming = earlier !== undefined && this.resumes(id);
    const exec = resuming ? earlier : { id: uuid(), index: ++this.options.counters.index, startedAt: now() };
    const predecessor = this.predecessors.get(id) ?? null;
    const base = {
      id: exec.id,
      node_id: node.id,
      node_type: node.type,
      title: node.title,
      index: exec.index,
      predecessor_node_id: predecessor,
    };
    if (!resuming) this.options.sink.event("node_started", {
      ...base,
      inputs: null,
      inputs_truncated: false,
      created_at: Math.floor(exec.startedAt / 1000),
      extras: {},
      ...this.tags(),
      agent_strategy: null,
    });
    const retry = node.data.retry_config as { retry_enabled?: unknown; max_retries?: unknown; retry_interval?: unknown } | undefined;
    const maxRetries = RETRYABLE.has(node.type) && retry?.retry_enabled === true ? Math.max(0, Math.min(10, Number(retry.max_retries) || 0)) : 0;
    const interval = Math.max(0, Math.min(5000, Number(retry?.retry_interval) || 0));
    let outcome: NodeOutcome | null = null;
    let failure: NodeError | null = null;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!definition) throw new NodeError(`Node type "${node.type}" (${node.title || node.id}) cannot run on this server.`, "NodeTypeNotSupported");
        outcome = await definition.run(this.nodeRun(node, exec));
        failure = null;
        break;
      } catch (err) {
        failure = err instanceof NodeError ? err : new NodeError(describeError(err).replace(/^Error: /, ""), err instanceof Error ? err.name : "Error");
        if (this.nodeSignal.aborted || attempt >= maxRetries) break;
        this.options.sink.event("node_retry", {
          ...base,
          inputs: null,
          process_data: null,
          outputs: failure.outputs,
          status: "retry",
          error: failure.message,
          elapsed_time: seconds(now() - exec.startedAt),
          execution_metadata: null,
          created_at: Math.floor(exec.startedAt / 1000),
          finished_at: Math.floor(now() / 1000),
          files: [],
          ...this.tags(),
          retry_index: attempt + 1,
        });
        await new Promise((r) => setTimeout(r, interval));
      }
    }
    let status: NodeStatus;
    let handle = outcome?.handle ?? "source";
    let outputs: Json | null = outcome?.outputs ?? null;
    let error: string | null = null;
    if (outcome?.pause !== undefined && !failure) {
      status = "paused";
      this.paused.push(id);
      const scope = this.childPauses.get(id);
      this.pauses[id] = { ...outcome.pause, __execution: exec, ...(scope ? { __scope: scope as unknown as Json } : {}) };
    } else if (!failure) {
      status = "succeeded";
    } else if (this.nodeSignal.aborted) {
      status = "stopped";
      error = failure.message;
    } else {
      error = failure.message;
      const strategy = node.data.error_strategy;
      if (strategy === "default-value" || strategy === "fail-branch") {
        status = "exception";
        this.options.counters.exceptions++;
        outputs = {
          ...(strategy === "default-value" ? defaultValues(node.data.default_value) : {}),
          error_message: failure.message,
          error_type: failure.errorType,
        };
        handle = strategy === "fail-branch" ? "fail-branch" : "source";
      } else {
        status = "failed";
        outputs = failure.outputs;
        this.fail(failure.message);
      }
    }
    if (this.nodeSignal.aborted) this.response.halt();
    if (outputs && status !== "paused") this.options.pool.setAll(id, outputs);
    if (status === "succeeded" || status === "exception") {
      for (const update of outcome?.updates ?? []) {
        const [nodeId, name] = update.selector;
        this.options.pool.set(nodeId, name, update.value);
        this.options.sink.variableUpdated(update.selector, update.value);
      }
      if (node.type === "end") Object.assign(this.outputs, outputs ?? {});
      if (node.type === "loop-end") this.broke = true;
      if (outcome?.usage) this.options.counters.tokens += outcome.usage.totalTokens;
    }
    if (status !== "paused") delete this.pauses[id];
    this.childPauses.delete(id);
    this.inFlight.delete(id);
    const finishedAt = now();
    this.nodes.set(id, status);
    for (const output of definition?.streams ?? []) this.response.endStream([id, output]);
    if (status === "paused") {
      this.options.checkpoint?.(this.snapshot());
      return;
    }
    this.options.sink.event("node_finished", {
      ...base,
      inputs: null,
      inputs_truncated: false,
      process_data: null,
      process_data_truncated: false,
      outputs: null,
      outputs_truncated: false,
      status,
      error: null,
      elapsed_time: seconds(finishedAt - exec.startedAt),
      execution_metadata: null,
      created_at: Math.floor(exec.startedAt / 1000),
      finished_at: Math.floor(finishedAt / 1000),
      files: [],
      ...this.tags(),
    });
    this.options.sink.record({
      executionId: exec.id,
      index: exec.index,
      node,
      predecessor,
      status,
      inputs: outcome?.inputs ?? null,
      processData: outcome?.processData ?? null,
      outputs,
      error,
      elapsed: seconds(finishedAt - exec.startedAt),
      createdAt: Math.floor(exec.startedAt / 1000),
      finishedAt: Math.floor(finishedAt / 1000),
      metadata: outcome?.usage ? { total_tokens: outcome.usage.totalTokens, total_price: outcome.usage.totalPrice, currency: outcome.usage.currency } : null,
    });
    if (status === "succeeded" || status === "exception") this.route(node, handle);
    this.response.advance();
    this.options.checkpoint?.(this.snapshot());
  }

  private nodeRun(node: GraphNode, exec: { id: string; index: number; startedAt: number }): NodeRun {
    const engine = this;
    const resuming = this.resumes(node.id);
    // A resumed container's paused round: continued by its next scope.run, once.
    let pendingRound = resuming ? scopeOfPause(this.pauses[node.id]) : null;
    return {
      node,
      pool: this.options.pool,
      services: this.options.services,
      signal: this.nodeSignal,
      resumeData: resuming ? { ...((this.resumeData![node.id] as Json | undefined) ?? {}), pause: this.pauses[node.id] } : undefined,
      stream: (output, chunk) => this.response.chunk([node.id, output], chunk),
      emit: (event, data) => this.options.sink.event(event, data),
      scope: {
        async run(startNodeId, pool, tags): Promise<ScopeResult> {
          const before = { ...engine.options.counters };
          const round = pendingRound;
          pendingRound = null;
          const child = new Engine({
            ...engine.options,
            container: node.id,
            rootId: startNodeId,
            pool,
            signal: engine.nodeSignal,
            tags: { ...engine.options.tags, ...tags },
            snapshot: round ?? undefined,
            checkpoint: undefined,
            resumeData: round ? engine.resumeData : undefined,
          });
          const result = await child.run();
          // The container pauses with this round's state, kept as its pause's __scope.
          if (result.status === "paused") engine.childPauses.set(node.id, child.snapshot());
          return {
            status: result.status,
            error: result.error,
            broke: result.broke,
            steps: engine.options.counters.steps - before.steps,
            tokens: engine.options.counters.tokens - before.tokens,
          };
        },
        emit: (event, data) => this.options.sink.event(event, { ...data, ...this.tags() }),
        execution: () => ({ id: exec.id, index: exec.index, createdAt: Math.floor(exec.startedAt / 1000) }),
        children: () => [...scopeOf(this.options.graph, node.id)],
        descendants: () => descendantsOf(this.options.graph, node.id),
        resumedPool: () => (pendingRound ? new VariablePool(pendingRound.pool) : null),
      },
    };
  }

  /** Marks a finished node's out-edges taken (its handle) or skipped, propagates skips, queues ready nodes. */
  private route(node: GraphNode, handle: string): void {
    const branch = isBranchNode(node);
    for (const edge of this.options.graph.outgoing.get(node.id) ?? []) {
      if (!this.edges.has(edge.id)) continue;
      const taken = branch ? edge.handle === handle : edge.handle !== "fail-branch" || handle === "fail-branch";
      this.setEdge(edge.id, taken ? "taken" : "skipped");
    }
  }

  private setEdge(edgeId: string, state: EdgeState): void {
    this.edges.set(edgeId, state);
    const edge = this.options.graph.edges.find((e) => e.id === edgeId)!;
    const target = edge.target;
    if (this.nodes.get(target) !== "pending") return;
    const incoming = (this.options.graph.incoming.get(target) ?? []).filter((e) => this.edges.has(e.id));
    const states = incoming.map((e) => this.edges.get(e.id));
    if (states.includes("unknown")) return;
    if (states.includes("taken")) {
      this.predecessors.set(target, incoming.find((e) => this.edges.get(e.id) === "taken")!.source);
      if (!this.ready.includes(target)) this.ready.push(target);
      return;
    }
    // Every way in was skipped: so is the node, and everything only it leads to.
    this.nodes.set(target, "skipped");
    for (const out of this.options.graph.outgoing.get(target) ?? []) if (this.edges.has(out.id)) this.setEdge(out.id, "skipped");
  }
}

/** Every node inside a container, at any depth. */
function descendantsOf(graph: Graph, container: string): GraphNode[] {
  return [...scopeOf(graph, container)].flatMap((id) => [graph.nodes.get(id)!, ...descendantsOf(graph, id)]);
}

/** A node's default_value entries as outputs; string values of non-string types are JSON (spec §2.1). */
export function defaultValues(raw: unknown): Json {
  const out: Json = {};
  for (const entry of Array.isArray(raw) ? (raw as { key?: unknown; type?: unknown; value?: unknown }[]) : []) {
    if (typeof entry.key !== "string") continue;
    let value = entry.value;
    if (typeof value === "string" && entry.type !== "string") {
      try {
        value = JSON.parse(value);
      } catch {
        // keep the text
      }
    }
    out[entry.key] = value;
  }
  return out;
}

// The Answer/End streaming order (spec dify-dsl-and-nodes.md §2.7). Each response node has a
// template: an Answer its `answer` split into text and variables, an End its outputs joined by "\n".
// A response node becomes active when it is deterministically reachable — some path from the root
// whose every edge leaving a branch node, a container, another response node or a node that writes a
// variable it prints is taken. One node streams at a time, the others wait in the order they became
// reachable. The active node prints literal text at once, skips variables of skipped nodes, forwards
// a streaming output's chunks as they come (buffered ones first), and otherwise waits for the value.
import type { Graph, GraphEdge, GraphNode } from "./graph";
import { isBranchNode, isContainer, isResponseNode } from "./graph";
import { toMarkdown } from "./segments";
import { parseTemplate, type TemplatePart } from "./template";
import type { Selector, VariablePool } from "./variable-pool";

export type EdgeState = "unknown" | "taken" | "skipped";
export type NodeStatus = "pending" | "running" | "succeeded" | "failed" | "exception" | "skipped" | "stopped" | "paused";

const SPECIAL = new Set(["sys", "env", "conversation"]);

export interface ResponseState {
  queue: string[];
  active: { nodeId: string; part: number; offset: number } | null;
  done: string[];
  /** Streamed text of outputs (key "node.output"), and whether the stream ended. */
  buffers: Record<string, { text: string; ended: boolean }>;
}

export interface ResponseView {
  edgeState(id: string): EdgeState;
  nodeStatus(id: string): NodeStatus;
  pool: VariablePool;
  graph: Graph;
  scope: Set<string>;
  rootId: string;
  /** Outputs a node streams (from its definition). */
  streams(node: GraphNode): string[];
}

const key = (selector: Selector) => selector.slice(0, 2).join(".");

export function responseParts(node: GraphNode): TemplatePart[] {
  if (node.type === "answer") return parseTemplate(typeof node.data.answer === "string" ? node.data.answer : "");
  const outputs = Array.isArray(node.data.outputs) ? (node.data.outputs as { value_selector?: unknown }[]) : [];
  const parts: TemplatePart[] = [];
  outputs.forEach((output, i) => {
    if (i > 0) parts.push({ kind: "text", text: "\n" });
    if (Array.isArray(output.value_selector) && output.value_selector.length >= 2) parts.push({ kind: "variable", selector: output.value_selector.map(String) });
  });
  return parts;
}

/** Variables an assigner writes (their selectors' first two parts). */
function writtenVariables(node: GraphNode): string[] {
  if (node.type !== "assigner") return [];
  const selectors: unknown[] = [node.data.assigned_variable_selector];
  if (Array.isArray(node.data.items)) for (const item of node.data.items as { variable_selector?: unknown }[]) selectors.push(item.variable_selector);
  return selectors.filter((s): s is string[] => Array.isArray(s) && s.length >= 2).map((s) => key(s));
}

export class ResponseCoordinator {
  readonly state: ResponseState;
  private readonly parts = new Map<string, TemplatePart[]>();
  private readonly printed = new Map<string, Set<string>>();

  constructor(
    private readonly view: ResponseView,
    /** Sends a chunk: text and the selector it came from. */
    private readonly emit: (text: string, selector: Selector, responseNodeId: string) => void,
    state?: ResponseState,
  ) {
    this.state = state ?? { queue: [], active: null, done: [], buffers: {} };
    for (const id of view.scope) {
      const node = view.graph.nodes.get(id)!;
      if (!isResponseNode(node)) continue;
      const parts = responseParts(node);
      this.parts.set(id, parts);
      this.printed.set(id, new Set(parts.flatMap((p) => (p.kind === "variable" ? [key(p.selector)] : []))));
    }
  }

  /** A streaming output's chunk (buffered until its response node prints it). */
  chunk(selector: Selector, text: string): void {
    const buffer = (this.state.buffers[key(selector)] ??= { text: "", ended: false });
    buffer.text += text;
    this.advance();
  }

  endStream(selector: Selector): void {
    const buffer = (this.state.buffers[key(selector)] ??= { text: "", ended: false });
    buffer.ended = true;
  }

  private halted = false;

  /** The run failed or was stopped: nothing more is printed. */
  halt(): void {
    this.halted = true;
  }

  /** Something changed (an edge, a node's status, the pool): find newly reachable nodes and print what can be printed. */
  advance(): void {
    if (this.halted) return;
    for (const [id] of this.parts) {
      if (this.state.done.includes(id) || this.state.queue.includes(id) || this.state.active?.nodeId === id) continue;
      if (this.reachable(id)) this.state.queue.push(id);
    }
    for (;;) {
      if (!this.state.active) {
        const next = this.state.queue.shift();
        if (!next) return;
        this.state.active = { nodeId: next, part: 0, offset: 0 };
      }
      if (!this.walk()) return;
      this.state.done.push(this.state.active.nodeId);
      this.state.active = null;
    }
  }

  /** Prints what the active node can print now; true when its template is done. */
  private walk(): boolean {
    const active = this.state.active!;
    const parts = this.parts.get(active.nodeId)!;
    while (active.part < parts.length) {
      const part = parts[active.part];
      if (part.kind === "text") {
        if (part.text) this.emit(part.text, [active.nodeId, "answer"], active.nodeId);
        active.part++;
        continue;
      }
      const [source] = part.selector;
      // sys/env/conversation, and the container a scope runs in (loop variables, the iteration item).
      if (SPECIAL.has(source) || !this.view.scope.has(source)) {
        this.printValue(part.selector, active.nodeId);
        active.part++;
        continue;
      }
      const status = this.view.nodeStatus(source);
      const sourceNode = this.view.graph.nodes.get(source);
      // Nothing to print from a node that was skipped, failed or stopped.
      if (!sourceNode || status === "skipped" || status === "failed" || status === "stopped") {
        active.part++;
        continue;
      }
      const buffer = this.state.buffers[key(part.selector)];
      const streams = this.view.streams(sourceNode).includes(part.selector[1]) && part.selector.length === 2;
      if (streams && buffer) {
        if (buffer.text.length > active.offset) {
          this.emit(buffer.text.slice(active.offset), part.selector, active.nodeId);
          active.offset = buffer.text.length;
        }
        if (!buffer.ended) return false;
        active.part++;
        active.offset = 0;
        continue;
      }
      if (status !== "succeeded" && status !== "exception") return false;
      this.printValue(part.selector, active.nodeId);
      active.part++;
    }
    return true;
  }

  private printValue(selector: Selector, responseNodeId: string): void {
    const lookup = this.view.pool.get(selector);
    const text = lookup.found ? toMarkdown(lookup.value) : selector.join(".");
    if (text) this.emit(text, selector, responseNodeId);
  }

  /** Some path from the root reaches `target` over edges that are not skipped, and taken where they block. */
  private reachable(target: string): boolean {
    const printed = this.printed.get(target)!;
    const blocking = (edge: GraphEdge): boolean => {
      const source = this.view.graph.nodes.get(edge.source)!;
      if (edge.handle !== "source") return true;
      if (isBranchNode(source) || isContainer(source)) return true;
      if (isResponseNode(source) && source.id !== target) return true;
      return writtenVariables(source).some((v) => printed.has(v));
    };
    const seen = new Set<string>();
    const stack = [this.view.rootId];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === target) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const edge of this.view.graph.outgoing.get(id) ?? []) {
        if (!this.view.scope.has(edge.target)) continue;
        const state = this.view.edgeState(edge.id);
        if (state === "skipped" || (state !== "taken" && blocking(edge))) continue;
        stack.push(edge.target);
      }
    }
    return false;
  }
}

// A workflow graph built from the DSL's React-Flow export (spec dify-dsl-and-nodes.md §2.1, §2.2,
// §2.5): notes dropped, edges indexed by source and target with their handles, the children of each
// iteration/loop container, the root (the Start node) and which nodes choose a branch.
import { isObject } from "../lib/json";
import type { Json } from "./segments";

export interface GraphNode {
  id: string;
  type: string;
  title: string;
  data: Json;
  /** The iteration/loop this node runs inside, or null at the top level. */
  parent: string | null;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** The source handle: "source", an if-else case id, a class id, an action id, "fail-branch", … */
  handle: string;
}

export interface Graph {
  nodes: Map<string, GraphNode>;
  edges: GraphEdge[];
  outgoing: Map<string, GraphEdge[]>;
  incoming: Map<string, GraphEdge[]>;
  rootId: string;
}

const ROOT_TYPES = new Set(["start", "datasource", "trigger-webhook", "trigger-schedule", "trigger-plugin"]);
const BRANCH_TYPES = new Set(["if-else", "question-classifier", "human-input"]);

export class GraphError extends Error {}

export function isBranchNode(node: GraphNode): boolean {
  return BRANCH_TYPES.has(node.type) || node.data.error_strategy === "fail-branch";
}

export function isContainer(node: GraphNode): boolean {
  return node.type === "iteration" || node.type === "loop";
}

export function isResponseNode(node: GraphNode): boolean {
  return node.type === "answer" || node.type === "end";
}

export function buildGraph(raw: unknown): Graph {
  if (!isObject(raw) || !Array.isArray(raw.nodes)) throw new GraphError("workflow.graph.nodes must be a list");
  const nodes = new Map<string, GraphNode>();
  for (const item of raw.nodes) {
    if (!isObject(item) || !isObject(item.data)) continue;
    const data = item.data as Json;
    // Sticky notes have no data.type (React-Flow type custom-note).
    if (item.type === "custom-note" || typeof data.type !== "string" || !data.type) continue;
    const id = String(item.id ?? "");
    if (!id) continue;
    const parent =
      typeof item.parentId === "string" && item.parentId
        ? item.parentId
        : typeof data.iteration_id === "string" && data.isInIteration
          ? data.iteration_id
          : typeof data.loop_id === "string" && data.isInLoop
            ? data.loop_id
            : null;
    nodes.set(id, { id, type: data.type, title: typeof data.title === "string" ? data.title : "", data, parent });
  }
  const edges: GraphEdge[] = [];
  const outgoing = new Map<string, GraphEdge[]>();
  const incoming = new Map<string, GraphEdge[]>();
  const seen = new Set<string>();
  for (const item of Array.isArray(raw.edges) ? raw.edges : []) {
    if (!isObject(item)) continue;
    const { source, target } = item;
    const handle = item.sourceHandle === undefined || item.sourceHandle === null ? "source" : item.sourceHandle;
    if (typeof source !== "string" || typeof target !== "string" || typeof handle !== "string") continue;
    if (!nodes.has(source) || !nodes.has(target)) continue;
    const id = `${source}-${handle}-${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const edge = { id, source, target, handle };
    edges.push(edge);
    outgoing.set(source, [...(outgoing.get(source) ?? []), edge]);
    incoming.set(target, [...(incoming.get(target) ?? []), edge]);
  }
  const root = [...nodes.values()].find((n) => n.parent === null && ROOT_TYPES.has(n.type));
  if (!root) throw new GraphError("the workflow has no start node");
  return { nodes, edges, outgoing, incoming, rootId: root.id };
}

/** The nodes one engine runs: the top level, or the children of one container. */
export function scopeOf(graph: Graph, container: string | null): Set<string> {
  return new Set([...graph.nodes.values()].filter((n) => n.parent === container).map((n) => n.id));
}

// Structural checks of a workflow graph (spec dify-dsl-and-nodes.md §2, §3): one start node, edges
// between existing nodes, known node types, nothing this server will never run, and each node's own
// configuration check from the engine's node table (workflow/nodes/index.ts).
import { type Findings } from "./findings";
import { isObject } from "../lib/json";
import type { AppMode } from "./parse";
import { nodeDefinition } from "../workflow/nodes";

export const NODE_TYPES = new Set([
  "start", "end", "answer", "llm", "knowledge-retrieval", "template-transform", "if-else", "code", "http-request",
  "variable-aggregator", "variable-assigner", "assigner", "parameter-extractor", "question-classifier", "iteration",
  "iteration-start", "loop", "loop-start", "loop-end", "list-operator", "document-extractor", "tool", "agent",
  "human-input", "datasource", "knowledge-index", "trigger-webhook", "trigger-schedule", "trigger-plugin",
]);

/** Node types that need Dify services this server does not have (datasets, plugins, triggers). */
const NEVER_RUN: Record<string, string> = {
  "knowledge-retrieval": "knowledge retrieval node",
  datasource: "datasource node",
  "knowledge-index": "knowledge index node",
  agent: "agent node (plugin agent strategies)",
  "trigger-webhook": "trigger node",
  "trigger-schedule": "trigger node",
  "trigger-plugin": "trigger node",
};

const LLM_BACKED = new Set(["llm", "question-classifier", "parameter-extractor"]);
const ACTION_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Json = Record<string, unknown>;

function label(id: string, data: Json): string {
  const title = typeof data.title === "string" && data.title ? data.title : id;
  return `"${title}" (${id})`;
}

function checkNode(id: string, data: Json, findings: Findings): void {
  const type = String(data.type);
  const where = `${type} node ${label(id, data)}`;
  if (!NODE_TYPES.has(type)) {
    findings.error(`node ${label(id, data)} has unknown type "${type}"`);
    return;
  }
  if (NEVER_RUN[type]) findings.error(`${NEVER_RUN[type]} ${label(id, data)} is not supported`);
  if (LLM_BACKED.has(type)) {
    const provider = (data.model as Json | undefined)?.provider;
    if (typeof provider === "string" && provider) findings.modelProviders.add(provider);
    else findings.error(`${where} has no model provider`);
  }
  if (type === "code" && String(data.code_language ?? "python3") === "python3") {
    findings.warn(`${where} runs python3 code, which needs a code sandbox endpoint (CODE_EXECUTION_ENDPOINT)`);
  }
  const definition = nodeDefinition(type);
  if (!definition && !NEVER_RUN[type]) {
    findings.warn(`${where} cannot run on this server yet; a run fails when it reaches that node`);
  }
  const problem = definition?.check?.(data);
  if (problem) findings.error(`${where}: ${problem}`);
  if (type === "human-input") {
    const actions = Array.isArray(data.user_actions) ? data.user_actions : [];
    const seen = new Set<string>();
    for (const action of actions) {
      const actionId = isObject(action) ? action.id : undefined;
      if (typeof actionId !== "string" || !ACTION_ID.test(actionId)) findings.error(`${where} has an invalid user action id ${JSON.stringify(actionId)}`);
      else if (seen.has(actionId)) findings.error(`${where} repeats user action id "${actionId}"`);
      else seen.add(actionId);
    }
  }
}

export function checkGraph(graph: Json, mode: AppMode, findings: Findings): void {
  if (!Array.isArray(graph.nodes)) {
    findings.error("workflow.graph.nodes must be a list");
    return;
  }
  const ids = new Set<string>();
  const parents: [string, string][] = [];
  let starts = 0;
  for (const node of graph.nodes) {
    if (!isObject(node)) {
      findings.error("workflow.graph.nodes contains an entry that is not a node");
      continue;
    }
    const data = isObject(node.data) ? node.data : {};
    // Sticky notes (custom-note) have an empty data.type and are layout only.
    if (node.type === "custom-note" || !data.type) continue;
    if (node.id === undefined || node.id === null || node.id === "") {
      findings.error(`a ${String(data.type)} node has no id`);
      continue;
    }
    const id = String(node.id);
    if (ids.has(id)) findings.error(`node id "${id}" is used twice`);
    ids.add(id);
    if (data.type === "start") starts++;
    if (node.parentId !== undefined && node.parentId !== null) parents.push([id, String(node.parentId)]);
    checkNode(id, data, findings);
  }
  if (starts === 0) findings.error("the workflow has no start node");
  if (starts > 1) findings.error(`the workflow has ${starts} start nodes; exactly one is allowed`);
  for (const [child, parent] of parents) {
    if (!ids.has(parent)) findings.error(`node "${child}" belongs to container "${parent}", which does not exist`);
  }
  const edges = graph.edges === undefined ? [] : graph.edges;
  if (!Array.isArray(edges)) {
    findings.error("workflow.graph.edges must be a list");
    return;
  }
  for (const edge of edges) {
    if (!isObject(edge)) continue;
    const name = edge.id === undefined ? `${String(edge.source)}->${String(edge.target)}` : String(edge.id);
    for (const end of ["source", "target"] as const) {
      const nodeId = edge[end];
      if (nodeId === undefined || nodeId === null || !ids.has(String(nodeId))) {
        findings.error(`edge ${name}: ${end} node ${JSON.stringify(nodeId ?? null)} does not exist`);
      }
    }
  }
  if (mode === "workflow" && graph.nodes.some((n) => isObject(n) && isObject(n.data) && n.data.type === "answer")) {
    findings.warn("answer nodes only stream in chatflows (advanced-chat); a workflow app reports End node outputs");
  }
}

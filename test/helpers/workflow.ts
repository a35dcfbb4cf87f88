// Runs workflow graphs and single nodes on an in-memory run: real engine, real nodes, fake services
// (a scripted model, an in-memory file store, a fetch that must be stubbed by the test).
import { parse } from "yaml";
import { type EngineResult, Engine, type NodeRecord } from "../../src/workflow/engine";
import { buildGraph, type Graph, type GraphNode } from "../../src/workflow/graph";
import { nodeDefinition } from "../../src/workflow/nodes";
import type { FileValue, Json } from "../../src/workflow/segments";
import type { NodeDefinition, NodeOutcome, NodeRun, NodeServices, WorkflowSettings } from "../../src/workflow/types";
import { type Selector, VariablePool } from "../../src/workflow/variable-pool";
import type { LlmProvider, StreamChunk } from "../../src/llm/types";
import { env } from "cloudflare:workers";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { resolveTool } from "../../src/tools/registry";
import { SECRET_KEY } from "./api";

/** Dify's defaults, exactly as config.ts reads them from an env without workflow settings. */
export const SETTINGS: WorkflowSettings = getConfig({ SECRET_KEY: "test" } as never).workflow;

/** A model that answers each call with the next scripted reply (or a default), word by word. */
export function scriptedModel(replies: (string | ((messages: unknown[]) => string))[] = [], fallback = "model reply") {
  const calls: { model: string; messages: any[]; params: any }[] = [];
  const llm: LlmProvider = {
    async *stream(request): AsyncGenerator<StreamChunk> {
      calls.push({ model: request.model, messages: request.messages, params: request.params });
      const next = replies.shift() ?? fallback;
      const text = typeof next === "function" ? next(request.messages) : next;
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
        if (request.signal.aborted) return;
        yield { type: "delta", text: piece };
      }
      yield { type: "usage", usage: { promptTokens: 10, completionTokens: 5 } };
    },
  };
  return { llm, calls };
}

export function fakeServices(overrides: Partial<NodeServices> = {}, model = scriptedModel()): NodeServices {
  const files = new Map<string, Uint8Array>();
  const services: NodeServices = {
    env,
    settings: SETTINGS,
    appId: "app-1",
    tenantId: "tenant-1",
    userId: "user-session",
    endUserId: "end-user-1",
    conversationId: null,
    provider: async (name) => ({ resolved: { name, type: "openai-compatible", baseUrl: "https://fake", apiKey: null, config: {} }, llm: model.llm }),
    history: async () => [],
    fetch: async () => {
      throw new Error("fetch is not stubbed in this test");
    },
    runId: "run-1",
    webBaseUrl: "http://api.test",
    write: async () => {},
    mail: async () => {},
    readFile: async (file: FileValue) => files.get(file.related_id ?? "") ?? new Uint8Array(),
    saveFile: async (bytes, name, mimeType) => {
      const id = crypto.randomUUID();
      files.set(id, bytes);
      const extension = name.includes(".") ? `.${name.split(".").pop()}` : "";
      return { dify_model_identity: "__dify__file__", id: null, tenant_id: "tenant-1", type: "custom", transfer_method: "tool_file", remote_url: null, related_id: id, filename: name, extension, mime_type: mimeType, size: bytes.length, url: `https://files.test/${id}` };
    },
    // The real registry over the test's D1, reaching MCP servers through this run's fetch.
    tool: (ref, signal) => resolveTool(getDb(env.DB), SECRET_KEY, ref, { fetch: (url, init) => services.fetch(url, init), signal, settings: SETTINGS.tools }),
    ...overrides,
  };
  return services;
}

/** Runs one node of `type` with `data` on a pool built from `values` ({nodeId: {name: value}}). */
export async function runNode(
  type: string,
  data: Json,
  values: Record<string, Json> = {},
  services = fakeServices(),
  resumeData?: unknown,
): Promise<NodeOutcome & { streamed: Record<string, string>; events: { event: string; data: Json }[] }> {
  const definition = nodeDefinition(type);
  if (!definition) throw new Error(`no node ${type}`);
  const node: GraphNode = { id: "node", type, title: String(data.title ?? type), data: { type, ...data }, parent: null };
  const streamed: Record<string, string> = {};
  const events: { event: string; data: Json }[] = [];
  const run: NodeRun = {
    node,
    pool: new VariablePool(structuredClone(values)),
    services,
    signal: new AbortController().signal,
    stream: (output, chunk) => (streamed[output] = (streamed[output] ?? "") + chunk),
    emit: (event, data) => events.push({ event, data }),
    resumeData,
    scope: {
      run: async () => {
        throw new Error("no scope in a single-node run");
      },
      emit: () => {},
      execution: () => ({ id: "exec", index: 1, createdAt: 0 }),
      children: () => [],
      descendants: () => [],
      resumedPool: () => null,
    },
  };
  return { ...(await definition.run(run)), streamed, events };
}

export interface GraphRun extends EngineResult {
  events: { event: string; data: Json }[];
  chunks: { text: string; selector: Selector }[];
  text: string;
  records: NodeRecord[];
  pool: VariablePool;
  updates: { selector: Selector; value: unknown }[];
}

/** Runs a DSL's graph (YAML text or graph JSON) with start inputs and system variables. */
export async function runGraph(
  source: string | Json,
  options: {
    inputs?: Json;
    sys?: Json;
    conversation?: Json;
    env?: Json;
    services?: NodeServices;
    signal?: AbortSignal;
    maxSteps?: number;
    deadlineMs?: number;
    /** Node definitions that replace the registry's for this run (test doubles of other nodes). */
    nodes?: Record<string, NodeDefinition>;
  } = {},
): Promise<GraphRun> {
  const doc = typeof source === "string" ? (parse(source) as Json) : source;
  const workflow = (doc.workflow ?? doc) as Json;
  const graph: Graph = buildGraph(workflow.graph ?? workflow);
  const conversation: Json = { ...Object.fromEntries(((workflow.conversation_variables as Json[] | undefined) ?? []).map((v) => [v.name, v.value])), ...options.conversation };
  const pool = new VariablePool({ sys: { ...options.sys }, env: { ...options.env }, conversation, [graph.rootId]: { ...options.inputs } });
  const events: GraphRun["events"] = [];
  const chunks: GraphRun["chunks"] = [];
  const records: NodeRecord[] = [];
  const updates: GraphRun["updates"] = [];
  const engine = new Engine({
    graph,
    container: null,
    rootId: graph.rootId,
    pool,
    services: options.services ?? fakeServices(),
    registry: (type) => options.nodes?.[type] ?? nodeDefinition(type),
    signal: options.signal ?? new AbortController().signal,
    sink: {
      event: (event, data) => events.push({ event, data }),
      chunk: (text, selector) => chunks.push({ text, selector }),
      record: (r) => records.push(r),
      variableUpdated: (selector, value) => updates.push({ selector, value }),
    },
    tags: {},
    counters: { steps: 0, index: 0, tokens: 0, exceptions: 0 },
    deadline: Date.now() + (options.deadlineMs ?? 1_200_000),
    maxSteps: options.maxSteps ?? 500,
    maxExecutionSeconds: Math.round((options.deadlineMs ?? 1_200_000) / 1000),
  });
  const result = await engine.run();
  return { ...result, events, chunks, text: chunks.map((c) => c.text).join(""), records, pool, updates };
}

/** A stand-in `llm` node: streams `reply` (a string, or one computed from the pool) word by word. */
export function streamingNode(reply: string | ((run: NodeRun) => string), delayMs = 1): NodeDefinition {
  return {
    type: "llm",
    streams: ["text"],
    retries: true,
    async run(run) {
      const text = typeof reply === "function" ? reply(run) : reply;
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
        await new Promise((r) => setTimeout(r, delayMs));
        run.stream("text", piece);
      }
      return { outputs: { text }, usage: { totalTokens: 3, totalPrice: "0", currency: "USD" } };
    },
  };
}

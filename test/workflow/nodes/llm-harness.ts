// Shared pieces of the llm, question-classifier and parameter-extractor tests: node data with a
// model, file values, a provider that fails or waits, and a single-node run whose stop signal and
// stream calls the test holds (runNode has neither).
import type { LlmProvider, StreamChunk } from "../../../src/llm/types";
import type { GraphNode } from "../../../src/workflow/graph";
import { nodeDefinition } from "../../../src/workflow/nodes";
import type { FileValue, Json } from "../../../src/workflow/segments";
import type { NodeOutcome, NodeServices } from "../../../src/workflow/types";
import { VariablePool } from "../../../src/workflow/variable-pool";
import { fakeServices, scriptedModel } from "../../helpers/workflow";

export const MODEL = { provider: "langgenius/openai/openai", name: "gpt-4o", mode: "chat", completion_params: {} };

export function withModel(data: Json, model: Json = {}): Json {
  return { model: { ...MODEL, ...model }, ...data };
}

export function file(id: string, type = "image", filename = `${id}.png`, mime = "image/png"): FileValue {
  return {
    dify_model_identity: "__dify__file__",
    id,
    tenant_id: "tenant-1",
    type,
    transfer_method: "local_file",
    remote_url: null,
    related_id: id,
    filename,
    extension: filename.slice(filename.lastIndexOf(".")),
    mime_type: mime,
    size: 3,
    url: `https://files.test/${id}`,
  };
}

/** Services whose readFile gives each file's id as its bytes, and whose provider registration has `config`. */
export function servicesWith(model: ReturnType<typeof scriptedModel>, overrides: Partial<NodeServices> = {}, config: Json = {}): NodeServices {
  return fakeServices(
    {
      readFile: async (f) => new TextEncoder().encode(f.related_id ?? ""),
      provider: async (name) => ({ resolved: { name, type: "openai-compatible", baseUrl: "https://fake", apiKey: null, config }, llm: model.llm }),
      ...overrides,
    },
    model,
  );
}

/** A provider that throws `error` when called (after `before` deltas). */
export function failingModel(error: Error, before: string[] = []): ReturnType<typeof scriptedModel> {
  const calls: ReturnType<typeof scriptedModel>["calls"] = [];
  const llm: LlmProvider = {
    async *stream(request): AsyncGenerator<StreamChunk> {
      calls.push({ model: request.model, messages: request.messages, params: request.params });
      for (const text of before) yield { type: "delta", text };
      throw error;
    },
  };
  return { llm, calls };
}

export interface HeldRun extends NodeOutcome {
  streamed: string[];
}

/** Runs one node with the caller's stop signal; every stream call is appended to `log` as "stream:<chunk>". */
export async function runHeld(type: string, data: Json, values: Record<string, Json>, services: NodeServices, signal: AbortSignal, log: string[] = []): Promise<HeldRun> {
  const node: GraphNode = { id: "node", type, title: type, data: { type, ...data }, parent: null };
  const streamed: string[] = [];
  const outcome = await nodeDefinition(type)!.run({
    node,
    pool: new VariablePool(structuredClone(values)),
    services,
    signal,
    emit: () => {},
    stream: (output, chunk) => {
      streamed.push(chunk);
      log.push(`${output}:${chunk}`);
    },
    // A single node has no container scope (runNode's stub; runNode itself takes no signal or stream sink).
    scope: { run: () => Promise.reject(new Error("no scope")), emit() {}, execution: () => ({ id: "exec", index: 1, createdAt: 0 }), children: () => [], descendants: () => [], resumedPool: () => null },
  });
  return { ...outcome, streamed };
}

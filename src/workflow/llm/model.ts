// The model an LLM-backed node calls (llm, question-classifier, parameter-extractor; spec
// dify-dsl-and-nodes.md §3.4): `model {provider, name, mode, completion_params}` resolved through the
// run's provider registry, its parameters with `{{#…#}}` references rendered, and one streamed call
// that reports Dify's LLMUsage and turns provider failures into node failures.
import { ApiError } from "../../lib/errors";
import { isObject } from "../../lib/json";
import { estimateMessagesTokens, estimateTokens } from "../../llm/tokens";
import type { ChatMessage, ModelParams, TokenUsage } from "../../llm/types";
import { pricingFrom, type UsageView, usageView } from "../../tasks/usage";
import { renderVariables } from "../template";
import type { Json } from "../segments";
import { NodeError, type NodeOutcome, type NodeRun } from "../types";
import type { VariablePool } from "../variable-pool";

export interface ModelConfig {
  provider: string;
  name: string;
  mode: "chat" | "completion";
  completionParams: Json;
}

export interface PreparedModel {
  config: ModelConfig;
  /** The model id sent to the provider (a registration's config.model overrides the app's name). */
  model: string;
  params: ModelParams;
  /** The model's context window (provider config.context_size), when known. */
  contextSize: number | null;
  call: (request: { messages: ChatMessage[]; onDelta?: (text: string) => void }) => Promise<ModelResult>;
}

export interface ModelResult {
  text: string;
  usage: UsageView;
  /** The providers here do not report why a stream ended, only that it did (null, as Dify when unknown). */
  finishReason: string | null;
}

/** Why a node's model config can never run, or null (the `check` of every LLM-backed node). */
export function modelProblem(data: Json): string | null {
  const model = data.model;
  if (!isObject(model)) return "No model is configured.";
  if (typeof model.provider !== "string" || !model.provider) return "No model provider is configured.";
  if (typeof model.name !== "string" || !model.name) return "No model name is configured.";
  if (model.mode !== undefined && model.mode !== "chat" && model.mode !== "completion") return `Model mode ${String(model.mode)} is not supported.`;
  return null;
}

export function modelConfig(data: Json): ModelConfig {
  const problem = modelProblem(data);
  if (problem) throw new NodeError(problem, "ModelNotExistError");
  const model = data.model as Json;
  return {
    provider: model.provider as string,
    name: model.name as string,
    mode: model.mode === "completion" ? "completion" : "chat",
    completionParams: isObject(model.completion_params) ? model.completion_params : {},
  };
}

// Dify caps a rendered parameter at 1024 characters (llm_utils MAX_RESOLVED_VALUE_LENGTH).
const MAX_RESOLVED_LENGTH = 1024;
const REFERENCE = /\{\{#[^#]+#\}\}/;
const NUMERIC_PARAMS = ["temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty"] as const;

/** "0.7" → 0.7, "true" → true; anything that is not a JSON number or boolean stays text. */
function coerce(text: string): unknown {
  if (!text.trim()) return text;
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return typeof parsed === "number" || typeof parsed === "boolean" ? parsed : text;
  } catch {
    return text;
  }
}

/**
 * completion_params as the provider takes them: string values with variable references rendered and
 * coerced, `stop` as stop words (OpenAI-compatible APIs take at most four). Parameters outside
 * ModelParams (seed, response_format, …) have no way to the provider and are dropped.
 */
function resolveParams(completionParams: Json, pool: VariablePool): ModelParams {
  const resolved: Json = {};
  for (const [key, value] of Object.entries(completionParams)) {
    resolved[key] = typeof value === "string" && REFERENCE.test(value) ? coerce(renderVariables(value, pool).slice(0, MAX_RESOLVED_LENGTH)) : value;
  }
  const params: ModelParams = {};
  for (const key of NUMERIC_PARAMS) {
    const value = resolved[key];
    if (typeof value === "number" && Number.isFinite(value)) params[key] = value;
  }
  if (Array.isArray(resolved.stop)) {
    const stop = resolved.stop.filter((s): s is string => typeof s === "string" && s !== "").slice(0, 4);
    if (stop.length) params.stop = stop;
  }
  return params;
}

// Dify's invoke error class names (error_type) for our provider error codes.
const ERROR_TYPES: Record<string, string> = {
  provider_not_initialize: "InvokeAuthorizationError",
  rate_limit_error: "InvokeRateLimitError",
  provider_quota_exceeded: "QuotaExceededError",
};

/** A provider failure as the node's failure: its message, Dify's error type. */
function providerFailure(err: unknown): NodeError {
  if (err instanceof NodeError) return err;
  if (err instanceof ApiError) return new NodeError(err.message, ERROR_TYPES[err.code] ?? "InvokeError");
  const message = err instanceof Error ? err.message : String(err);
  return new NodeError(message, "InvokeError");
}

const STOPPED_MESSAGE = "The run was stopped before the model finished.";
export const STOPPED = "WorkflowStoppedError";

/** Resolves the node's model on the run's provider registry. */
export async function prepareModel(run: NodeRun, config: ModelConfig): Promise<PreparedModel> {
  const { services, pool, signal } = run;
  let provider: Awaited<ReturnType<typeof services.provider>>;
  try {
    provider = await services.provider(config.provider);
  } catch (err) {
    throw providerFailure(err);
  }
  const { resolved, llm } = provider;
  const model = typeof resolved.config.model === "string" && resolved.config.model ? resolved.config.model : config.name;
  const contextSize = Number(resolved.config.context_size);
  const params = resolveParams(config.completionParams, pool);
  const pricing = pricingFrom(resolved.config);
  return {
    config,
    model,
    params,
    contextSize: Number.isFinite(contextSize) && contextSize > 0 ? contextSize : null,
    async call({ messages, onDelta }) {
      const started = Date.now();
      let firstToken: number | null = null;
      let text = "";
      let reported: TokenUsage | null = null;
      try {
        for await (const chunk of llm.stream({ model, messages, params, signal })) {
          if (chunk.type === "usage") {
            reported = chunk.usage;
            continue;
          }
          if (chunk.type !== "delta" || !chunk.text) continue;
          firstToken ??= Date.now();
          text += chunk.text;
          onDelta?.(chunk.text);
        }
      } catch (err) {
        if (signal.aborted) throw new NodeError(STOPPED_MESSAGE, STOPPED);
        throw providerFailure(err);
      }
      // A provider may end its stream quietly on abort; a stopped call is never a success.
      if (signal.aborted) throw new NodeError(STOPPED_MESSAGE, STOPPED);
      const tokens = reported ?? { promptTokens: estimateMessagesTokens(messages), completionTokens: estimateTokens(text) };
      const end = Date.now();
      const timing = { latency: (end - started) / 1000, timeToFirstToken: firstToken === null ? null : (firstToken - started) / 1000 };
      return { text, usage: usageView(tokens, pricing, timing), finishReason: null };
    },
  };
}

/** What the engine adds to the run's totals. */
export function outcomeUsage(usage: UsageView): NonNullable<NodeOutcome["usage"]> {
  return { totalTokens: usage.total_tokens, totalPrice: usage.total_price, currency: usage.currency };
}

/** Tokens left for history: context − max_tokens − the prompt's own tokens, else Dify's 2000. */
export function historyBudget(model: PreparedModel, promptTokens = 0): number {
  if (!model.contextSize) return 2000;
  return Math.max(model.contextSize - (model.params.max_tokens ?? 0) - promptTokens, 0);
}

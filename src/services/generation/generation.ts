// Shared by chat and completion: the model a request runs on, starting its TaskRunner, and the
// response (SSE relayed from the task, or the blocking JSON folded from the same events).
import type { Config } from "../../config";
import type { Env } from "../../env";
import { ApiError, AppUnavailable, InternalServerError, ProviderNotInitialize } from "../../lib/errors";
import { describeError, log } from "../../lib/log";
import { sseResponse } from "../../lib/sse";
import { type AssembledPrompt, assemblePrompt, type HistoryTurn } from "../../llm/prompt";
import { createProvider } from "../../llm/factory";
import { type ResolvedProvider, resolveProvider } from "../../llm/registry";
import type { ContentPart, LlmProvider, ModelParams } from "../../llm/types";
import type { AiBinding } from "../../llm/workers-ai";
import { startTask, subscribeTask, taskOutcome } from "../../tasks/client";
import type { Owner, TaskLimits, TaskOutcome, TaskSpecBase } from "../../tasks/types";
import type { ModelConfigDict } from "../apps/model-config";
import type { Deps } from "../deps";
import { releaseSlot } from "./active-requests";

export interface PreparedModel {
  provider: ResolvedProvider;
  model: string;
  modelMode: "chat" | "completion";
  params: ModelParams;
  contextSize: number | null;
  difyProvider: string;
}

const NUMERIC_PARAMS = ["temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty"] as const;

export function modelParams(completionParams: unknown): ModelParams {
  const raw = (completionParams ?? {}) as Record<string, unknown>;
  const params: ModelParams = {};
  for (const key of NUMERIC_PARAMS) {
    const value = raw[key];
    if (typeof value === "number" && Number.isFinite(value)) params[key] = value;
  }
  if (Array.isArray(raw.stop)) params.stop = raw.stop.filter((s): s is string => typeof s === "string" && s !== "").slice(0, 4);
  return params;
}

/** Resolves the app's model to a registered provider; a provider that cannot work is an error now, before any stream. */
export async function prepareModel(deps: Deps, config: ModelConfigDict): Promise<PreparedModel> {
  const model = config.model as { provider?: unknown; name?: unknown; mode?: unknown; completion_params?: unknown };
  if (typeof model.provider !== "string" || typeof model.name !== "string") throw new AppUnavailable();
  const provider = await resolveProvider(deps.db, deps.config.secretKey, model.provider, deps.config.defaultModelProvider, deps.config.cacheTtlSeconds);
  if (provider.type === "openai-compatible" && !provider.baseUrl) {
    throw new ProviderNotInitialize(`The model provider "${provider.name}" has no base_url.`);
  }
  if (provider.type === "workers-ai" && !deps.env.AI) {
    throw new ProviderNotInitialize(`The Workers AI binding (AI) is not available to provider "${provider.name}".`);
  }
  const contextSize = Number(provider.config.context_size);
  return {
    provider,
    model: typeof provider.config.model === "string" ? provider.config.model : model.name,
    modelMode: model.mode === "completion" ? "completion" : "chat",
    params: modelParams(model.completion_params),
    contextSize: Number.isFinite(contextSize) && contextSize > 0 ? contextSize : null,
    difyProvider: model.provider,
  };
}

/** The app's prompt for one request (the model config's prompt settings with this request's parts). */
export function appPrompt(
  appMode: "chat" | "completion",
  config: ModelConfigDict,
  model: PreparedModel,
  parts: { inputs: Record<string, unknown>; query: string; history: HistoryTurn[]; files: ContentPart[] },
): AssembledPrompt {
  return assemblePrompt({
    appMode,
    modelMode: model.modelMode,
    promptType: config.prompt_type === "advanced" ? "advanced" : "simple",
    prePrompt: config.pre_prompt ?? "",
    chatPromptConfig: config.chat_prompt_config,
    completionPromptConfig: config.completion_prompt_config,
    ...parts,
    contextSize: model.contextSize,
    maxTokens: model.params.max_tokens,
  });
}

/** A provider for the web API's own short calls (titles, suggested questions): no echo delay. */
export function auxiliaryProvider(deps: Deps, model: PreparedModel): LlmProvider {
  return createProvider(model.provider, {
    ai: deps.env.AI as unknown as AiBinding | undefined,
    idleTimeoutMs: deps.config.modelIdleTimeout * 1000,
    echoDelayMs: 0,
  });
}

export function taskLimits(config: Config): TaskLimits {
  return {
    maxExecutionSeconds: config.appMaxExecutionTime,
    idleTimeoutMs: config.modelIdleTimeout * 1000,
    retentionSeconds: config.taskEventsRetention,
    echoDelayMs: config.echoDelayMs,
    cacheTtlSeconds: config.cacheTtlSeconds,
  };
}

/**
 * Hands a run to its TaskRunner, which writes the rows itself while the run already starts. If the
 * object cannot be started nothing was written: the slot is freed and the request's fetched files
 * are discarded.
 */
export async function launchTask(deps: Deps, spec: TaskSpecBase, streaming: boolean, onFailed: () => Promise<void>): Promise<ReadableStream<Uint8Array> | null> {
  try {
    return await startTask(deps.env, spec, streaming);
  } catch (err) {
    log(deps.config, "error", "task start failed", { task_id: spec.taskId, error: describeError(err) });
    await releaseSlot(deps.db, spec.slot).catch(() => {});
    await onFailed().catch(() => {});
    throw new InternalServerError();
  }
}

/** The task's events as SSE: replayed after `cursor`, then live. 404 when it is not this end user's. */
export async function taskEventStream(env: Env, taskId: string, owner: Owner, cursor = 0): Promise<Response> {
  return sseResponse(await subscribeTask(env, taskId, owner, { cursor }));
}

/**
 * The blocking body (spec §5.7) from the task's folded answer; an error event becomes the HTTP error.
 * Web blocking metadata is Dify's "simple" metadata: no usage, no annotation_reply.
 */
export function blockingBody(outcome: TaskOutcome, extra: { mode: string; conversationId: string | null }): Record<string, unknown> {
  const { error, end } = outcome;
  if (error) throw new ApiError(Number(error.status) || 500, String(error.code), String(error.message));
  const first: Record<string, unknown> = outcome.first ?? {};
  const metadata = (end?.metadata ?? {}) as { retriever_resources?: unknown[] };
  return {
    event: "message",
    task_id: first.task_id,
    id: first.message_id,
    message_id: first.message_id,
    ...(extra.conversationId ? { conversation_id: extra.conversationId } : {}),
    mode: extra.mode,
    answer: outcome.answer,
    metadata: { retriever_resources: metadata.retriever_resources ?? [] },
    created_at: first.created_at,
  };
}

/** The response to a started generation: its SSE stream, or the blocking JSON once it ends. */
export async function generationResponse(
  env: Env,
  started: { taskId: string; conversationId: string; mode: string; stream: ReadableStream<Uint8Array> | null },
  owner: Owner,
  chat: boolean,
): Promise<Response> {
  if (started.stream) return sseResponse(started.stream);
  const outcome = await taskOutcome(env, started.taskId, owner);
  return Response.json(blockingBody(outcome, { mode: started.mode, conversationId: chat ? started.conversationId : null }));
}

// Shared by chat and completion: the model a request runs on, starting its TaskRunner, and the
// response (SSE relayed from the task, or the blocking JSON built from the same events).
import type { BatchItem } from "drizzle-orm/batch";
import { eq } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { messages } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError, AppUnavailable, InternalServerError, NotFound, ProviderNotInitialize } from "../../lib/errors";
import { describeError, log } from "../../lib/log";
import { sseResponse } from "../../lib/sse";
import { type AssembledPrompt, assemblePrompt, type HistoryTurn } from "../../llm/prompt";
import { createProvider } from "../../llm/factory";
import type { ContentPart, LlmProvider, ModelParams } from "../../llm/types";
import type { AiBinding } from "../../llm/workers-ai";
import type { GenerationSpec, TaskEvent } from "../../tasks/types";
import { releaseSlot } from "./active-requests";
import type { ModelConfigDict } from "../apps/model-config";
import { type ResolvedProvider, resolveProvider } from "../apps/model-providers";
import type { FileSigner } from "../files/file-signing";
import type { Owner } from "../conversations/ownership";

export interface Deps {
  env: Env;
  config: Config;
  db: Db;
  /** Signs file URLs for this request's origin (or FILES_URL). */
  signer: FileSigner;
}

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
  const provider = await resolveProvider(deps.db, deps.config.secretKey, model.provider, deps.config.defaultModelProvider);
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

export function taskLimits(config: Config): GenerationSpec["limits"] {
  return {
    maxExecutionSeconds: config.appMaxExecutionTime,
    idleTimeoutMs: config.modelIdleTimeout * 1000,
    retentionSeconds: config.taskEventsRetention,
    echoDelayMs: config.echoDelayMs,
  };
}


const taskStub = (env: Env, taskId: string) => env.TASKS.get(env.TASKS.idFromName(taskId));

/** Writes the request's rows in one batch, then hands the generation to its TaskRunner. */
export async function launchTask(deps: Deps, spec: GenerationSpec, rows: BatchItem<"sqlite">[], onRowsFailed: () => Promise<void>): Promise<void> {
  try {
    await deps.db.batch(rows as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    await releaseSlot(deps.db, spec.activeRequestId);
    await onRowsFailed();
    throw err;
  }
  try {
    await taskStub(deps.env, spec.taskId).start(spec);
  } catch (err) {
    // Nothing lost: the message is closed as failed and the slot freed.
    log(deps.config, "error", "task start failed", { task_id: spec.taskId, error: describeError(err) });
    await deps.db.update(messages).set({ status: "error", error: "The generation could not be started." }).where(eq(messages.id, spec.messageId));
    await releaseSlot(deps.db, spec.activeRequestId);
    throw new InternalServerError();
  }
}

/** The task's events as SSE: replayed after `cursor`, then live. 404 when it is not this end user's. */
export async function taskEventStream(env: Env, taskId: string, owner: Owner, cursor = 0): Promise<Response> {
  const query = new URLSearchParams({ cursor: String(cursor), app_id: owner.appId, end_user_id: owner.endUserId });
  const res = await taskStub(env, taskId).fetch(`https://task/subscribe?${query}`);
  if (res.status === 404) {
    await res.body?.cancel();
    throw new NotFound();
  }
  return sseResponse(res.body);
}

export async function taskEvents(env: Env, taskId: string, owner: Owner): Promise<TaskEvent[]> {
  const events = await taskStub(env, taskId).outcome(owner.appId, owner.endUserId);
  if (!events) throw new NotFound();
  return events;
}

export async function stopTask(env: Env, taskId: string, owner: Owner): Promise<void> {
  await taskStub(env, taskId).stop(owner.appId, owner.endUserId);
}

/**
 * The blocking body (spec §5.7) built from the task's events; an error event becomes the HTTP error.
 * Web blocking metadata is Dify's "simple" metadata: no usage, no annotation_reply.
 */
export function blockingBody(events: TaskEvent[], extra: { mode: string; conversationId: string | null }): Record<string, unknown> {
  let answer = "";
  let end: TaskEvent | undefined;
  for (const event of events) {
    if (event.event === "message") answer += String(event.answer ?? "");
    else if (event.event === "message_replace") answer = String(event.answer ?? "");
    else if (event.event === "message_end") end = event;
    else if (event.event === "error") throw new ApiError(Number(event.status) || 500, String(event.code), String(event.message));
  }
  const first = events[0] ?? {};
  const metadata = (end?.metadata ?? {}) as { retriever_resources?: unknown[] };
  return {
    event: "message",
    task_id: first.task_id,
    id: first.message_id,
    message_id: first.message_id,
    ...(extra.conversationId ? { conversation_id: extra.conversationId } : {}),
    mode: extra.mode,
    answer,
    metadata: { retriever_resources: metadata.retriever_resources ?? [] },
    created_at: first.created_at,
  };
}

/** The response to a started generation: its SSE stream, or the blocking JSON once it ends. */
export async function generationResponse(
  env: Env,
  started: { taskId: string; conversationId: string; mode: string; streaming: boolean },
  owner: Owner,
  chat: boolean,
): Promise<Response> {
  if (started.streaming) return taskEventStream(env, started.taskId, owner);
  const events = await taskEvents(env, started.taskId, owner);
  return Response.json(blockingBody(events, { mode: started.mode, conversationId: chat ? started.conversationId : null }));
}

// Starting a generation, shared by chat, completion and more-like-this: a concurrency slot, the
// conversation (new or existing) and message rows in one batch, and the TaskRunner's spec.
import { eq } from "drizzle-orm";
import { type Statement, statement } from "../../db/statements";
import { type Conversation, conversations, type EndUser, messages } from "../../db/schema";
import { textToSpeechModel } from "../../llm/audio";
import type { AssembledPrompt } from "../../llm/prompt";
import type { GenerationSpec } from "../../tasks/generation";
import { acquireSlot, activeRequestLimit } from "./active-requests";
import type { AppContext } from "../apps/app-registry";
import type { Deps } from "../deps";
import { launchTask, type PreparedModel, taskLimits } from "./generation";
import { nowSeconds, uuid, uuidv7 } from "../../lib/ids";
import type { KeywordModeration } from "./moderation";
import { discardRequestFiles, messageEndFiles, messageFileRows, type RequestFiles } from "../files/request-files";

export interface StartedGeneration {
  taskId: string;
  messageId: string;
  conversationId: string;
  mode: string;
  /** The event stream (streaming requests), from the same call that started the task. */
  stream: ReadableStream<Uint8Array> | null;
}

export interface GenerationPlan {
  ctx: AppContext;
  endUser: EndUser;
  model: PreparedModel;
  prompt: AssembledPrompt;
  inputs: Record<string, unknown>;
  query: string;
  streaming: boolean;
  /** Continue this conversation (chat), or create a new one (chat's first message, every completion). */
  conversation: Conversation | null;
  introduction: string;
  parentMessageId: string | null;
  presetAnswer: string | null;
  moderation: KeywordModeration | null;
  /** Chat events carry conversation_id; completion events do not (spec §5.4). */
  chat: boolean;
  /** The request's resolved files and file inputs. */
  requestFiles: RequestFiles;
  /** The app's text_to_speech feature (auto-play streams audio with the answer). */
  features: { text_to_speech: Record<string, unknown> };
}

/** Auto-play speech when the feature says so and the provider can speak. */
function autoPlaySpeech(features: GenerationPlan["features"], model: PreparedModel): GenerationSpec["speech"] {
  const tts = features.text_to_speech;
  if (tts.enabled !== true || tts.autoPlay !== "enabled" || !textToSpeechModel(model.provider)) return null;
  return { voice: typeof tts.voice === "string" && tts.voice ? tts.voice : null, language: typeof tts.language === "string" ? tts.language : null };
}

/** The app's concurrency slot (null when unlimited); on 429 the request's fetched files are discarded. */
export async function takeSlot(deps: Deps, ctx: AppContext, discardFiles: () => Promise<void>): Promise<string | null> {
  const limit = activeRequestLimit(ctx.app.maxActiveRequests, deps.config.appDefaultActiveRequests, deps.config.appMaxActiveRequests);
  try {
    return await acquireSlot(deps.db, ctx.app.id, limit, deps.config.appMaxExecutionTime + 60);
  } catch (err) {
    await discardFiles();
    throw err;
  }
}

export interface MessageRowsPlan {
  ctx: AppContext;
  endUser: EndUser;
  /** The conversation continued, or null for a new one with `conversationId`. */
  conversation: Conversation | null;
  conversationId: string;
  messageId: string;
  taskId: string;
  inputs: Record<string, unknown>;
  query: string;
  introduction: string;
  parentMessageId: string | null;
  modelProvider: string | null;
  modelId: string | null;
  requestFiles: RequestFiles;
  workflowRunId?: string | null;
  /** agent-chat answers (messages.agent_based). */
  agentBased?: boolean;
  now: number;
}

/** The conversation (new, or its activity), message and message_files rows of one request. */
export function messageRows(deps: Deps, p: MessageRowsPlan): Statement[] {
  const rows: Statement[] = [];
  if (p.conversation) {
    rows.push(statement(deps.db.update(conversations).set({ updatedAt: p.now }).where(eq(conversations.id, p.conversationId))));
  } else {
    rows.push(
      statement(
        deps.db.insert(conversations).values({
          id: p.conversationId,
          appId: p.ctx.app.id,
          appModelConfigId: p.ctx.modelConfig?.id ?? null,
          modelProvider: p.modelProvider,
          modelId: p.modelId,
          mode: p.ctx.app.mode,
          name: "New conversation",
          inputs: p.inputs,
          introduction: p.introduction,
          status: "normal",
          invokeFrom: "web-app",
          fromSource: "api",
          fromEndUserId: p.endUser.id,
          createdAt: p.now,
          updatedAt: p.now,
        }),
      ),
    );
  }
  rows.push(
    statement(
      deps.db.insert(messages).values({
        id: p.messageId,
        appId: p.ctx.app.id,
        modelProvider: p.modelProvider,
        modelId: p.modelId,
        conversationId: p.conversationId,
        inputs: p.inputs,
        query: p.query,
        parentMessageId: p.parentMessageId,
        invokeFrom: "web-app",
        fromSource: "api",
        fromEndUserId: p.endUser.id,
        taskId: p.taskId,
        workflowRunId: p.workflowRunId ?? null,
        agentBased: p.agentBased ?? false,
        createdAt: p.now,
        updatedAt: p.now,
      }),
    ),
    ...messageFileRows(deps.db, p.messageId, p.endUser.id, p.requestFiles.files, p.now),
  );
  return rows;
}

export async function startGeneration(deps: Deps, plan: GenerationPlan): Promise<StartedGeneration> {
  const { ctx, endUser, model } = plan;
  const discardFiles = () => discardRequestFiles(deps, plan.requestFiles);
  const slot = await takeSlot(deps, ctx, discardFiles);
  const now = nowSeconds();
  const taskId = uuid();
  const messageId = uuidv7();
  const conversationId = plan.conversation?.id ?? uuidv7();
  const rows = messageRows(deps, {
    ctx,
    endUser,
    conversation: plan.conversation,
    conversationId,
    messageId,
    taskId,
    inputs: plan.inputs,
    query: plan.query,
    introduction: plan.introduction,
    parentMessageId: plan.parentMessageId,
    modelProvider: model.difyProvider,
    modelId: model.model,
    requestFiles: plan.requestFiles,
    now,
  });
  const extraStops = plan.prompt.stop ?? [];
  const spec: GenerationSpec = {
    kind: "generation",
    taskId,
    appId: ctx.app.id,
    endUserId: endUser.id,
    slot,
    limits: taskLimits(deps.config),
    messageId,
    conversationId,
    envelope: plan.chat ? { conversation_id: conversationId, message_id: messageId, created_at: now } : { message_id: messageId, created_at: now },
    model: {
      provider: model.provider.name,
      name: model.model,
      params: extraStops.length ? { ...model.params, stop: [...(model.params.stop ?? []), ...extraStops].slice(0, 4) } : model.params,
    },
    messages: plan.prompt.messages,
    presetAnswer: plan.presetAnswer,
    outputModeration: plan.moderation?.output ? { keywords: plan.moderation.keywords, presetResponse: plan.moderation.output.presetResponse } : null,
    files: await messageEndFiles(plan.requestFiles.files, deps.signer),
    speech: autoPlaySpeech(plan.features, model),
    countDialogue: plan.chat,
    rows,
  };
  const stream = await launchTask(deps, spec, plan.streaming, discardFiles);
  return { taskId, messageId, conversationId, mode: ctx.app.mode, stream };
}

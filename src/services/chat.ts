// POST /api/chat-messages for easy-UI chat apps (spec dify-web-api.md §4.5): validates the request,
// resolves the conversation, assembles the prompt with history, writes the conversation and message
// rows in one batch and starts the TaskRunner that generates the answer.
import type { BatchItem } from "drizzle-orm/batch";
import { eq } from "drizzle-orm";
import { type Conversation, conversations, type EndUser, messages } from "../db/schema";
import { AppUnavailable, ConversationCompleted, InvalidParam } from "../http/errors";
import { assemblePrompt, renderIntroduction } from "../llm/prompt";
import { pricingFrom } from "../tasks/usage";
import type { GenerationSpec } from "../tasks/types";
import { acquireSlot, activeRequestLimit } from "./active-requests";
import type { AppContext } from "./app-registry";
import { effectiveMode } from "./app-mode";
import { type Deps, launchTask, prepareModel, taskLimits } from "./generation";
import { loadHistory, UUID_NIL } from "./history";
import { isUuid, nowSeconds, uuid, uuidv7 } from "./ids";
import { validateInputs } from "./inputs";
import { modelConfigToDict } from "./model-config";
import { inputModerationAnswer, keywordModeration } from "./moderation";
import { requireConversation } from "./ownership";

export interface ChatBody {
  inputs: Record<string, unknown>;
  query: string;
  files?: unknown[] | null;
  response_mode?: string | null;
  conversation_id?: string | null;
  parent_message_id?: string | null;
}

export interface StartedGeneration {
  taskId: string;
  messageId: string;
  conversationId: string;
  mode: string;
  streaming: boolean;
}

function optionalUuid(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (!isUuid(value)) throw new InvalidParam(`${value} is not a valid uuid.`, field);
  return value.toLowerCase();
}

export async function startChat(deps: Deps, ctx: AppContext, endUser: EndUser, body: ChatBody): Promise<StartedGeneration> {
  const mode = effectiveMode(ctx);
  const streaming = body.response_mode === "streaming";
  if (mode === "agent-chat" && !streaming) throw new InvalidParam("Agent Chat App does not support blocking mode");
  if (mode !== "chat") throw new AppUnavailable(`${mode} apps cannot run on this server yet; only chat and completion apps generate.`);
  if (!ctx.modelConfig) throw new AppUnavailable();
  const query = body.query.replace(/\0/g, "");
  if (!query.trim()) throw new InvalidParam("query is required", "query");
  const conversationId = optionalUuid(body.conversation_id, "conversation_id");
  let parentId = optionalUuid(body.parent_message_id, "parent_message_id");
  const owner = { appId: ctx.app.id, endUserId: endUser.id };

  let conversation: Conversation | null = null;
  if (conversationId) {
    conversation = await requireConversation(deps.db, owner, conversationId);
    if (conversation.status !== "normal") throw new ConversationCompleted();
    // A client that sends no parent continues the conversation linearly.
    parentId ??= UUID_NIL;
  }
  const config = modelConfigToDict(ctx.modelConfig);
  const inputs = conversation ? conversation.inputs : validateInputs(config.user_input_form, body.inputs);
  const moderation = keywordModeration(config.sensitive_word_avoidance);
  const presetAnswer = inputModerationAnswer(moderation, query, inputs);
  const model = await prepareModel(deps, config);
  const history = conversation ? await loadHistory(deps.db, conversation.id, parentId, deps.config.chatHistoryMaxMessages) : [];
  const prompt = assemblePrompt({
    appMode: "chat",
    modelMode: model.modelMode,
    promptType: config.prompt_type === "advanced" ? "advanced" : "simple",
    prePrompt: config.pre_prompt ?? "",
    chatPromptConfig: config.chat_prompt_config,
    completionPromptConfig: config.completion_prompt_config,
    inputs,
    query,
    history,
    files: [],
    contextSize: model.contextSize,
    maxTokens: model.params.max_tokens,
  });

  const limit = activeRequestLimit(ctx.app.maxActiveRequests, deps.config.appDefaultActiveRequests, deps.config.appMaxActiveRequests);
  const slot = await acquireSlot(deps.db, ctx.app.id, limit, deps.config.appMaxExecutionTime + 60);
  const now = nowSeconds();
  const taskId = uuid();
  const messageId = uuidv7();
  const newConversationId = conversation?.id ?? uuidv7();
  const rows: BatchItem<"sqlite">[] = [];
  if (conversation) {
    rows.push(deps.db.update(conversations).set({ updatedAt: now }).where(eq(conversations.id, conversation.id)));
  } else {
    rows.push(
      deps.db.insert(conversations).values({
        id: newConversationId,
        appId: ctx.app.id,
        appModelConfigId: ctx.modelConfig.id,
        modelProvider: model.difyProvider,
        modelId: model.model,
        mode: ctx.app.mode,
        name: "New conversation",
        inputs,
        introduction: renderIntroduction(config.opening_statement, inputs),
        status: "normal",
        invokeFrom: "web-app",
        fromSource: "api",
        fromEndUserId: endUser.id,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }
  rows.push(
    deps.db.insert(messages).values({
      id: messageId,
      appId: ctx.app.id,
      modelProvider: model.difyProvider,
      modelId: model.model,
      conversationId: newConversationId,
      inputs,
      query,
      parentMessageId: parentId,
      invokeFrom: "web-app",
      fromSource: "api",
      fromEndUserId: endUser.id,
      taskId,
      createdAt: now,
      updatedAt: now,
    }),
  );
  const spec: GenerationSpec = {
    taskId,
    appId: ctx.app.id,
    endUserId: endUser.id,
    messageId,
    conversationId: newConversationId,
    envelope: { conversation_id: newConversationId, message_id: messageId, created_at: now },
    provider: model.provider,
    model: model.model,
    messages: prompt.messages,
    params: { ...model.params, ...(prompt.stop ? { stop: [...(model.params.stop ?? []), ...prompt.stop].slice(0, 4) } : {}) },
    presetAnswer,
    outputModeration: moderation?.output ? { keywords: moderation.keywords, presetResponse: moderation.output.presetResponse } : null,
    pricing: pricingFrom(model.provider.config),
    files: [],
    activeRequestId: slot,
    countDialogue: true,
    limits: taskLimits(deps.config),
  };
  await launchTask(deps, spec, rows);
  return { taskId, messageId, conversationId: newConversationId, mode: ctx.app.mode, streaming };
}

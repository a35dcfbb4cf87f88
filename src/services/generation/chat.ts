// POST /api/chat-messages for easy-UI chat apps (spec dify-web-api.md §4.5): validates the request,
// resolves the conversation, assembles the prompt with history, writes the conversation and message
// rows and starts the TaskRunner that generates the answer (services/generation-start.ts). The turn's
// query, conversation and parent are read as for every chat mode (conversations/chat-turn.ts).
import type { Conversation, EndUser } from "../../db/schema";
import { AppUnavailable, InvalidParam } from "../../lib/errors";
import { renderIntroduction } from "../../llm/prompt";
import type { AppContext } from "../apps/app-registry";
import { effectiveMode } from "../apps/app-mode";
import type { Deps } from "../deps";
import { appPrompt, prepareModel } from "./generation";
import { type StartedGeneration, startGeneration } from "./generation-start";
import { loadHistory } from "../../llm/history";
import { validateInputs } from "./inputs";
import { type ModelConfigDict, modelConfigToDict } from "../apps/model-config";
import { inputModerationAnswer, keywordModeration } from "./moderation";
import { chatTurn } from "../conversations/chat-turn";
import { resolveRequestFiles } from "../files/request-files";

export interface ChatBody {
  inputs: Record<string, unknown>;
  query: string;
  files?: unknown[] | null;
  response_mode?: string | null;
  conversation_id?: string | null;
  parent_message_id?: string | null;
}

/**
 * An easy-UI chat turn's inputs and files (chat and agent-chat apps): the first message of a
 * conversation validates them against the app's form; later ones reuse the conversation's inputs.
 */
export function chatTurnFiles(deps: Deps, ctx: AppContext, endUser: EndUser, config: ModelConfigDict, conversation: Conversation | null, body: ChatBody) {
  return resolveRequestFiles(deps, ctx.app.tenantId, endUser, {
    form: conversation ? [] : config.user_input_form,
    fileUpload: config.file_upload,
    inputs: conversation ? conversation.inputs : validateInputs(config.user_input_form, body.inputs, deps.config.limits),
    files: body.files,
  });
}

export async function startChat(deps: Deps, ctx: AppContext, endUser: EndUser, body: ChatBody): Promise<StartedGeneration> {
  const mode = effectiveMode(ctx);
  const streaming = body.response_mode === "streaming";
  if (mode === "agent-chat" && !streaming) throw new InvalidParam("Agent Chat App does not support blocking mode");
  if (!ctx.modelConfig) throw new AppUnavailable();
  const { query, conversation, parentId } = await chatTurn(deps, ctx, endUser, body);
  const config = modelConfigToDict(ctx.modelConfig);
  const requestFiles = await chatTurnFiles(deps, ctx, endUser, config, conversation, body);
  const { inputs } = requestFiles;
  const moderation = keywordModeration(config.sensitive_word_avoidance);
  const presetAnswer = inputModerationAnswer(moderation, query, inputs);
  const model = await prepareModel(deps, config);
  const history = conversation ? await loadHistory(deps.db, conversation.id, parentId, deps.config.chatHistoryMaxMessages) : [];
  const prompt = appPrompt("chat", config, model, { inputs, query, history, files: requestFiles.imageParts });

  return startGeneration(deps, {
    ctx,
    endUser,
    model,
    prompt,
    inputs,
    query,
    streaming,
    conversation,
    introduction: renderIntroduction(config.opening_statement, inputs),
    parentMessageId: parentId,
    presetAnswer,
    moderation,
    chat: true,
    requestFiles,
    features: config,
  });
}

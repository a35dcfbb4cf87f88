// POST /api/completion-messages and GET /api/messages/{id}/more-like-this for completion apps
// (spec dify-web-api.md §4.7, §4.11): every run is a new hidden conversation with one message.
import type { EndUser } from "../../db/schema";
import { AppMoreLikeThisDisabled, AppUnavailable } from "../../lib/errors";
import type { AppContext } from "../apps/app-registry";
import type { Deps } from "../deps";
import { appPrompt, type PreparedModel, prepareModel } from "./generation";
import { type StartedGeneration, startGeneration } from "./generation-start";
import { boundedQuery, validateInputs } from "./inputs";
import { type ModelConfigDict, modelConfigToDict } from "../apps/model-config";
import { inputModerationAnswer, keywordModeration } from "./moderation";
import { messageFileMappings } from "../conversations/message-files";
import { requireMessage } from "../conversations/ownership";
import { type RequestFiles, resolveRequestFiles } from "../files/request-files";

export interface CompletionBody {
  inputs: Record<string, unknown>;
  query: string;
  files?: unknown[] | null;
  response_mode?: string | null;
}

/** Dify regenerates "more like this" at temperature 0.9. */
const MORE_LIKE_THIS_TEMPERATURE = 0.9;

async function run(
  deps: Deps,
  ctx: AppContext,
  endUser: EndUser,
  request: { config: ModelConfigDict; model: PreparedModel; requestFiles: RequestFiles; query: string; streaming: boolean },
): Promise<StartedGeneration> {
  const { config, model, requestFiles, query } = request;
  const { inputs } = requestFiles;
  const moderation = keywordModeration(config.sensitive_word_avoidance);
  const prompt = appPrompt("completion", config, model, { inputs, query, history: [], files: requestFiles.imageParts });
  return startGeneration(deps, {
    ctx,
    endUser,
    model,
    prompt,
    inputs,
    query,
    streaming: request.streaming,
    conversation: null,
    introduction: "",
    parentMessageId: null,
    presetAnswer: inputModerationAnswer(moderation, query, inputs),
    moderation,
    chat: false,
    requestFiles,
    features: config,
  });
}

export async function startCompletion(deps: Deps, ctx: AppContext, endUser: EndUser, body: CompletionBody): Promise<StartedGeneration> {
  if (!ctx.modelConfig) throw new AppUnavailable();
  const config = modelConfigToDict(ctx.modelConfig);
  const query = boundedQuery(body.query ?? "", deps.config.limits);
  const inputs = validateInputs(config.user_input_form, body.inputs, deps.config.limits);
  const model = await prepareModel(deps, config);
  const requestFiles = await resolveRequestFiles(deps, ctx.app.tenantId, endUser, {
    form: config.user_input_form,
    fileUpload: config.file_upload,
    inputs,
    files: body.files,
  });
  return run(deps, ctx, endUser, { config, model, requestFiles, query, streaming: body.response_mode === "streaming" });
}

/** A new answer for the same inputs and query as an owned message, as a new message. */
export async function startMoreLikeThis(deps: Deps, ctx: AppContext, endUser: EndUser, messageId: string, streaming: boolean): Promise<StartedGeneration> {
  const message = await requireMessage(deps.db, { appId: ctx.app.id, endUserId: endUser.id }, messageId);
  if (!ctx.modelConfig) throw new AppUnavailable();
  const config = modelConfigToDict(ctx.modelConfig);
  if ((config.more_like_this as { enabled?: unknown }).enabled !== true) throw new AppMoreLikeThisDisabled();
  const model = await prepareModel(deps, config);
  model.params = { ...model.params, temperature: MORE_LIKE_THIS_TEMPERATURE };
  // The same files as the original message, read back from its message_files rows.
  const files = await messageFileMappings(deps.db, message.id);
  const requestFiles = await resolveRequestFiles(deps, ctx.app.tenantId, endUser, { form: [], fileUpload: config.file_upload, inputs: message.inputs, files });
  return run(deps, ctx, endUser, { config, model, requestFiles, query: message.query, streaming });
}

// Chatflows (advanced-chat) through POST /api/chat-messages (spec dify-web-api.md §4.5, dsl §2.8):
// the conversation and message rows as for chat apps, sys.query / conversation_id / dialogue_count /
// user_id, the conversation's variables (its stored values, the workflow's defaults for the rest),
// then the graph runs in the TaskRunner; answer nodes stream `message` deltas, and the run ends with
// message_end then workflow_finished.
import { and, eq } from "drizzle-orm";
import { type Conversation, conversationVariables, type EndUser } from "../../db/schema";
import { nowSeconds, uuid, uuidv7 } from "../../lib/ids";
import { isObject } from "../../lib/json";
import { renderIntroduction } from "../../llm/prompt";
import type { WorkflowSpec } from "../../workflow/program";
import { runInsert } from "../../workflow/records";
import type { Json } from "../../workflow/segments";
import { startNodeInputForm } from "../apps/app-params";
import type { AppContext } from "../apps/app-registry";
import { chatTurn } from "../conversations/chat-turn";
import type { Deps } from "../deps";
import { discardRequestFiles, messageEndFiles, resolveRequestFiles } from "../files/request-files";
import type { ChatBody } from "../generation/chat";
import { launchTask } from "../generation/generation";
import { messageRows, type StartedGeneration, takeSlot } from "../generation/generation-start";
import { validateInputs } from "../generation/inputs";
import { fileValue, publishedWorkflow, runSettings, withFileUrls } from "./run-spec";

/** The conversation's variables: stored values, else the workflow's declared defaults. */
async function conversationValues(deps: Deps, declared: Json[], conversation: Conversation | null): Promise<Json> {
  const values: Json = {};
  for (const v of declared) if (typeof v.name === "string") values[v.name] = structuredClone(v.value ?? null);
  if (!conversation) return values;
  const rows = await deps.db
    .select({ name: conversationVariables.name, value: conversationVariables.value })
    .from(conversationVariables)
    .where(and(eq(conversationVariables.conversationId, conversation.id), eq(conversationVariables.appId, conversation.appId)))
    .all();
  for (const row of rows) if (row.name in values && !(isObject(row.value) && row.value.truncated === true)) values[row.name] = row.value;
  return values;
}

export async function startChatflow(deps: Deps, ctx: AppContext, endUser: EndUser, body: ChatBody): Promise<StartedGeneration> {
  const workflow = publishedWorkflow(ctx);
  const { query, conversation, parentId } = await chatTurn(deps, ctx, endUser, body);
  const form = startNodeInputForm(workflow.graph);
  const requestFiles = await resolveRequestFiles(deps, ctx.app.tenantId, endUser, {
    form: conversation ? [] : form,
    fileUpload: workflow.features.file_upload,
    inputs: conversation ? conversation.inputs : validateInputs(form, body.inputs, deps.config.limits),
    files: body.files,
  });
  const discardFiles = () => discardRequestFiles(deps, requestFiles);
  const variables = await conversationValues(deps, workflow.conversationVariables, conversation);
  const slot = await takeSlot(deps, ctx, discardFiles);
  const now = nowSeconds();
  const runId = uuid();
  const messageId = uuidv7();
  const id = conversation?.id ?? uuidv7();
  const rows = [
    ...messageRows(deps, {
      ctx,
      endUser,
      conversation,
      conversationId: id,
      messageId,
      taskId: runId,
      inputs: requestFiles.inputs,
      query,
      introduction: renderIntroduction(typeof workflow.features.opening_statement === "string" ? workflow.features.opening_statement : null, requestFiles.inputs),
      parentMessageId: parentId,
      modelProvider: null,
      modelId: null,
      requestFiles,
      workflowRunId: runId,
      now,
    }),
    runInsert({ id: runId, tenantId: ctx.app.tenantId, appId: ctx.app.id, workflowId: workflow.id, type: "chat", inputs: requestFiles.inputs, endUserId: endUser.id, createdAt: now }),
  ];
  const envelope = { conversation_id: id, message_id: messageId, created_at: now };
  const spec: WorkflowSpec = {
    kind: "workflow",
    mode: "advanced-chat",
    taskId: runId,
    appId: ctx.app.id,
    endUserId: endUser.id,
    slot,
    tenantId: ctx.app.tenantId,
    workflowId: workflow.id,
    graph: workflow.graph,
    inputs: await withFileUrls(deps, requestFiles.inputs),
    system: {
      query,
      files: await Promise.all(requestFiles.files.map((f) => fileValue(deps, f, ctx.app.tenantId))),
      conversation_id: id,
      dialogue_count: (conversation?.dialogueCount ?? 0) + 1,
      user_id: endUser.sessionId,
      app_id: ctx.app.id,
      workflow_id: workflow.id,
      workflow_run_id: runId,
    },
    environment: workflow.environment,
    conversationVariables: variables,
    chat: {
      messageId,
      conversationId: id,
      parentMessageId: parentId,
      envelope,
      files: await messageEndFiles(requestFiles.files, deps.signer),
      countDialogue: true,
    },
    userSessionId: endUser.sessionId,
    createdAt: now,
    rows,
    ...runSettings(deps),
  };
  const stream = await launchTask(deps, spec, body.response_mode === "streaming", discardFiles);
  return { taskId: runId, messageId, conversationId: id, mode: ctx.app.mode, stream };
}

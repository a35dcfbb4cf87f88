// Messages of a conversation, feedback and follow-up questions (spec dify-web-api.md §4.9, §4.10, §4.12).
import { and, desc, eq, lt, lte, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { conversations, type Message, messageFeedbacks, messages } from "../../db/schema";
import { AppSuggestedQuestionsAfterAnswerDisabled, InvalidParam, NotFound } from "../../lib/errors";
import { suggestQuestions } from "../../llm/auxiliary";
import type { AppContext } from "../apps/app-registry";
import type { FileSigner } from "../../lib/file-signing";
import type { Deps } from "../deps";
import { auxiliaryProvider, prepareModel } from "../generation/generation";
import { nowSeconds, uuid } from "../../lib/ids";
import { type MessagePage, readMessagePage } from "./message-page";
import { type FormDefinition, renderSubmission, resolvedDefaults } from "../../workflow/human-input/form";
import { auxiliaryModelConfig, type ModelConfigDict } from "../apps/model-config";
import { conversationOwnedBy, messageOwnedBy, type Owner, requireConversation, requireMessage } from "./ownership";
import { cleanText } from "../../lib/text";

export async function listMessages(db: Db, owner: Owner, signer: FileSigner, query: { conversation_id: string; first_id?: string; limit: number }) {
  const conversationId = query.conversation_id.toLowerCase();
  const page = await readMessagePage(db, signer, owner, {
    guard: db.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.id, conversationId), conversationOwnedBy(owner))),
    filters: [eq(messages.conversationId, conversationId), messageOwnedBy(owner)!],
    cursorId: query.first_id,
    limit: query.limit,
  });
  if (!page.guardFound) throw new NotFound("Conversation Not Exists.");
  if (!page.cursorFound) throw new NotFound("First Message Not Exists.");
  return {
    limit: query.limit,
    has_more: page.hasMore,
    data: [...page.rows].reverse().map((m) =>
      messageView(m, page.files.get(m.id) ?? [], page.feedback.get(m.id) ?? null, page.thoughts.get(m.id) ?? [], m.workflowRunId ? (page.forms.get(m.workflowRunId) ?? []) : []),
    ),
  };
}

type ThoughtRow = MessagePage["thoughts"] extends Map<string, infer T> ? T : never;
type FormRow = MessagePage["forms"] extends Map<string, infer T> ? T : never;

const parsed = (text: string | null, fallback: unknown) => {
  try {
    return text ? JSON.parse(text) : fallback;
  } catch {
    return fallback;
  }
};

/** agent_thoughts of an answer (spec §4.9 AgentThought). */
function thoughtViews(rows: ThoughtRow): unknown[] {
  return rows.map((t) => ({
    id: t.id,
    chain_id: t.messageChainId,
    message_id: t.messageId,
    position: t.position,
    thought: t.thought,
    tool: t.tool,
    tool_labels: parsed(t.toolLabelsStr, {}),
    tool_input: t.toolInput,
    created_at: t.createdAt,
    observation: t.observation,
    files: parsed(t.messageFiles, []),
  }));
}

/** Human-input forms of a chatflow answer (spec §4.9 HumanInputContent), pending ones with what reopens them. */
function formContents(rows: FormRow): unknown[] {
  return rows.map(({ form, token }) => {
    const definition = form.formDefinition as unknown as FormDefinition;
    const submitted = form.status === "submitted";
    const action = definition.user_actions?.find((a) => a.id === form.selectedActionId);
    return {
      workflow_run_id: form.workflowRunId,
      submitted,
      type: "human_input",
      ...(submitted
        ? {
            form_submission_data: {
              node_id: form.nodeId,
              node_title: definition.node_title,
              rendered_content: renderSubmission(definition.rendered_content, (form.submittedData ?? {}) as Record<string, unknown>),
              action_id: form.selectedActionId,
              action_text: action?.title ?? "",
            },
          }
        : {
            form_definition: {
              form_id: form.id,
              node_id: form.nodeId,
              node_title: definition.node_title,
              form_content: definition.rendered_content,
              inputs: definition.inputs,
              actions: definition.user_actions,
              display_in_ui: definition.display_in_ui,
              form_token: token,
              resolved_default_values: resolvedDefaults(definition),
              expiration_time: definition.expiration_time,
            },
          }),
    };
  });
}

function messageView(m: Message, files: unknown[], feedback: { rating: string } | null, thoughts: ThoughtRow, forms: FormRow) {
  const metadata = (m.messageMetadata ?? null) as { retriever_resources?: unknown[] } | null;
  return {
    id: m.id,
    conversation_id: m.conversationId,
    parent_message_id: m.parentMessageId,
    inputs: m.inputs,
    query: m.query,
    answer: m.answer,
    message_files: files,
    feedback,
    retriever_resources: metadata?.retriever_resources ?? [],
    created_at: m.createdAt,
    agent_thoughts: thoughtViews(thoughts),
    metadata,
    status: m.status,
    error: m.error,
    extra_contents: formContents(forms),
  };
}

/** like / dislike / null on the end user's own feedback row (Dify's create_feedback rules). */
export async function rateMessage(db: Db, owner: Owner, messageId: string, body: { rating?: "like" | "dislike" | null; content?: string | null }): Promise<void> {
  const message = await requireMessage(db, owner, messageId);
  const mine = and(eq(messageFeedbacks.messageId, message.id), eq(messageFeedbacks.fromSource, "user"), eq(messageFeedbacks.fromEndUserId, owner.endUserId));
  const existing = await db.select({ id: messageFeedbacks.id }).from(messageFeedbacks).where(mine).get();
  const rating = body.rating ?? null;
  if (!rating) {
    if (!existing) throw new InvalidParam("rating cannot be None when feedback not exists", "rating");
    await db.delete(messageFeedbacks).where(eq(messageFeedbacks.id, existing.id));
    return;
  }
  const now = nowSeconds();
  if (existing) {
    await db.update(messageFeedbacks).set({ rating, content: body.content ? cleanText(body.content) : (body.content ?? null), updatedAt: now }).where(eq(messageFeedbacks.id, existing.id));
    return;
  }
  await db.insert(messageFeedbacks).values({
    id: uuid(),
    appId: owner.appId,
    conversationId: message.conversationId,
    messageId: message.id,
    rating,
    content: body.content ? cleanText(body.content) : (body.content ?? null),
    fromSource: "user",
    fromEndUserId: owner.endUserId,
    createdAt: now,
    updatedAt: now,
  });
}

/** Three likely follow-up questions from the last three turns of the message's conversation. */
export async function suggestedQuestions(deps: Deps, ctx: AppContext, owner: Owner, messageId: string): Promise<string[]> {
  const message = await requireMessage(deps.db, owner, messageId, "Message not found");
  const conversation = await requireConversation(deps.db, owner, message.conversationId, "Conversation not found");
  const config = auxiliaryModelConfig(ctx, deps.config.defaultModelProvider);
  if (!config || (config.suggested_questions_after_answer as { enabled?: unknown }).enabled !== true) throw new AppSuggestedQuestionsAfterAnswerDisabled();
  const recent = await deps.db
    .select({ query: messages.query, answer: messages.answer })
    .from(messages)
    .where(and(eq(messages.conversationId, conversation.id), or(lt(messages.createdAt, message.createdAt), and(eq(messages.createdAt, message.createdAt), lte(messages.id, message.id)))))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(3)
    .all();
  const model = await prepareModel(deps, config as ModelConfigDict);
  const provider = auxiliaryProvider(deps, model);
  try {
    return await suggestQuestions(provider, model.model, recent.reverse(), AbortSignal.timeout(30_000));
  } catch {
    // Dify answers an empty list when the model call fails.
    return [];
  }
}

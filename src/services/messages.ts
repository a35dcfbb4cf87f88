// Messages of a conversation, feedback and follow-up questions (spec dify-web-api.md §4.9, §4.10, §4.12).
import { and, desc, eq, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Message, messageFeedbacks, messages } from "../db/schema";
import { AppSuggestedQuestionsAfterAnswerDisabled, InvalidParam, NotFound } from "../http/errors";
import { suggestQuestions } from "../llm/auxiliary";
import { createProvider } from "../llm/factory";
import type { AppContext } from "./app-registry";
import type { FileSigner } from "./file-signing";
import { type Deps, prepareModel } from "./generation";
import { nowSeconds, uuid } from "./ids";
import { messageFilesByMessage } from "./message-files";
import { modelConfigToDict } from "./model-config";
import { messageOwnedBy, type Owner, requireConversation, requireMessage } from "./ownership";

/** The end user's own ratings of `messageIds`. */
export async function feedbackByMessage(db: Db, owner: Owner, messageIds: string[]): Promise<Map<string, { rating: string }>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .select({ messageId: messageFeedbacks.messageId, rating: messageFeedbacks.rating })
    .from(messageFeedbacks)
    .where(and(inArray(messageFeedbacks.messageId, messageIds), eq(messageFeedbacks.fromSource, "user"), eq(messageFeedbacks.fromEndUserId, owner.endUserId)))
    .all();
  return new Map(rows.map((r) => [r.messageId, { rating: r.rating }]));
}

/**
 * Messages matching `filters`, newest first, strictly before the cursor message by (created_at, id);
 * `missing` is the 404 message when the cursor is not among them.
 */
export async function messagesBefore(db: Db, filters: SQL[], cursorId: string | undefined, missing: string, limit: number): Promise<{ rows: Message[]; hasMore: boolean }> {
  const where = [...filters];
  if (cursorId) {
    const cursor = await db.select().from(messages).where(and(eq(messages.id, cursorId.toLowerCase()), ...filters)).get();
    if (!cursor) throw new NotFound(missing);
    where.push(or(lt(messages.createdAt, cursor.createdAt), and(eq(messages.createdAt, cursor.createdAt), lt(messages.id, cursor.id)))!);
  }
  const rows = await db
    .select()
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1)
    .all();
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function listMessages(db: Db, owner: Owner, signer: FileSigner, query: { conversation_id: string; first_id?: string; limit: number }) {
  const conversation = await requireConversation(db, owner, query.conversation_id);
  const filters = [eq(messages.conversationId, conversation.id), messageOwnedBy(owner)!];
  const { rows, hasMore } = await messagesBefore(db, filters, query.first_id, "First Message Not Exists.", query.limit);
  const page = rows.reverse();
  const ids = page.map((m) => m.id);
  const [files, feedback] = await Promise.all([messageFilesByMessage(db, ids, signer), feedbackByMessage(db, owner, ids)]);
  return {
    limit: query.limit,
    has_more: hasMore,
    data: page.map((m) => messageView(m, files.get(m.id) ?? [], feedback.get(m.id) ?? null)),
  };
}

function messageView(m: Message, files: unknown[], feedback: { rating: string } | null) {
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
    agent_thoughts: [],
    metadata,
    status: m.status,
    error: m.error,
    extra_contents: [],
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
    await db.update(messageFeedbacks).set({ rating, content: body.content ?? null, updatedAt: now }).where(eq(messageFeedbacks.id, existing.id));
    return;
  }
  await db.insert(messageFeedbacks).values({
    id: uuid(),
    appId: owner.appId,
    conversationId: message.conversationId,
    messageId: message.id,
    rating,
    content: body.content ?? null,
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
  if (!ctx.modelConfig) throw new AppSuggestedQuestionsAfterAnswerDisabled();
  const config = modelConfigToDict(ctx.modelConfig);
  if ((config.suggested_questions_after_answer as { enabled?: unknown }).enabled !== true) throw new AppSuggestedQuestionsAfterAnswerDisabled();
  const recent = await deps.db
    .select({ query: messages.query, answer: messages.answer })
    .from(messages)
    .where(and(eq(messages.conversationId, conversation.id), or(lt(messages.createdAt, message.createdAt), and(eq(messages.createdAt, message.createdAt), lte(messages.id, message.id)))))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(3)
    .all();
  const model = await prepareModel(deps, config);
  const provider = createProvider(model.provider, { ai: deps.env.AI as never, idleTimeoutMs: deps.config.modelIdleTimeout * 1000, echoDelayMs: 0 });
  try {
    return await suggestQuestions(provider, model.model, recent.reverse(), AbortSignal.timeout(30_000));
  } catch {
    // Dify answers an empty list when the model call fails.
    return [];
  }
}

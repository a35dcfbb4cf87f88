// Conversations of one end user (spec dify-web-api.md §4.13–4.16).
import { and, asc, desc, eq, inArray, isNull, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Conversation, conversations, messages, pinnedConversations } from "../../db/schema";
import { InvalidParam, NotFound } from "../../lib/errors";
import { generateTitle } from "../../llm/auxiliary";
import { cleanText } from "../../lib/text";
import type { AppContext } from "../apps/app-registry";
import type { Deps } from "../deps";
import { auxiliaryProvider, prepareModel } from "../generation/generation";
import { nowSeconds, uuid } from "../../lib/ids";
import { auxiliaryModelConfig, type ModelConfigDict } from "../apps/model-config";
import { conversationOwnedBy, type Owner, requireConversation } from "./ownership";

export type SortBy = "created_at" | "-created_at" | "updated_at" | "-updated_at";

export function conversationView(c: Conversation) {
  return {
    id: c.id,
    name: c.name,
    inputs: c.inputs,
    status: c.status,
    introduction: c.introduction,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function pinnedIds(db: Db, owner: Owner) {
  return db
    .select({ id: pinnedConversations.conversationId })
    .from(pinnedConversations)
    .where(
      and(eq(pinnedConversations.appId, owner.appId), eq(pinnedConversations.createdByRole, "end_user"), eq(pinnedConversations.createdBy, owner.endUserId)),
    );
}

export async function listConversations(
  db: Db,
  owner: Owner,
  query: { last_id?: string; limit: number; pinned?: boolean; sort_by: SortBy },
) {
  const filters: (SQL | undefined)[] = [
    conversationOwnedBy(owner),
    // Conversations started through other channels (Service API, explore) do not show here.
    or(isNull(conversations.invokeFrom), eq(conversations.invokeFrom, "web-app")),
  ];
  if (query.pinned === true) filters.push(inArray(conversations.id, pinnedIds(db, owner)));
  if (query.pinned === false) filters.push(notInArray(conversations.id, pinnedIds(db, owner)));
  const column = query.sort_by.endsWith("created_at") ? "created_at" : "updated_at";
  const field = column === "created_at" ? conversations.createdAt : conversations.updatedAt;
  const descending = query.sort_by.startsWith("-");
  const lastId = query.last_id?.toLowerCase();
  // (field, id) as the cursor, so rows sharing a second are neither skipped nor repeated; an
  // unknown last_id makes the row value NULL (empty page) and the cursor check says why.
  const where = lastId
    ? and(
        ...filters,
        sql`(${field}, ${conversations.id}) ${sql.raw(descending ? "<" : ">")} (SELECT cursor_row.${sql.raw(column)}, cursor_row.id FROM conversations AS cursor_row WHERE cursor_row.id = ${lastId})`,
      )
    : and(...filters);
  const order = descending ? desc : asc;
  // One round trip: the cursor check and the page.
  const [cursor, rows] = await db.batch([
    db.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.id, lastId ?? ""), ...filters)),
    db.select().from(conversations).where(where).orderBy(order(field), order(conversations.id)).limit(query.limit + 1),
  ]);
  if (lastId && cursor.length === 0) throw new NotFound("Last Conversation Not Exists.");
  return { limit: query.limit, has_more: rows.length > query.limit, data: rows.slice(0, query.limit).map(conversationView) };
}

export async function deleteConversation(db: Db, owner: Owner, id: string): Promise<void> {
  const conversation = await requireConversation(db, owner, id);
  await db.update(conversations).set({ isDeleted: true, updatedAt: nowSeconds() }).where(eq(conversations.id, conversation.id));
}

export async function renameConversation(
  deps: Deps,
  ctx: AppContext,
  owner: Owner,
  id: string,
  body: { name?: string | null; auto_generate?: boolean },
) {
  const conversation = await requireConversation(deps.db, owner, id);
  let name: string;
  if (body.auto_generate) {
    name = cleanText((await autoName(deps, ctx, conversation)) ?? conversation.name);
  } else {
    if (!body.name || !body.name.trim()) throw new InvalidParam("name is required when auto_generate is false", "name");
    name = cleanText(body.name.trim().slice(0, 255));
  }
  const updated = await deps.db
    .update(conversations)
    .set({ name, updatedAt: nowSeconds() })
    .where(eq(conversations.id, conversation.id))
    .returning()
    .get();
  return conversationView(updated);
}

/** Asks the app's model for a title of the first query; failures leave the name unchanged (as Dify). */
async function autoName(deps: Deps, ctx: AppContext, conversation: Conversation): Promise<string | null> {
  const first = await deps.db
    .select({ query: messages.query })
    .from(messages)
    .where(eq(messages.conversationId, conversation.id))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .get();
  const config = auxiliaryModelConfig(ctx, deps.config.defaultModelProvider);
  if (!first || !config) return null;
  try {
    const model = await prepareModel(deps, config as ModelConfigDict);
    const provider = auxiliaryProvider(deps, model);
    return await generateTitle(provider, model.model, first.query, AbortSignal.timeout(15_000));
  } catch {
    return null;
  }
}

export async function pinConversation(db: Db, owner: Owner, id: string): Promise<void> {
  const conversation = await requireConversation(db, owner, id);
  await db
    .insert(pinnedConversations)
    .values({ id: uuid(), appId: owner.appId, conversationId: conversation.id, createdByRole: "end_user", createdBy: owner.endUserId, createdAt: nowSeconds() })
    .onConflictDoNothing();
}

export async function unpinConversation(db: Db, owner: Owner, id: string): Promise<void> {
  await db
    .delete(pinnedConversations)
    .where(
      and(
        eq(pinnedConversations.appId, owner.appId),
        eq(pinnedConversations.conversationId, id.toLowerCase()),
        eq(pinnedConversations.createdByRole, "end_user"),
        eq(pinnedConversations.createdBy, owner.endUserId),
      ),
    );
}

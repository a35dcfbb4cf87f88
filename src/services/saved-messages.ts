// Saved messages of completion apps (spec dify-web-api.md §4.17–4.19), scoped to the end user.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { messages, savedMessages } from "../db/schema";
import type { FileSigner } from "./file-signing";
import { nowSeconds, uuid } from "./ids";
import { messageFilesByMessage } from "./message-files";
import { feedbackByMessage, messagesBefore } from "./messages";
import { messageOwnedBy, type Owner, requireMessage } from "./ownership";

const mine = (owner: Owner) =>
  and(eq(savedMessages.appId, owner.appId), eq(savedMessages.createdByRole, "end_user"), eq(savedMessages.createdBy, owner.endUserId));

export async function listSavedMessages(db: Db, owner: Owner, signer: FileSigner, query: { last_id?: string; limit: number }) {
  const saved = db.select({ id: savedMessages.messageId }).from(savedMessages).where(mine(owner));
  // Dify lets an unknown last_id become a 500; it is simply a missing row.
  const { rows: page, hasMore } = await messagesBefore(db, [messageOwnedBy(owner)!, inArray(messages.id, saved)], query.last_id, "Last Message Not Exists.", query.limit);
  const ids = page.map((m) => m.id);
  const [files, feedback] = await Promise.all([messageFilesByMessage(db, ids, signer), feedbackByMessage(db, owner, ids)]);
  return {
    limit: query.limit,
    has_more: hasMore,
    data: page.map((m) => ({
      id: m.id,
      inputs: m.inputs,
      query: m.query,
      answer: m.answer,
      message_files: files.get(m.id) ?? [],
      feedback: feedback.get(m.id) ?? null,
      created_at: m.createdAt,
    })),
  };
}

/** Idempotent; only the end user's own messages can be saved. */
export async function saveMessage(db: Db, owner: Owner, messageId: string): Promise<void> {
  const message = await requireMessage(db, owner, messageId);
  await db
    .insert(savedMessages)
    .values({ id: uuid(), appId: owner.appId, messageId: message.id, createdByRole: "end_user", createdBy: owner.endUserId, createdAt: nowSeconds() })
    .onConflictDoNothing();
}

export async function unsaveMessage(db: Db, owner: Owner, messageId: string): Promise<void> {
  await db.delete(savedMessages).where(and(mine(owner), eq(savedMessages.messageId, messageId.toLowerCase())));
}

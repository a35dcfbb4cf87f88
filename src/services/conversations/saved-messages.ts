// Saved messages of completion apps (spec dify-web-api.md §4.17–4.19), scoped to the end user.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messages, savedMessages } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import type { FileSigner } from "../../lib/file-signing";
import { nowSeconds, uuid } from "../../lib/ids";
import { readMessagePage } from "./message-page";
import { messageOwnedBy, type Owner, requireMessage } from "./ownership";

const mine = (owner: Owner) =>
  and(eq(savedMessages.appId, owner.appId), eq(savedMessages.createdByRole, "end_user"), eq(savedMessages.createdBy, owner.endUserId));

export async function listSavedMessages(db: Db, owner: Owner, signer: FileSigner, query: { last_id?: string; limit: number }) {
  const saved = db.select({ id: savedMessages.messageId }).from(savedMessages).where(mine(owner));
  const page = await readMessagePage(db, signer, owner, { filters: [messageOwnedBy(owner)!, inArray(messages.id, saved)], cursorId: query.last_id, limit: query.limit });
  // Dify lets an unknown last_id become a 500; it is simply a missing row.
  if (!page.cursorFound) throw new NotFound("Last Message Not Exists.");
  return {
    limit: query.limit,
    has_more: page.hasMore,
    data: page.rows.map((m) => ({
      id: m.id,
      inputs: m.inputs,
      query: m.query,
      answer: m.answer,
      message_files: page.files.get(m.id) ?? [],
      feedback: page.feedback.get(m.id) ?? null,
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

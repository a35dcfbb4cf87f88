// The one ownership-scoped lookup: conversations and messages are always read together with the
// app and the end user, so someone else's id is indistinguishable from a missing one (404).
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Conversation, conversations, type Message, messages } from "../../db/schema";
import { NotFound } from "../../lib/errors";

export interface Owner {
  appId: string;
  endUserId: string;
}

export function conversationOwnedBy(owner: Owner) {
  return and(
    eq(conversations.appId, owner.appId),
    eq(conversations.fromSource, "api"),
    eq(conversations.fromEndUserId, owner.endUserId),
    isNull(conversations.fromAccountId),
    eq(conversations.isDeleted, false),
  );
}

export function messageOwnedBy(owner: Owner) {
  return and(
    eq(messages.appId, owner.appId),
    eq(messages.fromSource, "api"),
    eq(messages.fromEndUserId, owner.endUserId),
    isNull(messages.fromAccountId),
  );
}

export async function findConversation(db: Db, owner: Owner, id: string): Promise<Conversation | null> {
  return (await db.select().from(conversations).where(and(eq(conversations.id, id.toLowerCase()), conversationOwnedBy(owner))).get()) ?? null;
}

export async function requireConversation(db: Db, owner: Owner, id: string, message = "Conversation Not Exists."): Promise<Conversation> {
  const conversation = await findConversation(db, owner, id);
  if (!conversation) throw new NotFound(message);
  return conversation;
}

export async function requireMessage(db: Db, owner: Owner, id: string, message = "Message Not Exists."): Promise<Message> {
  const row = await db.select().from(messages).where(and(eq(messages.id, id.toLowerCase()), messageOwnedBy(owner))).get();
  if (!row) throw new NotFound(message);
  return row;
}

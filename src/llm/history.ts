// Conversation memory (Dify's TokenBufferMemory + extract_thread_messages): the most recent
// messages, reduced to the thread that leads to the new message's parent, oldest first.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { messages } from "../db/schema";
import type { HistoryTurn } from "./prompt";

/** Parent id meaning "continue linearly" (Dify's UUID_NIL, used when a client sends no parent). */
export const UUID_NIL = "00000000-0000-0000-0000-000000000000";

interface Row {
  id: string;
  parentMessageId: string | null;
  query: string;
  answer: string;
}

/** Walks parent links back from `parentId` (the newest message when it is UUID_NIL). */
export function threadOf(rowsNewestFirst: Row[], parentId: string | null): Row[] {
  if (!parentId) return [];
  const thread: Row[] = [];
  let next: string | null = parentId;
  for (const row of rowsNewestFirst) {
    if (next !== UUID_NIL && row.id !== next) continue;
    thread.push(row);
    // A message without a parent starts its thread.
    if (!row.parentMessageId) break;
    next = row.parentMessageId;
  }
  return thread;
}

export async function loadHistory(db: Db, conversationId: string, parentId: string | null, maxMessages: number): Promise<HistoryTurn[]> {
  if (!parentId) return [];
  const rows = await db
    .select({ id: messages.id, parentMessageId: messages.parentMessageId, query: messages.query, answer: messages.answer })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(maxMessages)
    .all();
  return threadOf(rows, parentId)
    .reverse()
    .map((row) => ({ query: row.query, answer: row.answer }));
}

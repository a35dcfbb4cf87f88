// The one D1 write at the end of a generation: the message's answer, tokens, prices, latency,
// status and error; the conversation's activity; the released concurrency slot.
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { getDb } from "../db/client";
import { appActiveRequests, conversations, messages } from "../db/schema";
import type { UsageView } from "./usage";

export interface FinalRecord {
  messageId: string;
  conversationId: string;
  countDialogue: boolean;
  activeRequestId: string | null;
  answer: string;
  status: "normal" | "error";
  error: string | null;
  usage: UsageView;
  promptMessages: unknown[];
  finishedAt: number;
}

export async function writeFinalRecord(d1: D1Database, record: FinalRecord): Promise<void> {
  const db = getDb(d1);
  const { usage } = record;
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(messages)
      .set({
        answer: record.answer,
        message: record.promptMessages,
        messageTokens: usage.prompt_tokens,
        messageUnitPrice: usage.prompt_unit_price,
        messagePriceUnit: usage.prompt_price_unit,
        answerTokens: usage.completion_tokens,
        answerUnitPrice: usage.completion_unit_price,
        answerPriceUnit: usage.completion_price_unit,
        providerResponseLatency: usage.latency,
        totalPrice: usage.total_price,
        currency: usage.currency,
        status: record.status,
        error: record.error,
        messageMetadata: { usage },
        updatedAt: record.finishedAt,
      })
      .where(eq(messages.id, record.messageId)),
    db
      .update(conversations)
      .set({
        updatedAt: record.finishedAt,
        ...(record.countDialogue ? { dialogueCount: sql`${conversations.dialogueCount} + 1` } : {}),
      })
      .where(eq(conversations.id, record.conversationId)),
  ];
  if (record.activeRequestId) statements.push(db.delete(appActiveRequests).where(eq(appActiveRequests.id, record.activeRequestId)));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

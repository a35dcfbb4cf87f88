// The closing D1 write of a generation: the message's answer, tokens, prices, latency, status and
// error, and the conversation's activity. Its fallback is a write that always fits: the answer cut to
// ANSWER_FALLBACK_BYTES, no prompt, status error with the reason — used when D1 refuses the full one.
import { eq, sql } from "drizzle-orm";
import { type Statement, statement, statementBuilder } from "../db/statements";
import { conversations, messages } from "../db/schema";
import type { ChatMessage } from "../llm/types";
import { truncateUtf8, utf8Length } from "../lib/text";
import type { UsageView } from "./usage";

/** The stored prompt (the messages column) is informational; beyond this it is abridged. */
const PROMPT_MAX_BYTES = 256 * 1024;
const ANSWER_FALLBACK_BYTES = 512 * 1024;
export const ANSWER_NOT_SAVED = "The answer could not be saved in full";

export interface FinalRecord {
  messageId: string;
  conversationId: string;
  countDialogue: boolean;
  answer: string;
  status: "normal" | "error";
  error: string | null;
  usage: UsageView;
  promptMessages: ChatMessage[];
  finishedAt: number;
}

/** The prompt as stored: images as a marker, long texts cut, so the column stays small. */
export function storedPrompt(prompt: ChatMessage[]): ChatMessage[] {
  const slim = prompt.map((m) => ({
    role: m.role,
    content: typeof m.content === "string" ? m.content : m.content.map((p) => (p.type === "image_url" ? { type: "text" as const, text: "[image]" } : p)),
  }));
  if (utf8Length(JSON.stringify(slim)) <= PROMPT_MAX_BYTES) return slim;
  const budget = Math.floor(PROMPT_MAX_BYTES / (2 * Math.max(1, slim.length)));
  const cut = (text: string) => (utf8Length(text) > budget ? `${truncateUtf8(text, budget)}… [abridged]` : text);
  return slim.map((m) => ({ role: m.role, content: typeof m.content === "string" ? cut(m.content) : m.content.map((p) => (p.type === "text" ? { ...p, text: cut(p.text) } : p)) }));
}

function conversationTouch(record: FinalRecord): Statement {
  const db = statementBuilder();
  return statement(
    db
      .update(conversations)
      .set({ updatedAt: record.finishedAt, ...(record.countDialogue ? { dialogueCount: sql`${conversations.dialogueCount} + 1` } : {}) })
      .where(eq(conversations.id, record.conversationId)),
  );
}

export function finalStatements(record: FinalRecord): Statement[] {
  const db = statementBuilder();
  const { usage } = record;
  return [
    statement(
      db
        .update(messages)
        .set({
          answer: record.answer,
          message: storedPrompt(record.promptMessages),
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
    ),
    conversationTouch(record),
  ];
}

/** Always fits: a bounded answer, no prompt, the message closed as an error saying why. */
export function fallbackStatements(record: FinalRecord): Statement[] {
  const db = statementBuilder();
  const error = record.error ? `${ANSWER_NOT_SAVED}; ${record.error}`.slice(0, 1000) : ANSWER_NOT_SAVED;
  return [
    statement(
      db
        .update(messages)
        .set({
          answer: truncateUtf8(record.answer, ANSWER_FALLBACK_BYTES),
          messageTokens: record.usage.prompt_tokens,
          answerTokens: record.usage.completion_tokens,
          status: "error",
          error,
          updatedAt: record.finishedAt,
        })
        .where(eq(messages.id, record.messageId)),
    ),
    conversationTouch(record),
  ];
}

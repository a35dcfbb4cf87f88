// One D1 round trip for a page of messages (design: a read costs at most one round trip after
// auth): an optional guard query (e.g. "is the conversation theirs"), the cursor's existence, the
// page newest first before the cursor by (created_at, id), and the page's files and the end user's
// feedback — all in one batch, the page ids shared as a subquery.
import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { humanInputFormRecipients, humanInputForms, type Message, messageAgentThoughts, messageFeedbacks, messageFiles, messages, uploadFiles } from "../../db/schema";
import type { FileSigner } from "../../lib/file-signing";
import { type MessageFileView, messageFileViews } from "./message-files";
import type { Owner } from "./ownership";

export interface MessagePage {
  rows: Message[];
  hasMore: boolean;
  files: Map<string, MessageFileView[]>;
  feedback: Map<string, { rating: string }>;
  /** agent_thoughts of agent answers, by message. */
  thoughts: Map<string, (typeof messageAgentThoughts.$inferSelect)[]>;
  /** Human-input forms of chatflow answers, by workflow run (with the web-app form token). */
  forms: Map<string, { form: typeof humanInputForms.$inferSelect; token: string | null }[]>;
  /** Whether the guard query found a row (true without a guard). */
  guardFound: boolean;
  /** Whether the cursor message matches the filters (true without a cursor). */
  cursorFound: boolean;
}

export async function readMessagePage(
  db: Db,
  signer: FileSigner,
  owner: Owner,
  options: { filters: SQL[]; cursorId?: string; limit: number; guard?: BatchItem<"sqlite"> },
): Promise<MessagePage> {
  const cursorId = options.cursorId?.toLowerCase();
  // An unknown cursor makes the row value NULL, so the page is empty and cursorFound tells why.
  const before = cursorId
    ? sql`(${messages.createdAt}, ${messages.id}) < (SELECT cursor.created_at, cursor.id FROM messages AS cursor WHERE cursor.id = ${cursorId})`
    : undefined;
  const where = and(...options.filters, before);
  const order = [desc(messages.createdAt), desc(messages.id)];
  const pageIds = db.select({ id: messages.id }).from(messages).where(where).orderBy(...order).limit(options.limit);
  const statements: BatchItem<"sqlite">[] = [
    options.guard ?? db.select({ found: sql<number>`1` }).from(sql`(SELECT 1)`),
    cursorId ? db.select({ id: messages.id }).from(messages).where(and(eq(messages.id, cursorId), ...options.filters)) : db.select({ found: sql<number>`1` }).from(sql`(SELECT 1)`),
    db.select().from(messages).where(where).orderBy(...order).limit(options.limit + 1),
    // Joined columns get unique names: D1 batch results are keyed by column name.
    db
      .select({
        file: messageFiles,
        uploadId: sql<string | null>`${uploadFiles.id}`.as("upload_id"),
        uploadName: sql<string | null>`${uploadFiles.name}`.as("upload_name"),
        uploadMimeType: sql<string | null>`${uploadFiles.mimeType}`.as("upload_mime_type"),
        uploadSize: sql<number | null>`${uploadFiles.size}`.as("upload_size"),
      })
      .from(messageFiles)
      .leftJoin(uploadFiles, eq(uploadFiles.id, messageFiles.uploadFileId))
      .where(inArray(messageFiles.messageId, pageIds))
      .orderBy(messageFiles.createdAt),
    db
      .select({ messageId: messageFeedbacks.messageId, rating: messageFeedbacks.rating })
      .from(messageFeedbacks)
      .where(and(inArray(messageFeedbacks.messageId, pageIds), eq(messageFeedbacks.fromSource, "user"), eq(messageFeedbacks.fromEndUserId, owner.endUserId))),
    db.select().from(messageAgentThoughts).where(inArray(messageAgentThoughts.messageId, pageIds)).orderBy(messageAgentThoughts.position),
    db
      .select({ form: humanInputForms, token: sql<string | null>`${humanInputFormRecipients.accessToken}`.as("form_token") })
      .from(humanInputForms)
      .leftJoin(humanInputFormRecipients, and(eq(humanInputFormRecipients.formId, humanInputForms.id), eq(humanInputFormRecipients.recipientType, "standalone_web_app")))
      .where(inArray(humanInputForms.workflowRunId, db.select({ id: messages.workflowRunId }).from(messages).where(inArray(messages.id, pageIds))))
      .orderBy(humanInputForms.createdAt),
  ];
  const [guard, cursor, page, files, feedback, thoughts, forms] = (await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown as [
    unknown[],
    unknown[],
    Message[],
    Parameters<typeof messageFileViews>[0],
    { messageId: string; rating: string }[],
    (typeof messageAgentThoughts.$inferSelect)[],
    { form: typeof humanInputForms.$inferSelect; token: string | null }[],
  ];
  const byMessage = new Map<string, (typeof messageAgentThoughts.$inferSelect)[]>();
  for (const t of thoughts) byMessage.set(t.messageId, [...(byMessage.get(t.messageId) ?? []), t]);
  const byRun = new Map<string, { form: typeof humanInputForms.$inferSelect; token: string | null }[]>();
  for (const f of forms) if (f.form.workflowRunId) byRun.set(f.form.workflowRunId, [...(byRun.get(f.form.workflowRunId) ?? []), f]);
  return {
    rows: page.slice(0, options.limit),
    hasMore: page.length > options.limit,
    files: await messageFileViews(files, signer),
    feedback: new Map(feedback.map((f) => [f.messageId, { rating: f.rating }])),
    thoughts: byMessage,
    forms: byRun,
    guardFound: guard.length > 0,
    cursorFound: cursor.length > 0,
  };
}

// Query, body and response shapes of conversations and messages (spec §4.9–4.16).
import { z } from "zod";

export const uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID");
const limit = z.coerce.number().int().min(1).max(100).default(20);
/** A UUID query parameter where Dify's client may send an empty value for "absent". */
export const optionalUuid = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v))
  .pipe(uuid.optional());

export const listConversationsQuery = z.object({
  last_id: optionalUuid,
  limit,
  pinned: z.enum(["true", "false"]).optional().transform((v) => (v === undefined ? undefined : v === "true")),
  sort_by: z.enum(["created_at", "-created_at", "updated_at", "-updated_at"]).default("-updated_at"),
});

export const renameConversationBody = z.object({
  name: z.string().max(1000).nullable().optional(),
  auto_generate: z.boolean().default(false),
});

export const listMessagesQuery = z.object({
  conversation_id: uuid,
  first_id: optionalUuid,
  limit,
});

export const feedbackBody = z.object({
  rating: z.enum(["like", "dislike"]).nullable().default(null),
  content: z.string().max(10000).nullable().optional(),
});

export const conversationView = z.strictObject({
  id: z.string(),
  name: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  status: z.string(),
  introduction: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

export const conversationPage = z.strictObject({ limit: z.number().int(), has_more: z.boolean(), data: z.array(conversationView) });

export const messageFileView = z.strictObject({
  id: z.string(),
  filename: z.string(),
  type: z.string(),
  url: z.string().nullable(),
  mime_type: z.string().nullable(),
  size: z.number().int().nullable(),
  transfer_method: z.string(),
  belongs_to: z.string().nullable(),
  upload_file_id: z.string().nullable(),
});

export const messageView = z.strictObject({
  id: z.string(),
  conversation_id: z.string(),
  parent_message_id: z.string().nullable(),
  inputs: z.record(z.string(), z.unknown()),
  query: z.string(),
  answer: z.string(),
  message_files: z.array(messageFileView),
  feedback: z.strictObject({ rating: z.enum(["like", "dislike"]) }).nullable(),
  retriever_resources: z.array(z.unknown()),
  created_at: z.number().int(),
  agent_thoughts: z.array(z.unknown()),
  metadata: z.looseObject({}).nullable(),
  status: z.enum(["normal", "error", "paused"]),
  error: z.string().nullable(),
  extra_contents: z.array(z.unknown()),
});

export const messagePage = z.strictObject({ limit: z.number().int(), has_more: z.boolean(), data: z.array(messageView) });

export const resultSuccess = z.strictObject({ result: z.literal("success") });

export const suggestedQuestionsResponse = z.strictObject({ result: z.literal("success"), data: z.array(z.string()) });

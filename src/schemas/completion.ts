// Shapes of the completion-app endpoints (spec §4.7, §4.11, §4.17–4.19).
import { z } from "zod";
import { messageFileView, optionalUuid, uuid } from "./conversations";

export const moreLikeThisQuery = z.object({ response_mode: z.enum(["blocking", "streaming"]) });

export const savedMessagesQuery = z.object({
  last_id: optionalUuid,
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const saveMessageBody = z.object({ message_id: z.union([uuid, z.literal("")]) });

export const savedMessageView = z.strictObject({
  id: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  query: z.string(),
  answer: z.string(),
  message_files: z.array(messageFileView),
  feedback: z.strictObject({ rating: z.enum(["like", "dislike"]) }).nullable(),
  created_at: z.number().int(),
});

export const savedMessagePage = z.strictObject({ limit: z.number().int(), has_more: z.boolean(), data: z.array(savedMessageView) });

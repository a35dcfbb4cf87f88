// Request shapes of the generation endpoints (chat, completion) and their blocking responses.
import { z } from "zod";

/** Request `files`: file mapping objects (resolved in services/files/input-files.ts), at most 100. */
export const fileMappings = z.array(z.record(z.string(), z.unknown())).max(100).nullable().optional();

export const chatMessageBody = z.object({
  inputs: z.record(z.string(), z.unknown()),
  query: z.string(),
  files: fileMappings,
  response_mode: z.enum(["blocking", "streaming"]).nullable().optional(),
  conversation_id: z.string().max(64).nullable().optional(),
  parent_message_id: z.string().max(64).nullable().optional(),
  retriever_from: z.string().max(64).optional(),
});

export const completionMessageBody = z.object({
  inputs: z.record(z.string(), z.unknown()),
  query: z.string().default(""),
  files: fileMappings,
  response_mode: z.enum(["blocking", "streaming"]).nullable().optional(),
  retriever_from: z.string().max(64).optional(),
});

export const workflowRunBody = z.object({
  inputs: z.record(z.string(), z.unknown()),
  files: fileMappings,
});

export const taskIdParam = z.object({ task_id: z.string().min(1).max(255) });

export const resumeQuery = z.object({
  cursor: z.string().regex(/^\d{1,15}$/, "must be a non-negative integer").optional().describe("Replay events after this id (or send Last-Event-ID)"),
});

export const stopResponse = z.strictObject({ result: z.literal("success") });

export const blockingMessageResponse = z.strictObject({
  event: z.literal("message"),
  task_id: z.string(),
  id: z.string(),
  message_id: z.string(),
  conversation_id: z.string().optional(),
  mode: z.string(),
  answer: z.string(),
  metadata: z.looseObject({}),
  created_at: z.number().int(),
});

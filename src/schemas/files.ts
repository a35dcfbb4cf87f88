// Wire shapes of the file and audio endpoints (spec dify-web-api.md §4.20–4.24). Strict, so tests
// that parse responses with them prove the exact key sets.
import { z } from "zod";

/** POST /api/files/upload → 201 (HITL FileResponse). */
export const fileUploadResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  extension: z.string(),
  mime_type: z.string().nullable(),
  created_by: z.string(),
  created_at: z.number().int(),
  preview_url: z.null(),
  source_url: z.string(),
  original_url: z.null(),
  user_id: z.null(),
  tenant_id: z.null(),
  conversation_id: z.null(),
  file_key: z.null(),
});

/** POST /api/remote-files/upload → 201 (FileWithSignedUrl). */
export const remoteFileUploadResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  extension: z.string(),
  url: z.string(),
  mime_type: z.string().nullable(),
  created_by: z.string(),
  created_at: z.number().int(),
});

/** GET /api/remote-files/{url} → 200 (RemoteFileInfo). */
export const remoteFileInfoResponse = z.strictObject({
  file_type: z.string(),
  file_length: z.number().int(),
});

/** POST /api/audio-to-text → 200. */
export const audioToTextResponse = z.strictObject({ text: z.string() });

export const fileUploadForm = z.object({
  file: z.string().meta({ format: "binary" }).describe("The file (binary part with a filename)"),
  source: z.string().optional().describe('"datasets" to require a document; anything else is ignored'),
});

export const remoteFileUploadBody = z.object({
  url: z.url({ protocol: /^https?$/, error: "url must be an http or https URL" }),
});

export const remoteFileInfoParam = z.object({
  url: z.url({ protocol: /^https?$/, error: "url must be an http or https URL" }).describe("The remote URL, URL-encoded"),
});

export const filePreviewQuery = z.object({
  timestamp: z.string(),
  nonce: z.string(),
  sign: z.string(),
  as_attachment: z.stringbool().optional(),
});

export const audioToTextForm = z.object({
  file: z.string().meta({ format: "binary" }).describe("The audio (audio/mp3, audio/m4a, audio/wav, audio/amr, audio/mpga), at most 30 MB"),
});

export const textToAudioBody = z.object({
  message_id: z.string().nullable().optional().describe("Speak this message's answer (one of the caller's own messages)"),
  voice: z.string().max(255).nullable().optional(),
  text: z.string().max(100_000).nullable().optional(),
  streaming: z.boolean().nullable().optional().describe("Ignored, as in Dify"),
});

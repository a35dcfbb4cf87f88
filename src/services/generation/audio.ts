// The rules of /api/audio-to-text and /api/text-to-audio (spec dify-web-api.md §4.20, §4.21,
// Dify's AudioService): feature gates, the audio MIME allow-list and 30 MB cap, which provider an
// app speaks through, and the text to speak. Cheap checks come before the body is read: the
// feature gate, then the part's type, then the provider, then the size while reading.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messages } from "../../db/schema";
import { AudioTooLarge, BadRequestKeyError, InvalidParam, NoAudioUploaded, NotFound, UnsupportedAudioType } from "../../lib/errors";
import { MultipartReader, multipartBoundary } from "../../lib/multipart";
import type { AudioClip } from "../../llm/audio";
import { appFeatures, WORKFLOW_MODES } from "../apps/app-params";
import type { AppContext } from "../apps/app-registry";
import { mediaType } from "../../lib/file-types";
import { isUuid } from "../../lib/ids";
import { isObject } from "../../lib/json";

/** Dify hard-codes 30 MB (services/audio_service.py), and its message names the number. */
export const AUDIO_SIZE_LIMIT_MB = 30;

// audio/<ext> for Dify's AUDIO_EXTENSIONS (mp3 m4a wav amr mpga), plus the registered names of the
// same formats that browsers and recorders send (Dify's newest maps audio/x-m4a the same way).
const AUDIO_TYPES: Record<string, string> = {
  "audio/mp3": "mp3",
  "audio/mpeg": "mp3",
  "audio/mpga": "mpga",
  "audio/m4a": "m4a",
  "audio/x-m4a": "m4a",
  "audio/mp4": "m4a",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/amr": "amr",
};

type Json = Record<string, unknown>;

/** The app's speech_to_text / text_to_speech feature when enabled, else null. */
export function audioFeature(ctx: AppContext, key: "speech_to_text" | "text_to_speech"): Json | null {
  const feature = appFeatures(ctx).features[key];
  return isObject(feature) && feature.enabled === true ? feature : null;
}

/** The Dify provider string the app's model runs on: the model config's, or a workflow's first LLM node's. */
export function appModelProvider(ctx: AppContext): string {
  if (WORKFLOW_MODES.has(ctx.app.mode)) {
    const nodes = (ctx.workflow?.graph as { nodes?: unknown[] } | undefined)?.nodes ?? [];
    for (const node of nodes) {
      const data = (node as { data?: Json }).data;
      const provider = data?.type === "llm" && isObject(data.model) ? data.model.provider : null;
      if (typeof provider === "string" && provider) return provider;
    }
    return "";
  }
  const model = ctx.modelConfig?.model;
  return ctx.modelConfig?.provider ?? (isObject(model) && typeof model.provider === "string" ? model.provider : "");
}

/**
 * Reads the `file` part of an audio-to-text request. `beforeBody` runs once the part's headers
 * passed (the provider check), so a refused request does not read 30 MB for nothing.
 */
export async function readAudioPart(body: ReadableStream<Uint8Array> | null, contentType: string | undefined, beforeBody: () => Promise<void>): Promise<AudioClip> {
  const boundary = multipartBoundary(contentType);
  if (body && boundary) {
    for await (const part of new MultipartReader(body, boundary).parts()) {
      if (part.name !== "file" || part.filename === null) continue;
      const extension = AUDIO_TYPES[mediaType(part.contentType)];
      if (!extension) throw new UnsupportedAudioType();
      await beforeBody();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of part.body) {
        size += chunk.byteLength;
        if (size > AUDIO_SIZE_LIMIT_MB * 1024 * 1024) throw new AudioTooLarge(`Audio size larger than ${AUDIO_SIZE_LIMIT_MB} mb`);
        chunks.push(chunk);
      }
      if (size === 0) throw new NoAudioUploaded();
      // Dify names every clip temp.mp3; a name matching the real type lets the provider decode it.
      return { data: new Blob(chunks, { type: mediaType(part.contentType) }), filename: `audio.${extension}` };
    }
  }
  // werkzeug's KeyError for request.files["file"].
  throw new BadRequestKeyError();
}

/**
 * The text to speak for a text-to-audio request: the answer of one of the caller's own messages
 * (beyond Dify, which looks message ids up without an owner), or `text`. null: an empty answer,
 * which Dify answers with JSON null.
 */
export async function speechText(db: Db, ctx: AppContext, endUserId: string, input: { message_id?: string | null; text?: string | null }): Promise<string | null> {
  if (input.message_id) {
    const message = isUuid(input.message_id)
      ? await db
          .select({ answer: messages.answer })
          .from(messages)
          .where(and(eq(messages.id, input.message_id.toLowerCase()), eq(messages.appId, ctx.app.id), eq(messages.fromEndUserId, endUserId)))
          .get()
      : undefined;
    if (!message) throw new NotFound("Message Not Exists.");
    return message.answer.trim() === "" ? null : message.answer;
  }
  if (!input.text) throw new InvalidParam("Text is required");
  return input.text;
}

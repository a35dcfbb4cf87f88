// POST /api/audio-to-text and POST /api/text-to-audio (spec dify-web-api.md §4.20, §4.21).
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { InvalidParam, ProviderNotSupportSpeechToText } from "../lib/errors";
import { doc, multipartBody, validate } from "../http/validate";
import { speechToTextModel, synthesize, transcribe } from "../llm/audio";
import { audioToTextForm, audioToTextResponse, textToAudioBody } from "../schemas/files";
import { appModelProvider, audioFeature, readAudioPart, speechText } from "../services/generation/audio";
import { resolveProvider } from "../llm/registry";

export const audioRoutes = new Hono<WebAppEnv>();

audioRoutes.post(
  "/audio-to-text",
  doc({
    summary: "Transcribe speech (multipart part `file`, at most 30 MB) with the app's provider",
    tags: ["audio"],
    responses: { 200: { description: "Transcript", schema: audioToTextResponse } },
  }),
  multipartBody(audioToTextForm),
  passportAuth,
  async (c) => {
    const ctx = c.get("appContext");
    if (!audioFeature(ctx, "speech_to_text")) throw new InvalidParam("Speech to text is not enabled");
    const config = c.get("config");
    const provider = await resolveProvider(getDb(c.env.DB), config.secretKey, appModelProvider(ctx), config.defaultModelProvider);
    const clip = await readAudioPart(c.req.raw.body, c.req.header("Content-Type"), async () => {
      if (!speechToTextModel(provider)) throw new ProviderNotSupportSpeechToText();
    });
    return c.json({ text: await transcribe(provider, clip, c.env, c.get("endUser").id) });
  },
);

audioRoutes.post(
  "/text-to-audio",
  doc({
    summary: "Speak a text or one of the caller's messages with the app's provider (audio bytes, streamed)",
    tags: ["audio"],
    responses: { 200: { description: "Audio (null for a message with an empty answer)", contentType: "audio/mpeg" } },
  }),
  passportAuth,
  validate("json", textToAudioBody),
  async (c) => {
    const ctx = c.get("appContext");
    const body = c.req.valid("json");
    const text = await speechText(getDb(c.env.DB), ctx, c.get("endUser").id, body);
    if (text === null) return c.json(null);
    const feature = audioFeature(ctx, "text_to_speech");
    if (!feature) throw new InvalidParam("TTS is not enabled");
    const config = c.get("config");
    const provider = await resolveProvider(getDb(c.env.DB), config.secretKey, appModelProvider(ctx), config.defaultModelProvider);
    const voice = body.voice || (typeof feature.voice === "string" && feature.voice) || null;
    const language = typeof feature.language === "string" ? feature.language : null;
    const audio = await synthesize(provider, { text, voice, language }, c.env, c.get("endUser").id);
    return new Response(audio.body, { headers: { "Content-Type": audio.contentType } });
  },
);

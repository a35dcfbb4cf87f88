// Dify's `audio` provider: tts (text → an audio file) and asr (an audio file → text), through the
// app's model provider (src/llm/audio.ts, as /api/text-to-audio and /api/audio-to-text). Dify's form
// parameter `model` ("<provider>#<model>") picks the model; here it overrides the provider's
// configured tts_model / stt_model, and "voice#<provider>#<model>" its voice. The spoken audio is saved
// with context.saveFile under its real type (Dify labels every clip audio/x-wav).
import { ApiError } from "../../lib/errors";
import { type ResolvedProvider } from "../../llm/registry";
import { synthesize, transcribe } from "../../llm/audio";
import { isFile } from "../../workflow/segments";
import type { Json } from "../../workflow/segments";
import type { Tool, ToolContext } from "../types";
import { ToolError } from "../types";
import { builtinTool, param, text } from "./define";

// Speech of the longest text a model sends stays far below this; it bounds what is held in memory.
const MAX_AUDIO_BYTES = 50 * 1024 * 1024;

function providerFor(context: ToolContext, args: Json, key: "tts_model" | "stt_model"): ResolvedProvider {
  if (!context.provider) throw new ToolError("The app has no model provider for audio.");
  const chosen = typeof args.model === "string" ? args.model.split("#").at(-1) : "";
  return chosen ? { ...context.provider, config: { ...context.provider.config, [key]: chosen } } : context.provider;
}

/** Provider failures (no TTS model, HTTP errors) become the tool's error, with the provider's message. */
async function viaProvider<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError) throw new ToolError(err.message);
    throw err;
  }
}

async function readAll(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_AUDIO_BYTES) throw new ToolError(`The audio is larger than ${MAX_AUDIO_BYTES / 1024 / 1024} MB.`);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const EXTENSIONS: Record<string, string> = { "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/ogg": "ogg", "audio/opus": "opus", "audio/aac": "aac", "audio/flac": "flac" };

export function audioTools(): Tool[] {
  const tts = builtinTool(
    "audio",
    {
      name: "tts",
      label: "Text To Speech",
      description: "Convert text to audio file.",
      parameters: [
        param("text", "string", { required: true, label: "Text", description: "The text to be converted." }),
        param("model", "select", { form: "form", label: "Model", description: "The TTS model, as <provider>#<model>; the provider's configured one when empty." }),
      ],
    },
    async (args, context) => {
      const provider = providerFor(context, args, "tts_model");
      const voiceKey = typeof args.model === "string" ? `voice#${args.model}` : "";
      const voice = voiceKey && typeof args[voiceKey] === "string" ? (args[voiceKey] as string) : null;
      const speech = await viaProvider(() =>
        synthesize(provider, { text: String(args.text ?? ""), voice, language: null }, { AI: context.env.AI }, context.userId),
      );
      const bytes = await readAll(speech.body, context.signal);
      const mimeType = speech.contentType.split(";")[0].trim() || "audio/mpeg";
      const file = await context.saveFile(bytes, `${crypto.randomUUID()}.${EXTENSIONS[mimeType] ?? "mp3"}`, mimeType);
      return { text: "Audio generated successfully", json: [], files: [file] };
    },
  );

  const asr = builtinTool(
    "audio",
    {
      name: "asr",
      label: "Speech To Text",
      description: "Convert audio file to text.",
      parameters: [
        param("audio_file", "file", { required: true, label: "Audio File", description: "The audio file to be converted." }),
        param("model", "select", { form: "form", label: "Model", description: "The ASR model, as <provider>#<model>; the provider's configured one when empty." }),
      ],
    },
    async (args, context) => {
      const file = args.audio_file;
      if (!isFile(file) || file.type !== "audio") return text("not a valid audio file");
      const provider = providerFor(context, args, "stt_model");
      const bytes = await context.readFile(file);
      // The upstream infers the container from the name; Dify always says temp.mp3.
      const clip = { data: new Blob([bytes], { type: file.mime_type }), filename: `audio${file.extension || ".mp3"}` };
      return text(await viaProvider(() => transcribe(provider, clip, { AI: context.env.AI }, context.userId)));
    },
  );

  return [tts, asr];
}

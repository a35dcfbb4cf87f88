// Speech-to-text and text-to-speech through an app's model provider. OpenAI-compatible providers:
// POST {base_url}/audio/transcriptions (multipart) and POST {base_url}/audio/speech (JSON → audio
// bytes, streamed through). Workers AI: whisper and MeloTTS through the AI binding. The built-in echo
// provider has neither. Models come from the provider's config (stt_model, tts_model, tts_voice);
// setting stt_model or tts_model to null turns that capability off for a provider.
import { CompletionRequestError, ProviderNotInitialize, ProviderNotSupportSpeechToText, ProviderNotSupportTextToSpeech } from "../lib/errors";
import { base64ToBytes, bytesToBase64 } from "../lib/crypto";
import type { ResolvedProvider } from "./registry";
import { upstreamError } from "./upstream-errors";

export interface AudioBindings {
  AI?: Ai;
}

export interface AudioClip {
  data: Blob;
  /** The name the upstream sees; OpenAI infers the container from its extension. */
  filename: string;
}

export interface SpeechRequest {
  text: string;
  /** null: the provider's default (config tts_voice, else "alloy"). */
  voice: string | null;
  /** The app's text_to_speech.language, e.g. "en-US" (MeloTTS takes "en"). */
  language: string | null;
}

export interface SpeechAudio {
  body: ReadableStream<Uint8Array>;
  contentType: string;
}

const DEFAULT_MODELS = {
  "openai-compatible": { stt: "whisper-1", tts: "tts-1" },
  "workers-ai": { stt: "@cf/openai/whisper", tts: "@cf/myshell-ai/melotts" },
} as const;

// OpenAI's /audio/speech takes at most 4096 characters per request.
const SPEECH_CHUNK_CHARS = 4000;

function model(provider: ResolvedProvider, key: "stt" | "tts"): string | null {
  if (provider.type === "echo") return null;
  const configured = provider.config[`${key}_model`];
  if (configured === null || configured === false || configured === "") return null;
  return typeof configured === "string" ? configured : DEFAULT_MODELS[provider.type][key];
}

export const speechToTextModel = (provider: ResolvedProvider): string | null => model(provider, "stt");
export const textToSpeechModel = (provider: ResolvedProvider): string | null => model(provider, "tts");

function endpoint(provider: ResolvedProvider, path: string): { url: string; headers: Record<string, string> } {
  if (!provider.baseUrl) throw new ProviderNotInitialize(`Model provider "${provider.name}" has no base_url.`);
  return {
    url: `${provider.baseUrl.replace(/\/+$/, "")}${path}`,
    headers: provider.apiKey ? { Authorization: `Bearer ${provider.apiKey}` } : {},
  };
}

/** Runs a Workers AI model named in the provider config (so not one of the typed model names). */
async function runWorkersAi(provider: ResolvedProvider, bindings: AudioBindings, modelName: string, input: unknown): Promise<unknown> {
  if (!bindings.AI) throw new ProviderNotInitialize(`Model provider "${provider.name}" needs the Workers AI binding AI, which is not configured.`);
  const run = bindings.AI.run.bind(bindings.AI) as (model: string, inputs: unknown) => Promise<unknown>;
  try {
    return await run(modelName, input);
  } catch {
    throw new CompletionRequestError(`[${provider.name}] Workers AI ${modelName} failed`);
  }
}

async function call(provider: ResolvedProvider, url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new CompletionRequestError(`[${provider.name}] the provider could not be reached`);
  }
  if (!res.ok) throw await upstreamError(res, provider.name);
  return res;
}

/** Speech-to-text; throws provider_not_support_speech_to_text when the provider has none. */
export async function transcribe(provider: ResolvedProvider, clip: AudioClip, bindings: AudioBindings, user?: string): Promise<string> {
  const sttModel = speechToTextModel(provider);
  if (!sttModel) throw new ProviderNotSupportSpeechToText();
  if (provider.type === "workers-ai") {
    const bytes = new Uint8Array(await clip.data.arrayBuffer());
    // whisper and whisper-tiny-en take a byte array; whisper-large-v3-turbo takes base64.
    const input = /large-v3/.test(sttModel) ? { audio: bytesToBase64(bytes) } : { audio: [...bytes] };
    const result = (await runWorkersAi(provider, bindings, sttModel, input)) as { text?: unknown } | null;
    return typeof result?.text === "string" ? result.text.trim() : "";
  }
  const { url, headers } = endpoint(provider, "/audio/transcriptions");
  const form = new FormData();
  form.append("file", clip.data, clip.filename);
  form.append("model", sttModel);
  form.append("response_format", "json");
  if (user) form.append("user", user);
  const res = await call(provider, url, { method: "POST", headers, body: form });
  const body = (await res.json().catch(() => ({}))) as { text?: unknown };
  if (typeof body.text !== "string") throw new CompletionRequestError(`[${provider.name}] the transcription answer has no text`);
  return body.text;
}

/** Splits text at sentence ends (else spaces) into pieces the speech endpoint accepts. */
export function speechChunks(text: string, max = SPEECH_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const sentenceEnd = Math.max(...[".", "!", "?", "。", "！", "？", "\n"].map((mark) => window.lastIndexOf(mark)));
    const space = window.lastIndexOf(" ");
    const cut = sentenceEnd > 0 ? sentenceEnd + 1 : space > 0 ? space + 1 : max;
    chunks.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/** Text-to-speech; the audio streams back as the provider sends it. */
export async function synthesize(provider: ResolvedProvider, request: SpeechRequest, bindings: AudioBindings, user?: string): Promise<SpeechAudio> {
  const ttsModel = textToSpeechModel(provider);
  if (!ttsModel) throw new ProviderNotSupportTextToSpeech();
  if (provider.type === "workers-ai") {
    const lang = (request.language || "en").split(/[-_]/)[0].toLowerCase();
    const result = await runWorkersAi(provider, bindings, ttsModel, { prompt: request.text, lang });
    if (result instanceof ReadableStream) return { body: result, contentType: "audio/mpeg" };
    const audio = (result as { audio?: unknown })?.audio;
    if (typeof audio !== "string") throw new CompletionRequestError(`[${provider.name}] Workers AI ${ttsModel} returned no audio`);
    return { body: new Response(base64ToBytes(audio)).body!, contentType: "audio/mpeg" };
  }
  const { url, headers } = endpoint(provider, "/audio/speech");
  const voice = request.voice || (typeof provider.config.tts_voice === "string" && provider.config.tts_voice) || "alloy";
  const speak = (input: string) =>
    call(provider, url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ model: ttsModel, input, voice, response_format: "mp3", ...(user ? { user } : {}) }),
    });
  const [first, ...more] = speechChunks(request.text);
  // The first request is made now, so a provider error is still an HTTP error, not a cut stream.
  const head = await speak(first ?? "");
  const contentType = head.headers.get("Content-Type") || "audio/mpeg";
  if (more.length === 0 && head.body) return { body: head.body, contentType };
  // Longer text: MP3 frames concatenate, so each piece's audio follows the previous one.
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  (async () => {
    try {
      await head.body?.pipeTo(writable, { preventClose: true });
      for (const piece of more) await (await speak(piece)).body?.pipeTo(writable, { preventClose: true });
      await writable.close();
    } catch (err) {
      await writable.abort(err).catch(() => {});
    }
  })();
  return { body: readable, contentType };
}

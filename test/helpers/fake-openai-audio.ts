// A fake OpenAI-compatible audio API, served through the fake internet: it parses the multipart
// transcription request with the runtime's own form-data parser and answers speech requests with
// MP3 bytes under audio/mpeg, as the real endpoints do.
import type { Handler } from "./fake-internet";

export const AUDIO_API_KEY = "sk-test-audio";

export interface Transcription {
  model: string;
  filename: string;
  type: string;
  size: number;
  bytes: Uint8Array;
  responseFormat: string | null;
  user: string | null;
}

export interface Speech {
  model: string;
  input: string;
  voice: string;
  responseFormat: string;
}

/** A tiny MP3: an ID3v2 header, then one frame header carrying the spoken text as payload. */
export function fakeMp3(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const bytes = new Uint8Array(10 + 4 + payload.byteLength);
  bytes.set([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0]);
  bytes.set([0xff, 0xfb, 0x90, 0x64], 10);
  bytes.set(payload, 14);
  return bytes;
}

const error = (status: number, message: string) => Response.json({ error: { message, type: "invalid_request_error" } }, { status });

export function openAiAudioServer(options: { transcript?: string } = {}) {
  const transcriptions: Transcription[] = [];
  const speeches: Speech[] = [];
  const handler: Handler = async (request) => {
    if (request.headers.get("Authorization") !== `Bearer ${AUDIO_API_KEY}`) return error(401, "Incorrect API key provided");
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && path === "/v1/audio/transcriptions") {
      if (!/^multipart\/form-data; boundary=/.test(request.headers.get("Content-Type") ?? "")) return error(400, "expected multipart/form-data");
      const form = await request.formData();
      const file = form.get("file") as unknown;
      const model = form.get("model");
      if (!(file instanceof File) || typeof model !== "string") return error(400, "file and model are required");
      const bytes = new Uint8Array(await file.arrayBuffer());
      transcriptions.push({
        model,
        filename: file.name,
        type: file.type,
        size: file.size,
        bytes,
        responseFormat: form.get("response_format") as string | null,
        user: form.get("user") as string | null,
      });
      return Response.json({ text: options.transcript ?? `heard ${file.size} bytes` });
    }
    if (request.method === "POST" && path === "/v1/audio/speech") {
      const body = (await request.json()) as { model?: string; input?: string; voice?: string; response_format?: string };
      if (!body.model || !body.input || !body.voice) return error(400, "model, input and voice are required");
      if (body.input.length > 4096) return error(400, "input is longer than 4096 characters");
      speeches.push({ model: body.model, input: body.input, voice: body.voice, responseFormat: body.response_format ?? "mp3" });
      return new Response(fakeMp3(body.input), { headers: { "Content-Type": "audio/mpeg" } });
    }
    return error(404, `no route ${request.method} ${path}`);
  };
  return { handler, transcriptions, speeches };
}

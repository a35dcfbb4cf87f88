import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { speechChunks } from "../../src/llm/audio";
import { audioToTextResponse } from "../../src/schemas/files";
import { base64ToBytes, bytesToBase64 } from "../../src/lib/crypto";
import { admin, appSession, call, expectError, expectShape, json, passport, webHeaders } from "../helpers/api";
import { fakeInternet } from "../helpers/fake-internet";
import { AUDIO_API_KEY, fakeMp3, openAiAudioServer } from "../helpers/fake-openai-audio";
import { demoApp, fixture } from "../helpers/fixtures";
import { chatAppYaml, pseudoRandomBytes, type Session } from "../helpers/files";

const AUDIO_HOST = "audio.example.com";
const enabled = {
  speechToText: { enabled: true },
  textToSpeech: { enabled: true, voice: "nova", language: "en-US", autoPlay: "disabled" },
};

interface App extends Session {
  endUserId: string;
}

let openai: App;
let echo: App;
let disabled: App;
let server: ReturnType<typeof openAiAudioServer>;

async function registerProvider(name: string, body: Record<string, unknown>) {
  const res = await admin(`/admin/model-providers/${name}`, json(body, { method: "PUT" }));
  expect(res.status, await res.clone().text()).toBe(200);
}

async function app(yaml: string, userId?: string): Promise<App> {
  const session = await appSession(yaml, userId);
  const site = (await (await session.get("/api/site")).json()) as { end_user_id: string };
  return { app: session.app, token: session.token, endUserId: site.end_user_id };
}

function speechForm(bytes: Uint8Array, type = "audio/mp3", name = "temp.mp3"): FormData {
  const form = new FormData();
  form.append("file", new File([bytes], name, { type }));
  form.append("word_timestamps", "disabled");
  return form;
}

const audioToText = (who: Session, body: FormData | string) =>
  call("/api/audio-to-text", {
    method: "POST",
    body,
    headers: { "X-App-Code": who.app.site_code, "X-App-Passport": who.token, ...(typeof body === "string" ? { "Content-Type": "application/json" } : {}) },
  });
const textToAudio = (who: Session, body: unknown) => call("/api/text-to-audio", json(body, { headers: webHeaders(who.app.site_code, who.token) }));

async function insertMessage(who: App, answer: string): Promise<string> {
  const id = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO messages (id, app_id, conversation_id, inputs, query, answer, from_source, from_end_user_id) VALUES (?, ?, ?, '{}', 'hi', ?, 'api', ?)",
  )
    .bind(id, who.app.app_id, crypto.randomUUID(), answer, who.endUserId)
    .run();
  return id;
}

beforeAll(async () => {
  await registerProvider("openai", {
    type: "openai-compatible",
    base_url: `https://${AUDIO_HOST}/v1/`,
    api_key: AUDIO_API_KEY,
    config: { stt_model: "whisper-large", tts_model: "tts-1-hd" },
  });
  openai = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "langgenius/openai/openai" }));
  echo = await app(chatAppYaml(demoApp("chat"), enabled));
  disabled = await app(demoApp("chat"));
});

beforeEach(() => {
  server = openAiAudioServer();
  fakeInternet({ [AUDIO_HOST]: server.handler });
});

afterEach(() => {
  vi.restoreAllMocks();
  delete (env as { AI?: Ai }).AI;
});

describe("POST /api/audio-to-text", () => {
  it("transcribes through the app's OpenAI-compatible provider with a real multipart request", async () => {
    const clip = pseudoRandomBytes(50_000, 21);
    const body = await expectShape(await audioToText(openai, speechForm(clip)), audioToTextResponse);
    expect(body).toEqual({ text: "heard 50000 bytes" });
    expect(server.transcriptions).toHaveLength(1);
    const [sent] = server.transcriptions;
    expect(sent).toMatchObject({ model: "whisper-large", filename: "audio.mp3", type: "audio/mp3", size: 50_000, responseFormat: "json", user: openai.endUserId });
    expect(sent.bytes.join(",")).toBe(clip.join(","));
  });

  it("uses whisper-1 when the provider names no model, and the workflow's features and LLM provider", async () => {
    await registerProvider("tongyi", { type: "openai-compatible", base_url: `https://${AUDIO_HOST}/v1`, api_key: AUDIO_API_KEY });
    const yaml = fixture("echo-chat").replace("    speech_to_text:\n      enabled: false", "    speech_to_text:\n      enabled: true");
    const workflow = await app(yaml);
    expect((await audioToText(workflow, speechForm(new Uint8Array([1, 2, 3]), "audio/wav", "a.wav"))).status).toBe(200);
    expect(server.transcriptions.map((t) => [t.model, t.filename, t.type])).toEqual([["whisper-1", "audio.wav", "audio/wav"]]);
    await expectError(await audioToText(await app(fixture("echo-chat")), speechForm(new Uint8Array([1]))), 400, "invalid_param", "Speech to text is not enabled");
  });

  it("answers Dify's errors for disabled apps, missing, mistyped, empty and oversized audio", async () => {
    await expectError(await audioToText(disabled, speechForm(new Uint8Array([1]))), 400, "invalid_param", "Speech to text is not enabled");
    await expectError(await audioToText(openai, "{}"), 400, "bad_request_key_error");
    const noFile = new FormData();
    noFile.append("word_timestamps", "disabled");
    await expectError(await audioToText(openai, noFile), 400, "bad_request_key_error");
    for (const type of ["audio/webm", "video/mp4", "application/octet-stream", ""]) {
      await expectError(await audioToText(openai, speechForm(new Uint8Array([1]), type)), 415, "unsupported_audio_type", "Audio type not allowed.");
    }
    await expectError(await audioToText(openai, speechForm(new Uint8Array(0))), 400, "no_audio_uploaded", "Please upload your audio.");
    const tooBig = new Uint8Array(30 * 1024 * 1024 + 1);
    await expectError(await audioToText(openai, speechForm(tooBig)), 413, "audio_too_large", "Audio size larger than 30 mb");
    expect(server.transcriptions).toHaveLength(0);
  });

  it("accepts the registered names of Dify's audio formats", async () => {
    for (const type of ["audio/mpeg", "audio/x-m4a", "audio/m4a", "audio/x-wav", "audio/amr", "audio/mpga", "AUDIO/MP3"]) {
      expect((await audioToText(openai, speechForm(new Uint8Array([1, 2]), type))).status, type).toBe(200);
    }
  });

  it("answers provider_not_support_speech_to_text for providers without one, before reading the audio", async () => {
    await expectError(await audioToText(echo, speechForm(new Uint8Array([1]))), 400, "provider_not_support_speech_to_text", "Provider not support speech to text.");
    await registerProvider("nostt", { type: "openai-compatible", base_url: `https://${AUDIO_HOST}/v1`, api_key: AUDIO_API_KEY, config: { stt_model: null } });
    const noStt = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "nostt" }));
    await expectError(await audioToText(noStt, speechForm(new Uint8Array(31 * 1024 * 1024))), 400, "provider_not_support_speech_to_text");
  });

  it("reports provider failures with Dify's codes without leaking the key", async () => {
    await registerProvider("badkey", { type: "openai-compatible", base_url: `https://${AUDIO_HOST}/v1`, api_key: "sk-wrong" });
    const bad = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "badkey" }));
    const body = await expectError(await audioToText(bad, speechForm(new Uint8Array([1]))), 400, "provider_not_initialize", 'The model provider "badkey" rejected its credentials (HTTP 401): Incorrect API key provided');
    expect(JSON.stringify(body)).not.toContain("sk-wrong");
    await registerProvider("offline", { type: "openai-compatible", base_url: "https://offline.example.com/v1", api_key: "k" });
    const offline = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "offline" }));
    await expectError(await audioToText(offline, speechForm(new Uint8Array([1]))), 400, "completion_request_error", "[offline] the provider could not be reached");
  });

  it("transcribes with Workers AI whisper through the AI binding", async () => {
    await registerProvider("cfai", { type: "workers-ai" });
    const cf = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "cfai" }));
    await expectError(await audioToText(cf, speechForm(new Uint8Array([1]))), 400, "provider_not_initialize");
    const runs: [string, unknown][] = [];
    (env as { AI?: unknown }).AI = {
      run: async (model: string, input: { audio: number[] }) => {
        runs.push([model, input]);
        return { text: ` ${input.audio.length} bytes heard `, word_count: 3 };
      },
    };
    expect(await (await audioToText(cf, speechForm(new Uint8Array([7, 8, 9])))).json()).toEqual({ text: "3 bytes heard" });
    expect(runs).toEqual([["@cf/openai/whisper", { audio: [7, 8, 9] }]]);
  });

  it("requires a passport", async () => {
    await expectError(await call("/api/audio-to-text", { method: "POST", body: speechForm(new Uint8Array([1])) }), 401, "unauthorized");
  });
});

describe("POST /api/text-to-audio", () => {
  it("streams the provider's audio with its content type, using the app's voice", async () => {
    const res = await textToAudio(openai, { text: "Hello there.", streaming: true, voice: null, message_id: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fakeMp3("Hello there."));
    expect(server.speeches).toEqual([{ model: "tts-1-hd", input: "Hello there.", voice: "nova", responseFormat: "mp3" }]);
    await (await textToAudio(openai, { text: "Hi", voice: "echo" })).arrayBuffer();
    expect(server.speeches[1].voice).toBe("echo");
  });

  it("speaks the caller's own message, and answers 404 for anyone else's", async () => {
    const mine = await insertMessage(openai, "The answer is 42.");
    const res = await textToAudio(openai, { message_id: mine, text: "ignored" });
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fakeMp3("The answer is 42."));

    const other = { app: openai.app, token: await passport(openai.app.site_code, "someone-else") };
    await expectError(await textToAudio(other, { message_id: mine }), 404, "not_found", "Message Not Exists.");
    await expectError(await textToAudio(openai, { message_id: crypto.randomUUID() }), 404, "not_found", "Message Not Exists.");
    await expectError(await textToAudio(openai, { message_id: "not-a-uuid" }), 404, "not_found", "Message Not Exists.");
    const elsewhere = await insertMessage(echo, "Another app's answer.");
    await expectError(await textToAudio(openai, { message_id: elsewhere }), 404, "not_found");

    // Dify answers JSON null for a message without an answer.
    const empty = await insertMessage(openai, "");
    const nothing = await textToAudio(openai, { message_id: empty });
    expect(nothing.status).toBe(200);
    expect(await nothing.json()).toBeNull();
    expect(server.speeches).toHaveLength(1);
  });

  it("answers Dify's messages for missing text, disabled TTS and providers without speech", async () => {
    await expectError(await textToAudio(openai, {}), 400, "invalid_param", "Text is required");
    await expectError(await textToAudio(openai, { text: "", message_id: "" }), 400, "invalid_param", "Text is required");
    await expectError(await textToAudio(disabled, { text: "hi" }), 400, "invalid_param", "TTS is not enabled");
    await expectError(await textToAudio(echo, { text: "hi" }), 400, "provider_not_support_text_to_speech", "Provider not support text to speech.");
    await expectError(await textToAudio(openai, { text: 5 }), 400, "invalid_param");
    expect(server.speeches).toHaveLength(0);
  });

  it("speaks long text in pieces the endpoint accepts, as one audio stream", async () => {
    const sentence = "This sentence is part of a long answer. ";
    const text = sentence.repeat(250).trim();
    const res = await textToAudio(openai, { text });
    const audio = new Uint8Array(await res.arrayBuffer());
    expect(server.speeches.length).toBeGreaterThan(2);
    expect(server.speeches.every((s) => s.input.length <= 4000 && s.input.endsWith("."))).toBe(true);
    expect(server.speeches.map((s) => s.input).join(" ")).toBe(text);
    const expected = server.speeches.map((s) => fakeMp3(s.input));
    expect(audio.byteLength).toBe(expected.reduce((n, b) => n + b.byteLength, 0));
    expect(audio.subarray(0, expected[0].byteLength)).toEqual(expected[0]);
  });

  it("speaks with Workers AI MeloTTS in the app's language", async () => {
    await registerProvider("cfai", { type: "workers-ai" });
    const cf = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "cfai" }));
    const runs: [string, unknown][] = [];
    (env as { AI?: unknown }).AI = {
      run: async (model: string, input: { prompt: string }) => {
        runs.push([model, input]);
        return { audio: bytesToBase64(fakeMp3(input.prompt)) };
      },
    };
    const res = await textToAudio(cf, { text: "Bonjour" });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fakeMp3("Bonjour"));
    expect(runs).toEqual([["@cf/myshell-ai/melotts", { prompt: "Bonjour", lang: "en" }]]);
    expect(base64ToBytes(bytesToBase64(fakeMp3("x")))).toEqual(fakeMp3("x"));
  });

  it("reports provider failures with Dify's codes", async () => {
    await registerProvider("badkey", { type: "openai-compatible", base_url: `https://${AUDIO_HOST}/v1`, api_key: "sk-wrong" });
    const bad = await app(chatAppYaml(demoApp("chat"), { ...enabled, provider: "badkey" }));
    await expectError(await textToAudio(bad, { text: "hi" }), 400, "provider_not_initialize", 'The model provider "badkey" rejected its credentials (HTTP 401): Incorrect API key provided');
  });
});

describe("speechChunks", () => {
  it("cuts at sentence ends, else at spaces, within the limit", () => {
    expect(speechChunks("One. Two. Three.", 10)).toEqual(["One. Two.", "Three."]);
    expect(speechChunks("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", "cccc"]);
    expect(speechChunks("abcdefghijkl", 5)).toEqual(["abcde", "fghij", "kl"]);
    expect(speechChunks("  ")).toEqual([]);
  });
});

// The audio built-ins (tts, asr) through the app's provider, against a fake OpenAI-compatible audio
// API that parses the real multipart transcription request and answers speech with MP3 bytes.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ResolvedProvider } from "../../src/llm/registry";
import { audioTools } from "../../src/tools/builtin/audio";
import { resolveArguments } from "../../src/tools/registry";
import { type Tool, ToolError } from "../../src/tools/types";
import { fakeInternet } from "../helpers/fake-internet";
import { AUDIO_API_KEY, fakeMp3, openAiAudioServer } from "../helpers/fake-openai-audio";
import { fileValue } from "../workflow/nodes/file-values";
import { toolContext } from "./context";

const provider = (over: Partial<ResolvedProvider> = {}): ResolvedProvider => ({
  name: "openai",
  type: "openai-compatible",
  baseUrl: "https://audio.example.com/v1",
  apiKey: AUDIO_API_KEY,
  config: {},
  ...over,
});

const [tts, asr] = audioTools();
const run = (tool: Tool, params: Record<string, unknown>, config: Record<string, unknown>, context: ReturnType<typeof toolContext>) =>
  tool.call(resolveArguments(tool, { toolParameters: params, toolConfigurations: config }), context);

async function toolFailure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as Error).message;
}

afterEach(() => vi.restoreAllMocks());

describe("audio.tts", () => {
  it("speaks the text with the provider's TTS model and saves the MP3 as a tool file", async () => {
    const server = openAiAudioServer();
    fakeInternet({ "audio.example.com": server.handler });
    const context = toolContext({ provider: provider() });
    const result = await run(tts, { text: "Good morning" }, {}, context);
    expect(result.text).toBe("Audio generated successfully");
    expect(result.json).toEqual([]);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatchObject({ type: "audio", mime_type: "audio/mpeg", extension: ".mp3", transfer_method: "tool_file" });
    expect(server.speeches).toEqual([{ model: "tts-1", input: "Good morning", voice: "alloy", responseFormat: "mp3" }]);
    expect(context.saved[0].bytes).toEqual(fakeMp3("Good morning"));
  });

  it("takes the model from the form (<provider>#<model>) and its voice from voice#<provider>#<model>", async () => {
    const server = openAiAudioServer();
    fakeInternet({ "audio.example.com": server.handler });
    await run(tts, { text: "hi" }, { model: "openai#tts-1-hd", "voice#openai#tts-1-hd": "nova" }, toolContext({ provider: provider() }));
    expect(server.speeches[0]).toMatchObject({ model: "tts-1-hd", voice: "nova" });
  });

  it("fails as a tool error without a provider, with a provider that has no TTS, and when the provider refuses", async () => {
    fakeInternet({ "audio.example.com": openAiAudioServer().handler });
    expect(await toolFailure(run(tts, { text: "hi" }, {}, toolContext()))).toBe("The app has no model provider for audio.");
    expect(await toolFailure(run(tts, { text: "hi" }, {}, toolContext({ provider: provider({ name: "echo", type: "echo", baseUrl: null, apiKey: null }) })))).toBe("Provider not support text to speech.");
    expect(await toolFailure(run(tts, { text: "hi" }, {}, toolContext({ provider: provider({ apiKey: "sk-wrong" }) })))).toMatch(/Incorrect API key provided/);
  });
});

describe("audio.asr", () => {
  it("transcribes an audio file through the provider's speech-to-text model", async () => {
    const server = openAiAudioServer({ transcript: "hello from the clip" });
    fakeInternet({ "audio.example.com": server.handler });
    const clip = fakeMp3("spoken words");
    const file = fileValue("memo.mp3", { type: "audio", mime_type: "audio/mpeg", related_id: "clip-1", size: clip.byteLength });
    const context = toolContext({ provider: provider(), files: new Map([["clip-1", clip]]) });
    expect(await run(asr, { audio_file: file }, {}, context)).toEqual({ text: "hello from the clip", json: [], files: [] });
    expect(server.transcriptions).toHaveLength(1);
    expect(server.transcriptions[0]).toMatchObject({ model: "whisper-1", filename: "audio.mp3", type: "audio/mpeg", size: clip.byteLength, user: "session-1" });
    expect(server.transcriptions[0].bytes).toEqual(clip);

    await run(asr, { audio_file: file }, { model: "openai#whisper-large" }, context);
    expect(server.transcriptions[1].model).toBe("whisper-large");
  });

  it("answers Dify's text for a file that is not audio, and requires the file", async () => {
    const server = openAiAudioServer();
    fakeInternet({ "audio.example.com": server.handler });
    const context = toolContext({ provider: provider() });
    expect((await run(asr, { audio_file: fileValue("notes.pdf", { type: "document" }) }, {}, context)).text).toBe("not a valid audio file");
    expect(() => resolveArguments(asr, { toolParameters: {} })).toThrow("Missing required parameter audio_file");
    expect(server.transcriptions).toHaveLength(0);
  });
});

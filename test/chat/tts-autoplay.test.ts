// text_to_speech autoPlay: the stream interleaves tts_message audio and ends it with tts_message_end.
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, appSession, json } from "../helpers/api";
import { chatYaml } from "../helpers/chat";
import { completionYaml } from "../helpers/completion";
import { FAKE_BASE, fakeOpenAIHandler } from "../helpers/fake-openai";
import { AUDIO_API_KEY, fakeMp3, openAiAudioServer } from "../helpers/fake-openai-audio";
import { fakeInternet } from "../helpers/fake-internet";
import { base64ToBytes } from "../../src/lib/crypto";
import { readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

const autoPlay = (yaml: string, autoPlayValue = "enabled") =>
  yaml.replace("  text_to_speech:\n    enabled: false", `  text_to_speech:\n    enabled: true\n    voice: nova\n    language: en-US\n    autoPlay: ${autoPlayValue}`);

async function setup(yaml: string) {
  const model = fakeOpenAIHandler();
  const audio = openAiAudioServer();
  fakeInternet({
    [new URL(FAKE_BASE).host]: (request) => (new URL(request.url).pathname.includes("/audio/") ? audio.handler(request) : model.handler(request)),
  });
  const put = await admin("/admin/model-providers/openai", json({ type: "openai-compatible", base_url: FAKE_BASE, api_key: AUDIO_API_KEY }, { method: "PUT" }));
  expect(put.status).toBe(200);
  return { model, audio, session: await appSession(yaml) };
}

describe("text-to-speech auto-play", () => {
  it("speaks a chat answer sentence by sentence and ends with tts_message_end after message_end", async () => {
    const { model, audio, session } = await setup(autoPlay(chatYaml()));
    model.use({ chunks: ["The tide comes in. ", "Then it goes", " out again!", " Bye"] });
    const res = await session.get("/api/chat-messages", json({ inputs: {}, query: "tides?", response_mode: "streaming" }));
    const read = await readSse(res.body!);
    const kinds = read.events.map((e) => e.data.event);
    expect(kinds.filter((k) => k === "message")).toHaveLength(4);
    expect(kinds.at(-1)).toBe("tts_message_end");
    expect(kinds.indexOf("message_end")).toBeLessThan(kinds.indexOf("tts_message_end"));
    const spoken = audio.speeches.map((s) => s.input);
    expect(spoken).toEqual(["The tide comes in.", "Then it goes out again!", "Bye"]);
    expect(audio.speeches.every((s) => s.voice === "nova" && s.model === "tts-1")).toBe(true);
    const clips = read.events.filter((e) => e.data.event === "tts_message");
    expect(clips).toHaveLength(3);
    expect(Object.keys(clips[0].data)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "audio"]);
    expect(base64ToBytes(clips[0].data.audio)).toEqual(fakeMp3("The tide comes in."));
    expect(read.events.at(-1)!.data.audio).toBe("");
  });

  it("works for completion apps and stays silent when autoPlay is disabled", async () => {
    const { model, audio, session } = await setup(autoPlay(completionYaml()));
    model.use({ chunks: ["One sentence here."] });
    const read = await readSse((await session.get("/api/completion-messages", json({ inputs: { topic: "t", tone: "formal" }, response_mode: "streaming" }))).body!);
    expect(read.events.map((e) => e.data.event)).toEqual(["message", "message_end", "tts_message", "tts_message_end"]);
    expect(read.events[2].data).not.toHaveProperty("conversation_id");
    expect(audio.speeches).toHaveLength(1);

    const quiet = await setup(autoPlay(chatYaml(), "disabled"));
    const events = (await readSse((await quiet.session.get("/api/chat-messages", json({ inputs: {}, query: "x", response_mode: "streaming" }))).body!)).events;
    expect(events.some((e) => e.data.event.startsWith("tts"))).toBe(false);
    expect(quiet.audio.speeches).toHaveLength(0);
  });
});

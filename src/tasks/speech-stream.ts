// Text-to-speech auto-play inside a generation (spec §5.5): the answer is spoken sentence by
// sentence as it streams; each sentence's audio goes out in order as a base64 `tts_message`.
// A sentence the provider fails to speak is skipped (Dify's publisher is best-effort too).
import { describeError, log } from "../lib/log";
import { type AudioBindings, synthesize } from "../llm/audio";
import { bytesToBase64 } from "../lib/crypto";
import type { ResolvedProvider } from "../llm/registry";

const SENTENCE_END = /[.!?。！？\n]/g;
const MIN_SENTENCE_CHARS = 12;

export class SpeechStream {
  private pending = "";
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly provider: ResolvedProvider,
    private readonly voice: { voice: string | null; language: string | null },
    private readonly bindings: AudioBindings,
    private readonly emitAudio: (base64: string) => void,
  ) {}

  /** Adds answer text; complete sentences are queued for speech. */
  push(text: string): void {
    this.pending += text;
    let cut = -1;
    for (const match of this.pending.matchAll(SENTENCE_END)) if (match.index + 1 >= MIN_SENTENCE_CHARS) cut = match.index + 1;
    if (cut === -1) return;
    this.speak(this.pending.slice(0, cut));
    this.pending = this.pending.slice(cut);
  }

  /** Speaks what is left and waits until every queued sentence was emitted. */
  async finish(): Promise<void> {
    if (this.pending.trim()) this.speak(this.pending);
    this.pending = "";
    await this.queue;
  }

  private speak(text: string): void {
    const sentence = text.trim();
    if (!sentence) return;
    this.queue = this.queue.then(async () => {
      try {
        const audio = await synthesize(this.provider, { text: sentence, ...this.voice }, this.bindings);
        this.emitAudio(bytesToBase64(new Uint8Array(await new Response(audio.body).arrayBuffer())));
      } catch (err) {
        log(null, "warn", "auto-play speech failed", { provider: this.provider.name, error: describeError(err) });
      }
    });
  }
}

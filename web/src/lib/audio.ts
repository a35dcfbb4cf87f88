// Voice input and read-aloud. The speech-to-text endpoint takes mp3/m4a/wav/amr only (spec
// dify-web-api.md §4.20) and browsers record webm/ogg, so the microphone is captured as PCM and
// written as a 16-bit mono WAV. Read-aloud plays the audio/mpeg that POST /api/text-to-audio returns.
import { api, failureOf, request } from "./api";

export class WavRecorder {
  private chunks: Float32Array[] = [];
  private context?: AudioContext;
  private stream?: MediaStream;
  private node?: ScriptProcessorNode;

  async start(): Promise<void> {
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    this.context = new AudioContext();
    const source = this.context.createMediaStreamSource(this.stream);
    // ScriptProcessor is deprecated but needs no separate worklet module (and so no CSP exception).
    this.node = this.context.createScriptProcessor(4096, 1, 1);
    this.node.onaudioprocess = (e) => this.chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(this.node);
    this.node.connect(this.context.destination);
  }

  async stop(): Promise<Blob> {
    this.node?.disconnect();
    this.stream?.getTracks().forEach((track) => track.stop());
    const rate = this.context?.sampleRate ?? 48000;
    await this.context?.close();
    const samples = this.chunks.reduce((n, c) => n + c.length, 0);
    const view = new DataView(new ArrayBuffer(44 + samples * 2));
    const text = (offset: number, s: string) => [...s].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
    text(0, "RIFF");
    view.setUint32(4, 36 + samples * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples * 2, true);
    let offset = 44;
    for (const chunk of this.chunks) {
      for (const sample of chunk) {
        view.setInt16(offset, Math.max(-1, Math.min(1, sample)) * 0x7fff, true);
        offset += 2;
      }
    }
    this.chunks = [];
    return new Blob([view.buffer], { type: "audio/wav" });
  }
}

export async function transcribe(audio: Blob): Promise<string> {
  const form = new FormData();
  form.append("file", new File([audio], "voice.wav", { type: "audio/wav" }));
  const { text } = await api<{ text: string }>("/audio-to-text", { method: "POST", form });
  return text;
}

let playing: HTMLAudioElement | null = null;

/** Speaks a message (or plain text); resolves when playback ends or is stopped. */
export async function readAloud(what: { message_id?: string; text?: string; voice?: string }, onStart?: () => void): Promise<void> {
  stopReading();
  const res = await request("/text-to-audio", { method: "POST", body: { ...what, streaming: false } });
  if (!res.ok) throw await failureOf(res);
  if (!res.headers.get("Content-Type")?.startsWith("audio/")) return; // Dify answers JSON null for nothing to say
  const url = URL.createObjectURL(await res.blob());
  const audio = new Audio(url);
  playing = audio;
  onStart?.();
  await new Promise<void>((resolve) => {
    audio.onended = audio.onerror = audio.onpause = () => resolve();
    audio.play().catch(() => resolve());
  });
  URL.revokeObjectURL(url);
  if (playing === audio) playing = null;
}

export function stopReading(): void {
  playing?.pause();
  playing = null;
}

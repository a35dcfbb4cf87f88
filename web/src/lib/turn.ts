// One question and its answer as the chat and completion pages hold them while streaming. Tokens go
// straight to the answer's StreamingMarkdown; only changes of state (an id, a step, the end) tell
// the turn's own component to re-render, never the conversation.
import type { Attachment } from "./files";
import { StreamingMarkdown } from "./markdown";
import { ApiFailure, request } from "./api";
import { t } from "./i18n";
import { followStream, type StreamEvent } from "./stream";

export interface Step {
  id: string;
  kind: "node" | "thought";
  title: string;
  status: string;
  detail?: string;
}

export interface AnswerFile {
  id: string;
  url: string;
  type: string;
}

export type TurnStatus = "streaming" | "done" | "stopped" | "error";

let keys = 0;

export class Turn {
  readonly key = `t${++keys}`;
  id = "";
  taskId = "";
  conversationId = "";
  answer = "";
  status: TurnStatus = "done";
  error = "";
  feedback: "like" | "dislike" | null = null;
  steps: Step[] = [];
  files: AnswerFile[] = [];
  suggestions: string[] = [];
  reconnecting = false;
  saved = false;
  private view?: StreamingMarkdown;
  private listeners = new Set<() => void>();
  private speech: string[] = [];

  constructor(
    readonly query: string,
    readonly queryFiles: Pick<Attachment, "name" | "type" | "previewUrl">[] = [],
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(patch: Partial<Omit<Turn, "key" | "query" | "queryFiles">>): void {
    Object.assign(this, patch);
    for (const listener of this.listeners) listener();
  }

  attach(el: HTMLElement): void {
    this.view = new StreamingMarkdown(el);
    this.view.set(this.answer);
    this.view.flush();
  }

  setAnswer(text: string): void {
    if (!this.answer && text) performance.mark("answer-first-token-arrived");
    this.answer = text;
    this.view?.set(text);
  }

  private upsertStep(step: Step): void {
    const i = this.steps.findIndex((s) => s.id === step.id);
    this.update({ steps: i === -1 ? [...this.steps, step] : this.steps.map((s, j) => (j === i ? { ...s, ...step } : s)) });
  }

  /** Applies one stream event (spec dify-web-api.md §5.5); returns true on the end of the answer. */
  apply(event: StreamEvent): boolean {
    if (event.task_id && !this.taskId) this.update({ taskId: event.task_id });
    if (event.conversation_id && !this.conversationId) this.conversationId = event.conversation_id;
    const messageId = event.message_id ?? (event.event === "message" || event.event === "agent_message" ? event.id : undefined);
    if (messageId && !this.id) this.update({ id: messageId });
    switch (event.event) {
      case "message":
      case "agent_message":
        this.setAnswer(this.answer + (event.answer ?? ""));
        return false;
      case "message_replace":
        this.setAnswer(event.answer ?? "");
        return false;
      case "message_file":
        // A message_file with `answer` is text (spec §5.5 quirk); otherwise a file the model made.
        if (typeof event.answer === "string") this.setAnswer(this.answer + event.answer);
        else if (event.url && event.belongs_to !== "user") this.update({ files: [...this.files, { id: event.id, url: event.url, type: event.type }] });
        return false;
      case "agent_thought":
        if (event.thought || event.tool) {
          this.upsertStep({
            id: event.id,
            kind: "thought",
            title: event.tool || "",
            status: event.observation ? "succeeded" : "running",
            detail: [event.thought, event.tool_input, event.observation].filter(Boolean).join("\n\n"),
          });
        }
        return false;
      case "node_started":
      case "node_finished":
      case "node_retry": {
        const data = event.data ?? {};
        if (data.iteration_id || data.loop_id) return false; // shown inside their iteration, as Dify
        this.upsertStep({ id: data.id ?? data.node_id, kind: "node", title: data.title ?? data.node_type ?? "", status: event.event === "node_started" ? "running" : (data.status ?? "succeeded"), detail: data.error ?? undefined });
        return false;
      }
      case "tts_message":
        if (event.audio) this.speech.push(event.audio);
        return false;
      case "tts_message_end":
        this.playSpeech();
        return false;
      case "message_end":
        this.view?.flush();
        this.update({ id: event.id ?? this.id, status: this.status === "stopped" ? "stopped" : "done" });
        return true;
      case "error":
        this.view?.flush();
        this.update({ status: "error", error: event.message ?? "error" });
        return true;
      default:
        return false;
    }
  }

  /** Auto-play (text_to_speech.autoPlay): the base64 MP3 chunks that came with the answer. */
  private playSpeech(): void {
    if (!this.speech.length) return;
    // Each chunk is base64 on its own (with its own padding): decode them one by one.
    const parts = this.speech.map((chunk) => Uint8Array.from(atob(chunk), (c) => c.charCodeAt(0)));
    this.speech = [];
    const url = URL.createObjectURL(new Blob(parts, { type: "audio/mpeg" }));
    const audio = new Audio(url);
    audio.onended = () => URL.revokeObjectURL(url);
    audio.play().catch(() => URL.revokeObjectURL(url));
  }
}

/**
 * Streams POST /api<path> into `turn` until it ends: failures (a refused request, an error event, a
 * connection that could not be resumed) become the turn's error; an abort leaves it stopped.
 */
export async function streamTurn(turn: Turn, path: string, body: unknown, abort: AbortController): Promise<void> {
  turn.update({ status: "streaming" });
  try {
    await followStream(() => request(path, { method: "POST", body, signal: abort.signal }), {
      signal: abort.signal,
      onEvent: (event) => turn.apply(event),
      onReconnecting: (reconnecting) => turn.update({ reconnecting }),
    });
  } catch (err) {
    turn.update({ status: "error", error: err instanceof ApiFailure && err.code === "connection_lost" ? t("connectionFailed") : (err as Error).message });
  }
  turn.update({ reconnecting: false, ...(turn.status === "streaming" ? { status: abort.signal.aborted ? "stopped" : "done" } : {}) });
}

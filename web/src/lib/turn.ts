// One question and its answer as the chat and completion pages hold them while streaming. Tokens go
// straight to the answer's StreamingMarkdown; only changes of state (an id, a step, the end) tell
// the turn's own component to re-render, never the conversation.
import type { Attachment } from "./files";
import { StreamingMarkdown } from "./markdown";
import { ApiFailure, request } from "./api";
import { type FilledForm, formEventPatch, type PendingForm } from "./human-input";
import { t } from "./i18n";
import { nodeStep, type Step, thoughtStep, upsertStep } from "./steps";
import { Observable } from "./observable";
import { followStream, type StreamEvent } from "./stream";

export type { Step } from "./steps";

export interface AnswerFile {
  id: string;
  url: string;
  type: string;
}

export type TurnStatus = "streaming" | "paused" | "done" | "stopped" | "error";

let keys = 0;

export class Turn extends Observable<Turn> {
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
  /** Chatflow human-input forms waiting for an answer, and those answered. */
  forms: PendingForm[] = [];
  filled: FilledForm[] = [];
  reconnecting = false;
  saved = false;
  private view?: StreamingMarkdown;
  private speech: string[] = [];

  constructor(
    readonly query: string,
    readonly queryFiles: Pick<Attachment, "name" | "type" | "previewUrl">[] = [],
  ) {
    super();
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

  private upsertStep(step: Step | null): void {
    if (step) this.update({ steps: upsertStep(this.steps, step) });
  }

  /** Applies one stream event (spec dify-web-api.md §5.5); returns true on the end of the answer. */
  apply(event: StreamEvent): boolean {
    if (event.task_id && !this.taskId) this.update({ taskId: event.task_id });
    if (event.conversation_id && !this.conversationId) this.update({ conversationId: event.conversation_id });
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
        this.upsertStep(thoughtStep(event as StreamEvent & { id: string }, false));
        return false;
      case "node_started":
      case "node_finished":
      case "node_retry":
      case "iteration_started":
      case "iteration_completed":
      case "loop_started":
      case "loop_completed":
        this.upsertStep(nodeStep(event));
        return false;
      case "human_input_required":
      case "human_input_form_filled":
      case "human_input_form_timeout":
        this.update(formEventPatch(this, event)!);
        return false;
      case "workflow_paused":
        this.view?.flush();
        this.update({ status: "paused" });
        return false;
      case "workflow_started":
        if (this.status === "paused") this.update({ status: "streaming" });
        return false;
      case "workflow_finished": {
        // After a pause the events stream closes on workflow_finished: its status ends the answer.
        const data = event.data ?? {};
        this.view?.flush();
        if (data.status === "failed") {
          if (this.status !== "error") this.update({ status: "error", error: data.error ? `Run failed: ${data.error}` : t("errorGeneric") });
        } else if (data.status === "stopped") this.update({ status: "stopped" });
        else if (this.status === "streaming" || this.status === "paused") this.update({ status: "done" });
        return true;
      }
      case "tts_message":
        if (event.audio) this.speech.push(event.audio);
        return false;
      case "tts_message_end":
        this.playSpeech();
        return false;
      case "message_end": {
        this.view?.flush();
        // A tool call still without its observation ended with the answer.
        const steps = this.steps.map((s) => (s.kind === "thought" && s.status === "running" ? { ...s, status: "succeeded" } : s));
        this.update({ id: event.id ?? this.id, steps, status: this.status === "stopped" ? "stopped" : "done" });
        return true;
      }
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

/** Follows the stream `start` opens into `turn` (see streamTurn). */
async function followInto(turn: Turn, start: () => Promise<Response>, abort: AbortController): Promise<void> {
  turn.update({ status: "streaming" });
  try {
    await followStream(start, {
      signal: abort.signal,
      onEvent: (event) => turn.apply(event),
      onReconnecting: (reconnecting) => turn.update({ reconnecting }),
    });
  } catch (err) {
    turn.update({ status: "error", error: err instanceof ApiFailure && err.code === "connection_lost" ? t("connectionFailed") : (err as Error).message });
  }
  const open = turn.status === "streaming" || turn.status === "paused";
  turn.update({ reconnecting: false, ...(open ? { status: abort.signal.aborted ? "stopped" : "done" } : {}) });
}

/**
 * Streams POST /api<path> into `turn` until it ends, through a chatflow's pauses for a person:
 * failures (a refused request, an error event, a connection that could not be resumed) become the
 * turn's error; an abort leaves it stopped.
 */
export function streamTurn(turn: Turn, path: string, body: unknown, abort: AbortController): Promise<void> {
  return followInto(turn, () => request(path, { method: "POST", body, signal: abort.signal }), abort);
}

/**
 * Picks a chatflow answer that waits for a person up again after a reload (spec dify-web-client.md
 * §5.6): the run's state snapshot (answer so far, nodes, pending forms), then the run as it goes on.
 */
export function resumeTurn(turn: Turn, runId: string, abort: AbortController): Promise<void> {
  return followInto(turn, () => request(`/workflow/${encodeURIComponent(runId)}/events`, { query: { include_state_snapshot: true }, signal: abort.signal }), abort);
}
